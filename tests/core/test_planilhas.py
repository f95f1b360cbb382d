"""Spreadsheets read within bounds (core.planilhas) by every import: the xlsx declared dimension
ignored, rows, columns, size and the zip's uncompressed size capped; refusals in pt-BR on the
upload form or on the line and column, nothing written.

The carteira sync's use of the same reader is in tests/carteira/test_sincronizacao_limites.py.
"""

import io
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from import_export.tmp_storages import TempFolderStorage

from core import planilhas
from core.importacao import CSVBrasil, XLSXSeguro
from core.uploads import ArquivoGrandeDemais
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque
from tests import fabricas as f

pytestmark = pytest.mark.django_db

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CABECALHO = ["cod_produto", "nome_produto", "data_movimentacao", "tipo_movimentacao", "qtd_movimentacao"]


def xlsx(linhas, dimensao=None, trocar=None) -> bytes:
    """An xlsx from rows; `dimensao` rewrites the declared <dimension ref>, `trocar` is
    (regex, bytes) applied to the sheet XML (to craft row indexes, for instance)."""
    livro = openpyxl.Workbook()
    folha = livro.active
    for linha in linhas:
        folha.append(linha)
    saida = io.BytesIO()
    livro.save(saida)
    if dimensao is None and trocar is None:
        return saida.getvalue()
    entrada = zipfile.ZipFile(io.BytesIO(saida.getvalue()))
    refeito = io.BytesIO()
    with zipfile.ZipFile(refeito, "w", zipfile.ZIP_DEFLATED) as destino:
        for info in entrada.infolist():
            dados = entrada.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                if dimensao:
                    dados, trocas = re.subn(
                        rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{dimensao}"/>'.encode(), dados
                    )
                    assert trocas == 1
                if trocar:
                    dados, trocas = re.subn(trocar[0], trocar[1], dados)
                    assert trocas, trocar
            destino.writestr(info.filename, dados)
    return refeito.getvalue()


def boa(k=0):
    return ["P1", "PRODUTO 1", f.dia(k), "ENTRADA", 10]


# ---------------------------------------------------------------- the reader


MENTIRA = (rb"</sheetData>", b'<row r="40000"/></sheetData>')  # an empty row element at the declared end


def test_dimensao_declarada_enorme_e_ignorada():
    """5 KB declaring A1:XFD40000 (with an empty row 40000): openpyxl alone yields 40,000 rows
    of 16,384 cells (15 s of CPU in the old carteira reader; benchmarks/bench_planilhas.py)."""
    conteudo = xlsx([CABECALHO, boa()], dimensao="A1:XFD40000", trocar=MENTIRA)
    assert len(conteudo) < 6000
    inicio = time.perf_counter()
    linhas = planilhas.ler_xlsx(conteudo)
    print(f"\nxlsx de {len(conteudo)} bytes declarando A1:XFD40000 lido em {time.perf_counter() - inicio:.4f} s")
    assert [len(linha) for linha in linhas] == [5, 5]
    assert linhas[0] == tuple(CABECALHO) and linhas[1][0] == "P1"


def test_so_as_colunas_do_cabecalho_e_ate_a_ultima_linha_preenchida():
    conteudo = xlsx([["a", "b", None], [1, 2, 3, 4, 5], [None, None], ["x", None], [None]])
    assert planilhas.ler_xlsx(conteudo) == [("a", "b"), (1, 2), (None, None), ("x", None)]


def test_linhas_em_branco_no_inicio_mantem_o_numero_da_linha():
    conteudo = xlsx([[None], ["a", "b"], [1, 2]])
    assert planilhas.ler_xlsx(conteudo) == [(None, None), ("a", "b"), (1, 2)]


