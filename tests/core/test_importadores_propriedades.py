"""Property: no file makes an importer answer 5xx or write half of itself.

Random and malformed files (random bytes; truncated or corrupted xlsx zips; xlsx with crafted
dimensions and row indexes; CSV with other delimiters, mixed encodings, NULs, huge cells and
formulas; valid headers with garbage values, and sometimes good rows) go to every importer
through its admin page: the django-import-export imports of estoque, producao and carteira
(preview, then the confirm step when one is offered) and the carteira spreadsheet sync.
After each file: no answer was a 5xx (the test client re-raises a view's exception); a
refused file left every source table as it was; the derived tables equal the recomputation
from the sources (tests/oracle.py).

ESTOQUE_HYPOTHESIS_EXEMPLOS/3 files (100 in CI, 50 locally).
"""

import io
import os
import re
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from embarques.models import Embarque, EmbarqueItem
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque, UnificacaoCodigos
from producao.models import ProgramacaoProducao
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db

EXEMPLOS = max(10, int(os.environ.get("ESTOQUE_HYPOTHESIS_EXEMPLOS", "150")) // 3)
FONTES = (
    MovimentacaoEstoque,
    UnificacaoCodigos,
    CadastroPalletizacao,
    ProgramacaoProducao,
    CarteiraPrincipal,
    PreSeparacaoItem,
    Separacao,
    Embarque,
    EmbarqueItem,
)

# importer -> (admin URL name, the columns its file has)
IMPORTADORES = {
    "movimentacoes": (
        "admin:estoque_movimentacaoestoque_import",
        [
            "id",
            "cod_produto",
            "nome_produto",
            "data_movimentacao",
            "tipo_movimentacao",
            "qtd_movimentacao",
            "observacao",
        ],
    ),
    "cadastro": (
        "admin:estoque_cadastropalletizacao_import",
        ["cod_produto", "nome_produto", "palletizacao", "peso_bruto", "ativo"],
    ),
    "programacao": (
        "admin:producao_programacaoproducao_import",
        ["id", "data_programacao", "cod_produto", "qtd_programada", "linha_producao"],
    ),
    "carteira": (
        "admin:carteira_carteiraprincipal_import",
        ["num_pedido", "cod_produto", "qtd_produto_pedido", "qtd_saldo_produto_pedido", "data_pedido", "origem"],
    ),
    "sincronizacao": (
        "admin:carteira_sincronizacaocarteira_planilha",
        ["num_pedido", "cod_produto", "qtd_saldo_produto_pedido", "Data de entrega", "raz_social", "odoo_line_id"],
    ),
}

# ---------------------------------------------------------------- values and files

BOAS = {  # a value each column accepts, so some files go through and the confirm step runs
    "id": None,
    "cod_produto": "P1",
    "nome_produto": "PRODUTO 1",
    "data_movimentacao": "hoje",
    "tipo_movimentacao": "ENTRADA",
    "qtd_movimentacao": 5,
    "observacao": "ok",
    "palletizacao": 10,
    "peso_bruto": 1,
    "ativo": "sim",
    "data_programacao": "hoje",
    "qtd_programada": 3,
    "linha_producao": "L1",
    "num_pedido": "PED1",
    "qtd_produto_pedido": 10,
    "qtd_saldo_produto_pedido": 10,
    "data_pedido": "hoje",
    "origem": "MANUAL",
    "Data de entrega": "hoje",
    "raz_social": "CLIENTE",
    "odoo_line_id": None,
}

texto_ruim = st.text(st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Z", "Cc"]), max_size=30)
lixo = st.one_of(
    st.none(),
    texto_ruim,
    st.sampled_from(
        [
            "=1+1",
            '=HYPERLINK("http://x")',
            "@SUM(A1:A9)",
            "+5511",
            "-0",
            "1.234,56",
            "1,5",
            "1e999999999",
            "NaN",
            "31/12/9999",
            "9999-12-31",
            "00/00/0000",
            "P1\x00",
            "\x1b[31m",
            "ENTRADA",
            "Saída",
            "sim",
            "talvez",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
    st.dates(min_value=date(1900, 1, 1), max_value=date(9999, 12, 31)),
    st.booleans(),
    st.just("x" * 140_000),  # past csv's field size limit, and Excel's cell limit
)


def _valor_real(valor):
    return f.hoje() if valor == "hoje" else valor


def _celula_xlsx(valor):
    if isinstance(valor, str):
        return ILLEGAL_CHARACTERS_RE.sub("", valor)[:32_000]
    if isinstance(valor, Decimal):
        return float(valor)
    if isinstance(valor, int) and abs(valor) > 2**53:
        return str(valor)
    return valor


def _xlsx(linhas) -> bytes:
    livro = openpyxl.Workbook()
    for linha in linhas:
        livro.active.append([_celula_xlsx(valor) for valor in linha])
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()


def _reescrever_folha(conteudo: bytes, funcao) -> bytes:
    entrada = zipfile.ZipFile(io.BytesIO(conteudo))
    saida = io.BytesIO()
    with zipfile.ZipFile(saida, "w", zipfile.ZIP_DEFLATED) as destino:
        for info in entrada.infolist():
            dados = entrada.read(info.filename)
            destino.writestr(info.filename, funcao(dados) if info.filename == "xl/worksheets/sheet1.xml" else dados)
    return saida.getvalue()


def _csv_texto(valor) -> str:
    if valor is None:
        return ""
    if isinstance(valor, (date, datetime)):
        return valor.strftime("%d/%m/%Y")
    texto = str(valor)
    return '"' + texto.replace('"', '""') + '"' if any(c in texto for c in ';,"\n\r') else texto


@st.composite
def planilhas_de(draw, colunas):
    """(name, bytes): a sheet with the importer's columns (some dropped or renamed) and rows
    of good values, garbage, or both."""
    if draw(st.integers(0, 2)) == 0:  # a good file (the confirm step and the writes run)
        cabecalho = list(colunas)
        linhas = [[_valor_real(BOAS.get(c)) for c in cabecalho] for _ in range(draw(st.integers(1, 3)))]
    else:
        cabecalho = [c for c in colunas if draw(st.integers(0, 9))] or colunas[:1]
        if draw(st.booleans()):
            cabecalho.append(draw(st.sampled_from(["extra", "", None, "QTD", "cod_produto"])))
        linhas = []
        for _ in range(draw(st.integers(0, 6))):
            if draw(st.booleans()):
                linhas.append([_valor_real(BOAS.get(c)) for c in cabecalho])
            else:
                linhas.append([draw(lixo) for _ in range(draw(st.integers(0, len(cabecalho) + 2)))])
    tabela = [cabecalho, *linhas]
    formato = draw(st.sampled_from(["xlsx", "xlsx-mentiroso", "xlsx-corrompido", "csv"]))
    if formato == "csv":
        delimitador = draw(st.sampled_from([";", ",", "\t", "|"]))
        texto = "\n".join(delimitador.join(_csv_texto(v) for v in linha) for linha in tabela) + "\n"
        codificacao = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "misturada"]))
        if codificacao == "misturada":
            conteudo = texto.encode() + "ção;São Paulo\n".encode("cp1252") + b"\x81\x8d\xff\n"
        else:
            conteudo = texto.encode(codificacao, errors="replace")
        return "planilha.csv", conteudo
    conteudo = _xlsx(tabela)
    if formato == "xlsx-mentiroso":
        ultima = draw(st.sampled_from([1, 40_000, 1_048_576, 1_048_577]))
        coluna = draw(st.sampled_from(["C", "XFD"]))

        def mentir(xml):
            xml = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{coluna}{ultima}"/>'.encode(), xml)
            return xml.replace(b"</sheetData>", f'<row r="{ultima}"/></sheetData>'.encode())

        conteudo = _reescrever_folha(conteudo, mentir)
    elif formato == "xlsx-corrompido":
        # Positions as fractions of the size: an xlsx's size varies with its timestamps, and the
        # strategy must draw the same way for the same choices.
        if draw(st.booleans()):
            conteudo = conteudo[: int(len(conteudo) * draw(st.floats(0, 1)))]
        else:
            bytes_ = bytearray(conteudo)
            for fracao, valor in draw(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=6)):
                bytes_[min(int(len(bytes_) * fracao), len(bytes_) - 1)] = valor
            conteudo = bytes(bytes_)
    return "planilha.xlsx", conteudo


