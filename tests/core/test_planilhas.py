"""Spreadsheets read within bounds (core.planilhas) by every import: the xlsx declared dimension
ignored, rows, columns, size and the zip's uncompressed size capped; refusals in pt-BR on the
upload form, on the import's page, or on the line and column, nothing written.

The carteira sync's use of the same reader is in tests/carteira/test_sincronizacao_limites.py.
"""

import io
import re
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from core import planilhas
from core.models import Importacao
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


# ---------------------------------------------------------------- through the import page (core.importacoes)


URL_IMPORTAR = "/importacoes/movimentacoes/"


def enviar(cliente, conteudo: bytes, nome="movimentos.xlsx"):
    """Upload: the preview's Importacao, or None when the form refused the file."""
    arquivo = SimpleUploadedFile(nome, conteudo, content_type=XLSX_MIME)
    ultima = Importacao.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    resposta = cliente.post(URL_IMPORTAR, {"arquivo": arquivo})
    assert resposta.status_code in (200, 302)
    enviar.resposta = resposta
    return Importacao.objects.filter(pk__gt=ultima).first()


def confirmar(cliente, importacao):
    return cliente.post(f"/importacoes/{importacao.pk}/confirmar")


def nada_gravado():
    return not MovimentacaoEstoque.objects.exists() and not EstoqueTempoReal.objects.exists()


def erro_do_arquivo(importacao) -> str:
    """The refusal of the file as a whole (no line)."""
    return " ".join(e["mensagem"] for e in importacao.erros if e["linha"] is None)


@pytest.fixture
def produto():
    f.produto("P1")


def test_importacao_de_dimensao_enorme(cliente_staff, produto):
    importacao = enviar(cliente_staff, xlsx([CABECALHO, boa()], dimensao="A1:XFD40000", trocar=MENTIRA))
    assert importacao.status == Importacao.Status.PREVIA and importacao.linhas == 1
    assert confirmar(cliente_staff, importacao).status_code == 302
    assert MovimentacaoEstoque.objects.count() == 1


def test_data_fora_da_janela_recusada_na_linha_e_coluna(cliente_staff, produto):
    importacao = enviar(cliente_staff, xlsx([CABECALHO, boa(), ["P1", "", "31/12/9999", "ENTRADA", 5]]))
    (erro,) = importacao.erros
    assert (erro["linha"], erro["coluna"]) == (3, "Data")
    assert "fora do período aceito" in erro["mensagem"]
    assert importacao.status == Importacao.Status.RECUSADA
    assert nada_gravado()


def test_xlsx_com_caractere_de_controle_e_recusado(cliente_staff, produto):
    """XML 1.0 has no control characters: such a sheet does not parse, and is refused whole."""
    conteudo = xlsx([CABECALHO, boa(), ["P1", "abXc", f.hoje(), "ENTRADA", 5]], trocar=(rb"abXc", b"ab&#0;c"))
    importacao = enviar(cliente_staff, conteudo)
    assert "Não foi possível ler a planilha xlsx" in erro_do_arquivo(importacao)
    assert nada_gravado()


@pytest.mark.parametrize("texto", ["A\x00B", "\x1b[31m"])
def test_csv_com_controle_recusado_na_linha_e_coluna(cliente_staff, produto, texto):
    cabecalho = "cod_produto;observacao;data_movimentacao;tipo_movimentacao;qtd_movimentacao\n"
    texto = cabecalho + f"P1;{texto};{f.hoje():%d/%m/%Y};ENTRADA;5\n"
    importacao = enviar(cliente_staff, texto.encode(), nome="m.csv")
    (erro,) = importacao.erros
    assert (erro["linha"], erro["coluna"]) == (2, "Observação")
    assert nada_gravado()


def test_numero_absurdo_nao_trava(cliente_staff, produto):
    """int() or Decimal arithmetic on 1e999999999 would cost a billion digits; refused on its cell first."""
    importacao = enviar(cliente_staff, xlsx([CABECALHO, ["P1", "X", f.hoje(), "ENTRADA", "1e999999999"]]))
    assert importacao.status == Importacao.Status.RECUSADA
    assert importacao.erros[0]["coluna"] == "Quantidade"
    assert nada_gravado()


@override_settings(ESTOQUE_UPLOAD_MAX_BYTES=4000)
def test_arquivo_grande_demais_recusado_no_formulario(cliente_staff):
    conteudo = xlsx([CABECALHO, *[boa()] * 300])
    assert len(conteudo) > 4000
    assert enviar(cliente_staff, conteudo) is None
    resposta = enviar.resposta
    assert resposta.status_code == 200
    texto = " ".join(resposta.context["form"].errors.get("arquivo", []))
    assert "grande demais" in texto and "limite" in texto
    # core.uploads kept none of it: the form got an empty stand-in that reports the size sent
    recebido = resposta.wsgi_request.FILES["arquivo"]
    assert isinstance(recebido, ArquivoGrandeDemais) and recebido.size == len(conteudo)
    assert nada_gravado() and not Importacao.objects.exists()


@override_settings(ESTOQUE_PLANILHA_MAX_LINHAS=2)
def test_linhas_demais_recusadas(cliente_staff, produto):
    importacao = enviar(cliente_staff, xlsx([CABECALHO, boa(), boa(), boa()]))
    assert "mais de 2 linhas" in erro_do_arquivo(importacao)
    assert nada_gravado()


@pytest.mark.parametrize("conteudo", [b"lixo", b"PK\x03\x04lixo", b"\x00" * 100])
def test_arquivo_ilegivel_e_recusado_em_portugues(cliente_staff, conteudo):
    importacao = enviar(cliente_staff, conteudo)
    assert importacao.status == Importacao.Status.RECUSADA
    assert erro_do_arquivo(importacao)
    assert cliente_staff.get(f"/importacoes/{importacao.pk}/").status_code == 200
    assert nada_gravado()


def test_confirmacao_de_importacao_recusada_ou_inexistente_nao_e_500(cliente_staff, produto):
    recusada = enviar(cliente_staff, b"lixo")
    resposta = confirmar(cliente_staff, recusada)
    assert resposta.status_code == 302 and nada_gravado()
    assert cliente_staff.post("/importacoes/999999/confirmar").status_code == 404


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
