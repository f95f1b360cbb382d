"""Spreadsheet import: all or nothing, errors by line and field, rows saved through the engine."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from import_export.formats.base_formats import XLSX
from import_export.tmp_storages import TempFolderStorage

from carteira.models import CarteiraPrincipal
from carteira.resources import CarteiraPrincipalResource
from core.importacao import CSVBrasil
from estoque.models import CadastroPalletizacao, EstoqueTempoReal, MovimentacaoEstoque, MovimentacaoPrevista
from estoque.resources import CadastroPalletizacaoResource, MovimentacaoEstoqueResource
from producao.models import ProgramacaoProducao
from producao.resources import ProgramacaoProducaoResource

pytestmark = pytest.mark.django_db

CABECALHO = ["cod_produto", "nome_produto", "data_movimentacao", "tipo_movimentacao", "qtd_movimentacao"]
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def hoje():
    return timezone.localdate()


def planilha(linhas, cabecalho=CABECALHO) -> bytes:
    livro = openpyxl.Workbook()
    folha = livro.active
    folha.append(cabecalho)
    for linha in linhas:
        folha.append(linha)
    saida = BytesIO()
    livro.save(saida)
    return saida.getvalue()


def importar(resource_class, conteudo: bytes, **kwargs):
    return resource_class().import_data(XLSX().create_dataset(conteudo), dry_run=False, **kwargs)


def boa():
    return ["P1", "PRODUTO 1", hoje(), "ENTRADA", 100]


def saldo(cod):
    return EstoqueTempoReal.objects.get(cod_produto=cod).saldo_atual


# ---------------------------------------------------------------- through the admin views, end to end

URL_IMPORTAR = "admin:estoque_movimentacaoestoque_import"
URL_CONFIRMAR = "admin:estoque_movimentacaoestoque_process_import"


def _enviar(cliente, conteudo: bytes):
    arquivo = SimpleUploadedFile("movimentos.xlsx", conteudo, content_type=XLSX_MIME)
    return cliente.post(reverse(URL_IMPORTAR), {"resource": "0", "format": "0", "import_file": arquivo})


def _confirmar(cliente, previa):
    confirmacao = previa.context["confirm_form"]
    assert confirmacao is not None
    return cliente.post(reverse(URL_CONFIRMAR), confirmacao.initial)


def test_importacao_pelo_admin_grava_as_linhas_e_o_saldo(cliente_staff):
    conteudo = planilha([boa(), ["P1", "PRODUTO 1", hoje(), "Saída", -30]])

    previa = _enviar(cliente_staff, conteudo)
    assert previa.status_code == 200
    assert not previa.context["result"].has_validation_errors()
    # The preview is a dry run: neither the rows nor their stock were kept.
    assert not MovimentacaoEstoque.objects.exists()
    assert not EstoqueTempoReal.objects.exists()

    resposta = _confirmar(cliente_staff, previa)
    assert resposta.status_code == 302
    assert resposta["Location"] == reverse("admin:estoque_movimentacaoestoque_changelist")

    movimentos = MovimentacaoEstoque.objects.order_by("id")
    assert [(m.tipo_movimentacao, m.qtd_movimentacao) for m in movimentos] == [("ENTRADA", 100), ("SAIDA", -30)]
    assert {m.criado_por for m in movimentos} == {"staff"}
    assert saldo("P1") == sum(m.qtd_movimentacao for m in movimentos) == Decimal("70")
    assert LogEntry.objects.count() == 2


@pytest.mark.parametrize(
    "linha_ruim, campo",
    [
        (["P1", "", hoje(), "SAIDA", "abc"], "qtd_movimentacao"),
        (["P1", "", hoje(), "SAIDA", 5], "qtd_movimentacao"),
    ],
    ids=["quantidade-nao-numerica", "saida-positiva"],
)
def test_admin_recusa_arquivo_com_linha_ruim_e_nao_grava_nada(cliente_staff, linha_ruim, campo):
    MovimentacaoEstoque.objects.create(
        cod_produto="P1", data_movimentacao=hoje(), tipo_movimentacao="ENTRADA", qtd_movimentacao=10
    )

    resposta = _enviar(cliente_staff, planilha([boa(), linha_ruim]))

    assert resposta.status_code == 200
    assert resposta.context.get("confirm_form") is None  # no way to confirm a refused file
    (invalida,) = resposta.context["result"].invalid_rows
    assert invalida.number == 3  # the spreadsheet line: header on 1, good row on 2
    assert campo in invalida.field_specific_errors
    html = resposta.content.decode()
    assert "<td>3 </td>" in html and campo in html
    assert MovimentacaoEstoque.objects.count() == 1
    assert saldo("P1") == 10


def test_confirmacao_recusada_nao_grava_nada(cliente_staff):
    # The file changes between the preview and the confirmation (or the data does):
    # the confirm step must refuse the whole file too, not commit its good rows.
    previa = _enviar(cliente_staff, planilha([boa()]))
    nome = previa.context["confirm_form"].initial["import_file_name"]
    Path(TempFolderStorage(name=nome).get_full_path()).write_bytes(planilha([boa(), ["P1", "", hoje(), "SAIDA", 5]]))

    resposta = _confirmar(cliente_staff, previa)

    assert resposta.status_code == 200
    (invalida,) = resposta.context["result"].invalid_rows
    assert invalida.number == 3 and "qtd_movimentacao" in invalida.field_specific_errors
    assert "Importação recusada" in resposta.content.decode()
    assert not MovimentacaoEstoque.objects.exists()
    assert not EstoqueTempoReal.objects.exists()
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "admin:estoque_movimentacaoestoque_import",
        "admin:producao_programacaoproducao_import",
        "admin:estoque_cadastropalletizacao_import",
        "admin:carteira_carteiraprincipal_import",
        "admin:estoque_movimentacaoestoque_export",
        "admin:producao_programacaoproducao_export",
        "admin:estoque_cadastropalletizacao_export",
        "admin:carteira_carteiraprincipal_export",
    ],
)
def test_telas_de_importacao_e_exportacao_abrem(cliente_staff, url):
    resposta = cliente_staff.get(reverse(url))
    assert resposta.status_code == 200
    formatos = [titulo for valor, titulo in resposta.context["form"].fields["format"].choices if valor != ""]
    assert formatos == ["xlsx", "csv"]


@pytest.mark.parametrize(
    "modelo",
    [
        "estoque_movimentacaoestoque",
        "producao_programacaoproducao",
        "estoque_cadastropalletizacao",
        "carteira_carteiraprincipal",
    ],
)
def test_exportacao_xlsx_pelo_admin(cliente_staff, modelo):
    MovimentacaoEstoque.objects.create(
        cod_produto="P1", data_movimentacao=hoje(), tipo_movimentacao="ENTRADA", qtd_movimentacao=10
    )
    url = reverse(f"admin:{modelo}_export")
    form = cliente_staff.get(url).context["form"]
    dados = {nome: "on" for nome, campo in form.fields.items() if getattr(campo, "is_selectable_field", False)}

    resposta = cliente_staff.post(url, {**dados, "format": "0", "resource": "0"})

    assert resposta.status_code == 200
    assert resposta["Content-Type"] == XLSX_MIME
    folha = openpyxl.load_workbook(BytesIO(resposta.content)).active
    cabecalho = [celula.value for celula in folha[1]]
    assert "cod_produto" in cabecalho
    if modelo == "estoque_movimentacaoestoque":
        linha = dict(zip(cabecalho, [celula.value for celula in folha[2]]))
        assert (linha["cod_produto"], Decimal(str(linha["qtd_movimentacao"]))) == ("P1", 10)


# ---------------------------------------------------------------- through the Resource API


@pytest.mark.parametrize(
    "linha_ruim, campo",
    [
        (["P1", "", hoje(), "SAIDA", "abc"], "qtd_movimentacao"),
        (["P1", "", hoje(), "SAIDA", 5], "qtd_movimentacao"),
        (["P1", "", hoje(), "ENTRADA", -5], "qtd_movimentacao"),
        (["P1", "", hoje(), "AJUSTE", 0], "qtd_movimentacao"),
        (["P1", "", hoje(), "ENTRADA", None], "qtd_movimentacao"),
        (["P1", "", hoje(), "TRANSFERENCIA", 5], "tipo_movimentacao"),
        (["P1", "", hoje(), "", 5], "tipo_movimentacao"),
        (["", "", hoje(), "ENTRADA", 5], "cod_produto"),
        (["P1", "", None, "ENTRADA", 5], "data_movimentacao"),
        (["P1", "", "31/02/2025", "ENTRADA", 5], "data_movimentacao"),
        (["P1", "", hoje(), "ENTRADA", "1,2345"], "qtd_movimentacao"),
    ],
    ids=[
        "nao-numerica",
        "saida-positiva",
        "entrada-negativa",
        "zero",
        "sem-quantidade",
        "tipo-desconhecido",
        "sem-tipo",
        "sem-codigo",
        "sem-data",
        "data-invalida",
        "casas-demais",
    ],
)
def test_linha_ruim_recusa_o_arquivo_inteiro(linha_ruim, campo):
    resultado = importar(MovimentacaoEstoqueResource, planilha([boa(), linha_ruim]))

    assert resultado.has_validation_errors()
    (invalida,) = resultado.invalid_rows
    assert invalida.number == 3
    assert list(invalida.field_specific_errors) == [campo], invalida.error_dict
    assert not MovimentacaoEstoque.objects.exists()
    assert not EstoqueTempoReal.objects.exists()


def test_mensagem_da_restricao_diz_o_que_corrigir():
    resultado = importar(MovimentacaoEstoqueResource, planilha([["P1", "", hoje(), "SAIDA", 5]]))
    assert resultado.invalid_rows[0].field_specific_errors == {
        "qtd_movimentacao": ["Saídas (SAIDA, FATURAMENTO) têm quantidade negativa."]
    }


@pytest.mark.parametrize(
    "texto",
    [
        'cod_produto,data_movimentacao,tipo_movimentacao,qtd_movimentacao,ativo\nP1,05/03/2025,Saída,"-1.234,5",sim\n',
        "cod_produto;data_movimentacao;tipo_movimentacao;qtd_movimentacao;ativo\nP1;05/03/2025;saida;-1.234,5;SIM\n",
    ],
    ids=["virgula", "ponto-e-virgula"],
)
def test_csv_em_formato_brasileiro(texto):
    with translation.override("pt-br"):
        dataset = CSVBrasil(encoding="utf-8-sig").create_dataset(texto.encode("utf-8-sig"))
        resultado = MovimentacaoEstoqueResource().import_data(dataset, dry_run=False)
    assert not resultado.has_validation_errors() and not resultado.has_errors()
    mov = MovimentacaoEstoque.objects.get()
    assert (mov.data_movimentacao, mov.tipo_movimentacao, mov.qtd_movimentacao, mov.ativo) == (
        date(2025, 3, 5),
        "SAIDA",
        Decimal("-1234.5"),
        True,
    )
    assert saldo("P1") == Decimal("-1234.5")


def test_reimportar_a_exportacao_atualiza_sem_duplicar():
    importar(MovimentacaoEstoqueResource, planilha([boa(), ["P1", "", hoje(), "SAIDA", -30]]))
    exportado = MovimentacaoEstoqueResource().export()
    exportado.dict = [
        {**linha, "qtd_movimentacao": "-40" if linha["tipo_movimentacao"] == "SAIDA" else linha["qtd_movimentacao"]}
        for linha in exportado.dict
    ]

    resultado = MovimentacaoEstoqueResource().import_data(exportado, dry_run=False)

    assert not resultado.has_validation_errors() and not resultado.has_errors()
    assert resultado.totals["update"] == 2 and resultado.totals["new"] == 0
    assert MovimentacaoEstoque.objects.count() == 2
    assert saldo("P1") == Decimal("60")  # the engine applied the update's delta


def test_id_desconhecido_e_recusado():
    conteudo = planilha(
        [[999, "P1", hoje(), "ENTRADA", 5]],
        cabecalho=["id", "cod_produto", "data_movimentacao", "tipo_movimentacao", "qtd_movimentacao"],
    )
    resultado = importar(MovimentacaoEstoqueResource, conteudo)
    assert list(resultado.invalid_rows[0].field_specific_errors) == ["id"]
    assert not MovimentacaoEstoque.objects.exists()


def test_programacao_importada_entra_na_previsao():
    amanha = hoje() + timedelta(days=1)
    cabecalho = ["data_programacao", "cod_produto", "qtd_programada", "linha_producao"]
    resultado = importar(
        ProgramacaoProducaoResource, planilha([[amanha, "P1", 40, "L1"], [amanha, "P1", 2.5, "L2"]], cabecalho)
    )

    assert not resultado.has_validation_errors() and not resultado.has_errors()
    assert ProgramacaoProducao.objects.count() == 2
    prevista = MovimentacaoPrevista.objects.get(cod_produto="P1", data_prevista=amanha)
    assert prevista.entrada_prevista == Decimal("42.5")


def test_programacao_com_quantidade_zero_e_recusada():
    cabecalho = ["data_programacao", "cod_produto", "qtd_programada"]
    resultado = importar(ProgramacaoProducaoResource, planilha([[hoje(), "P1", 10], [hoje(), "P1", 0]], cabecalho))
    assert list(resultado.invalid_rows[0].field_specific_errors) == ["qtd_programada"]
    assert not ProgramacaoProducao.objects.exists()
    assert not MovimentacaoPrevista.objects.exists()


CABECALHO_CADASTRO = ["cod_produto", "nome_produto", "palletizacao", "peso_bruto"]


def test_cadastro_atualiza_pelo_codigo():
    CadastroPalletizacao.objects.create(cod_produto="4510156", nome_produto="ANTIGO", palletizacao=10, peso_bruto=1)
    # A code typed as a number in Excel is still the same code.
    linhas = [[4510156, "NOVO NOME", 80, "1,25"], ["P2", "OUTRO", 50, 2]]
    resultado = importar(CadastroPalletizacaoResource, planilha(linhas, CABECALHO_CADASTRO))

    assert resultado.totals["update"] == 1 and resultado.totals["new"] == 1
    produto = CadastroPalletizacao.objects.get(cod_produto="4510156")
    assert (produto.nome_produto, produto.palletizacao, produto.peso_bruto) == ("NOVO NOME", 80, Decimal("1.25"))


def test_cadastro_com_palletizacao_zero_nao_muda_nada():
    CadastroPalletizacao.objects.create(cod_produto="P1", nome_produto="ANTIGO", palletizacao=10, peso_bruto=1)
    resultado = importar(
        CadastroPalletizacaoResource, planilha([["P1", "NOVO", 20, 1], ["P2", "OUTRO", 0, 1]], CABECALHO_CADASTRO)
    )

    assert resultado.invalid_rows[0].number == 3
    assert list(resultado.invalid_rows[0].field_specific_errors) == ["palletizacao"]
    assert list(CadastroPalletizacao.objects.values_list("cod_produto", "nome_produto", "palletizacao")) == [
        ("P1", "ANTIGO", 10)
    ]


CABECALHO_CARTEIRA = ["num_pedido", "cod_produto", "qtd_produto_pedido", "qtd_saldo_produto_pedido", "data_pedido"]


def test_carteira_atualiza_pelo_pedido_e_produto():
    CarteiraPrincipal.objects.create(
        num_pedido="PED1", cod_produto="P1", qtd_produto_pedido=10, qtd_saldo_produto_pedido=10
    )
    linhas = [["PED1", "P1", 20, 15, "02/01/2025"], ["PED1", "P2", 5, 5, "02/01/2025"]]
    resultado = importar(CarteiraPrincipalResource, planilha(linhas, CABECALHO_CARTEIRA))

    assert resultado.totals["update"] == 1 and resultado.totals["new"] == 1
    linha = CarteiraPrincipal.objects.get(num_pedido="PED1", cod_produto="P1")
    assert (linha.qtd_produto_pedido, linha.qtd_saldo_produto_pedido, linha.data_pedido) == (20, 15, date(2025, 1, 2))
    assert CarteiraPrincipal.objects.count() == 2


def test_carteira_com_saldo_negativo_nao_muda_nada():
    CarteiraPrincipal.objects.create(
        num_pedido="PED1", cod_produto="P1", qtd_produto_pedido=10, qtd_saldo_produto_pedido=10
    )
    linhas = [["PED1", "P1", 20, 15, None], ["PED2", "P1", 5, -1, None]]
    resultado = importar(CarteiraPrincipalResource, planilha(linhas, CABECALHO_CARTEIRA))

    assert resultado.invalid_rows[0].number == 3
    assert list(resultado.invalid_rows[0].field_specific_errors) == ["qtd_saldo_produto_pedido"]
    assert list(CarteiraPrincipal.objects.values_list("num_pedido", "qtd_produto_pedido")) == [("PED1", 10)]