@st.composite
def arquivos(draw):
    """(importer, file name, bytes, format index the operator picked)."""
    importador = draw(st.sampled_from(sorted(IMPORTADORES)))
    if draw(st.integers(0, 5)) == 0:
        nome, conteudo = draw(st.sampled_from(["a.xlsx", "a.csv"])), draw(st.binary(max_size=3000))
    else:
        nome, conteudo = draw(planilhas_de(IMPORTADORES[importador][1]))
    formato = "1" if nome.endswith(".csv") else "0"
    if draw(st.integers(0, 7)) == 0:  # the wrong format for the file
        formato = "0" if formato == "1" else "1"
    return importador, nome, conteudo, formato


# ---------------------------------------------------------------- the property


def contagens() -> dict[str, int]:
    return {model.__name__: model._base_manager.count() for model in FONTES}


def _enviar(cliente, importador, nome, conteudo, formato) -> bool:
    """Sends the file as an operator would; True when it was imported (written)."""
    url = reverse(IMPORTADORES[importador][0])
    arquivo = SimpleUploadedFile(nome, conteudo)
    if importador == "sincronizacao":
        resposta = cliente.post(url, {"arquivo": arquivo})
        assert resposta.status_code in (200, 302), resposta.status_code
        return resposta.status_code == 302
    previa = cliente.post(url, {"resource": "0", "format": formato, "import_file": arquivo})
    assert previa.status_code == 200, previa.status_code
    confirmacao = previa.context.get("confirm_form")
    if confirmacao is None:
        return False
    url_confirmar = url.replace("/import/", "/process_import/")
    resposta = cliente.post(url_confirmar, confirmacao.initial)
    assert resposta.status_code in (200, 302), resposta.status_code
    return resposta.status_code == 302


@pytest.fixture
def base(db, tmp_path_factory, monkeypatch):
    # import-export's temporary files go to a folder of this test
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path_factory.mktemp("importacoes")))
    f.produto("P1")
    f.movimento("P1", 1000)
    f.linha_carteira("PED1", "P1", 50, origem="ODOO")
    f.pre_separacao("P1", 20, pedido="PED1")
    f.separacao("P1", 5, lote="L1", pedido="PED1")


@settings(
    max_examples=EXEMPLOS,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("ESTOQUE_HYPOTHESIS_ALEATORIO") != "1",
)
@given(arquivo=arquivos())
def test_nenhum_arquivo_gera_5xx_nem_gravacao_parcial(cliente_staff, base, arquivo):
    importador, nome, conteudo, formato = arquivo
    antes = contagens()
    importado = _enviar(cliente_staff, importador, nome, conteudo, formato)
    event(f"{importador}: {'importado' if importado else 'recusado'}")
    if not importado:
        assert contagens() == antes
    assert diferencas_com_derivados() == []