@override_settings(ESTOQUE_PLANILHA_MAX_LINHAS=3)
def test_linhas_de_dados_alem_do_limite_recusadas():
    assert len(planilhas.ler_xlsx(xlsx([["a"], [1], [2], [3], [None], [None]]))) == 4  # blank tail is not data
    with pytest.raises(planilhas.ErroPlanilha, match="mais de 3 linhas"):
        planilhas.ler_xlsx(xlsx([["a"], [1], [2], [3], [4]]))
    with pytest.raises(planilhas.ErroPlanilha, match="mais de 3 linhas"):
        planilhas.ler_csv("a\n1\n2\n3\n4\n")


def test_indice_de_linha_alem_do_formato_recusado():
    conteudo = xlsx([["a"], [1]], trocar=(rb'<row r="2"', b'<row r="2000000000"'))
    inicio = time.perf_counter()
    with pytest.raises(planilhas.ErroPlanilha, match="linhas demais"):
        planilhas.ler_xlsx(conteudo)
    print(f"\nlinha 2.000.000.000 recusada em {time.perf_counter() - inicio:.3f} s")


def test_cabecalho_largo_demais_recusado():
    with pytest.raises(planilhas.ErroPlanilha, match="colunas demais"):
        planilhas.ler_xlsx(xlsx([[f"c{i}" for i in range(planilhas.MAX_COLUNAS + 1)]]))


@override_settings(ESTOQUE_UPLOAD_MAX_BYTES=20_000)
def test_bomba_de_descompactacao_recusada():
    conteudo = xlsx([["a"], ["x" * 32_000] * 1, *[["y" * 32_000]] * 20])
    assert len(conteudo) < 20_000  # small on the wire, > 400 KB unpacked
    with pytest.raises(planilhas.ErroPlanilha, match="descompactada"):
        planilhas.ler_xlsx(conteudo)


@pytest.mark.parametrize(
    "conteudo",
    [b"", b"isto nao e xlsx", b"PK\x03\x04" + b"\x00" * 40, "truncado", "xml quebrado"],
    ids=["vazio", "texto", "zip-falso", "truncado", "xml-quebrado"],
)
def test_arquivos_corrompidos_sao_erro_de_planilha(conteudo):
    if conteudo == "truncado":
        conteudo = xlsx([CABECALHO, boa()])[:-200]
    elif conteudo == "xml quebrado":
        conteudo = xlsx([CABECALHO, boa()], trocar=(rb"<sheetData>", b"<sheetData><row r='1'><c"))
    with pytest.raises(planilhas.ErroPlanilha):
        planilhas.ler_xlsx(conteudo)


def test_csv_utf8_windows1252_e_codificacao_desconhecida():
    assert planilhas.decodificar("código\n".encode("cp1252")) == "código\n"
    assert planilhas.decodificar("\ufeffcódigo\n".encode()) == "\ufeffcódigo\n".lstrip("\ufeff")
    with pytest.raises(planilhas.ErroPlanilha, match="UTF-8"):
        planilhas.decodificar("código".encode() + b"\x81\x8d")


def test_csv_celula_enorme_recusada_com_a_linha():
    with pytest.raises(planilhas.ErroPlanilha, match="Linha 2 .*grande demais"):
        planilhas.ler_csv('a;b\n"' + "x" * 200_000 + '";1\n')


def test_csv_delimitador_pelo_cabecalho_e_largura_do_cabecalho():
    assert planilhas.ler_csv("a;b\n1;2;3\n\n4\n") == [("a", "b"), ("1", "2"), (None, None), ("4", None)]


# ---------------------------------------------------------------- import-export formats


def test_formatos_de_importacao_usam_o_leitor_limitado():
    dataset = XLSXSeguro().create_dataset(xlsx([CABECALHO, boa()], dimensao="A1:XFD40000", trocar=MENTIRA))
    assert dataset.headers == CABECALHO and len(dataset) == 1
    dataset = CSVBrasil().create_dataset("cod_produto;qtd\nP1;1\n".encode("cp1252"))
    assert dataset.headers == ["cod_produto", "qtd"] and dataset[0] == ("P1", "1")


# ---------------------------------------------------------------- through the admin import


URL_IMPORTAR = "admin:estoque_movimentacaoestoque_import"
URL_CONFIRMAR = "admin:estoque_movimentacaoestoque_process_import"


def enviar(cliente, conteudo: bytes, nome="movimentos.xlsx", formato="0"):
    arquivo = SimpleUploadedFile(nome, conteudo, content_type=XLSX_MIME)
    return cliente.post(reverse(URL_IMPORTAR), {"resource": "0", "format": formato, "import_file": arquivo})


def nada_gravado():
    return not MovimentacaoEstoque.objects.exists() and not EstoqueTempoReal.objects.exists()


def erro_do_arquivo(resposta) -> str:
    return " ".join(resposta.context["form"].errors.get("import_file", []))


def test_importacao_de_dimensao_enorme_pelo_admin(cliente_staff):
    previa = enviar(cliente_staff, xlsx([CABECALHO, boa()], dimensao="A1:XFD40000", trocar=MENTIRA))
    assert previa.status_code == 200 and previa.context["confirm_form"] is not None
    resposta = cliente_staff.post(reverse(URL_CONFIRMAR), previa.context["confirm_form"].initial)
    assert resposta.status_code == 302
    assert MovimentacaoEstoque.objects.count() == 1


def test_data_fora_da_janela_recusada_na_linha_e_coluna(cliente_staff):
    resposta = enviar(cliente_staff, xlsx([CABECALHO, boa(), ["P1", "", "31/12/9999", "ENTRADA", 5]]))
    (invalida,) = resposta.context["result"].invalid_rows
    assert invalida.number == 3
    assert "fora do período aceito" in invalida.field_specific_errors["data_movimentacao"][0]
    assert resposta.context.get("confirm_form") is None
    assert nada_gravado()


def test_xlsx_com_caractere_de_controle_e_recusado(cliente_staff):
    """XML 1.0 has no control characters: such a sheet does not parse, and is refused whole."""
    conteudo = xlsx([CABECALHO, boa(), ["P1", "abXc", f.hoje(), "ENTRADA", 5]], trocar=(rb"abXc", b"ab&#0;c"))
    resposta = enviar(cliente_staff, conteudo)
    assert "Não foi possível ler a planilha xlsx" in erro_do_arquivo(resposta)
    assert nada_gravado()


@pytest.mark.parametrize("texto", ["A\x00B", "\x1b[31m"])
def test_csv_com_controle_recusado_na_linha_e_coluna(cliente_staff, texto):
    cabecalho = "cod_produto;nome_produto;data_movimentacao;tipo_movimentacao;qtd_movimentacao\n"
    texto = cabecalho + f"P1;{texto};{f.hoje():%d/%m/%Y};ENTRADA;5\n"
    resposta = enviar(cliente_staff, texto.encode(), nome="m.csv", formato="1")
    (invalida,) = resposta.context["result"].invalid_rows
    assert invalida.number == 2 and "nome_produto" in invalida.field_specific_errors
    assert nada_gravado()


def test_numero_absurdo_no_id_nao_trava(cliente_staff):
    """int() of 1e999999999 would build a billion-digit integer; the widget refuses it first."""
    resposta = enviar(cliente_staff, xlsx([["id", *CABECALHO], ["1e999999999", *boa()]]))
    assert resposta.status_code == 200
    assert resposta.context.get("confirm_form") is None
    assert nada_gravado()


@override_settings(ESTOQUE_UPLOAD_MAX_BYTES=4000)
def test_arquivo_grande_demais_recusado_no_formulario(cliente_staff):
    conteudo = xlsx([CABECALHO, *[boa()] * 300])
    assert len(conteudo) > 4000
    resposta = enviar(cliente_staff, conteudo)
    assert resposta.status_code == 200
    assert "grande demais" in erro_do_arquivo(resposta) and "limite" in erro_do_arquivo(resposta)
    # core.uploads kept none of it: the form got an empty stand-in that reports the size sent
    recebido = resposta.wsgi_request.FILES["import_file"]
    assert isinstance(recebido, ArquivoGrandeDemais) and recebido.size == len(conteudo)
    assert nada_gravado()


@override_settings(ESTOQUE_PLANILHA_MAX_LINHAS=2)
def test_linhas_demais_recusadas_no_formulario(cliente_staff):
    resposta = enviar(cliente_staff, xlsx([CABECALHO, boa(), boa(), boa()]))
    assert "mais de 2 linhas" in erro_do_arquivo(resposta)
    assert nada_gravado()


@pytest.mark.parametrize("conteudo", [b"lixo", b"PK\x03\x04lixo", b"\x00" * 100])
def test_arquivo_ilegivel_e_erro_no_formulario(cliente_staff, conteudo):
    resposta = enviar(cliente_staff, conteudo)
    assert resposta.status_code == 200
    assert "planilha" in erro_do_arquivo(resposta)
    assert nada_gravado()


@pytest.mark.parametrize(
    "alteracao",
    [{"format": "99"}, {"format": "x"}, {"resource": "7"}, {"import_file_name": "nao-existe.xlsx"}],
    ids=["formato-inexistente", "formato-texto", "recurso-inexistente", "arquivo-sumiu"],
)
def test_confirmacao_adulterada_nao_e_500(cliente_staff, alteracao):
    """import-export's confirm step indexed lists and opened files with what the hidden fields said."""
    previa = enviar(cliente_staff, xlsx([CABECALHO, boa()]))
    dados = {**previa.context["confirm_form"].initial, **alteracao}
    resposta = cliente_staff.post(reverse(URL_CONFIRMAR), dados)
    assert resposta.status_code == 302
    assert resposta["Location"] == reverse(URL_IMPORTAR)
    assert nada_gravado()
    Path(TempFolderStorage(name=previa.context["confirm_form"].initial["import_file_name"]).get_full_path()).unlink(
        missing_ok=True
    )


@override_settings(ESTOQUE_UPLOAD_MAX_BYTES=10)
def test_limite_do_upload_deixa_de_repassar_os_bytes():
    from core.uploads import LimiteUploadHandler

    limite = LimiteUploadHandler()
    limite.new_file("import_file", "a.xlsx", XLSX_MIME, None)
    assert limite.receive_data_chunk(b"12345", 0) == b"12345"  # the next handler keeps these
    assert limite.receive_data_chunk(b"67890", 5) == b"67890"
    assert limite.receive_data_chunk(b"x" * 1000, 10) is None  # past the limit: kept by nobody
    assert limite.receive_data_chunk(b"y" * 1000, 1010) is None
    recebido = limite.file_complete(2010)
    assert isinstance(recebido, ArquivoGrandeDemais) and recebido.size == 2010 and recebido.name == "a.xlsx"

    pequeno = LimiteUploadHandler()
    pequeno.new_file("import_file", "b.xlsx", XLSX_MIME, None)
    assert pequeno.receive_data_chunk(b"123", 0) == b"123"
    assert pequeno.file_complete(3) is None  # the memory or temporary-file handler returns the file


def test_previa_recusada_nao_deixa_o_arquivo_na_pasta_temporaria(cliente_staff, tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    enviar(cliente_staff, xlsx([CABECALHO, ["P1", "", "31/12/9999", "ENTRADA", 5]]))
    enviar(cliente_staff, b"lixo")
    assert list(tmp_path.iterdir()) == []
    previa = enviar(cliente_staff, xlsx([CABECALHO, boa()]))  # kept for the confirm step
    assert [p.name for p in tmp_path.iterdir()] == [
        Path(previa.context["confirm_form"].initial["import_file_name"]).name
    ]
