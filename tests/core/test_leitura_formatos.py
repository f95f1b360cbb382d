"""core.planilhas.ler_arquivo: every format operators save (xlsx, ods, xls, csv in UTF-8 or
Windows-1252, ';' or ','), told by the content, within the same bounds; anything else is an
ErroPlanilha in pt-BR, never an English KeyError or BadZipFile.
"""

import io
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odf.opendocument import OpenDocumentSpreadsheet, OpenDocumentText
from odf.table import CoveredTableCell, Table, TableCell, TableRow
from odf.text import P, S, Span

from core import planilhas
from core.planilhas import ErroPlanilha, ler_arquivo

ARQUIVOS = Path(__file__).parent / "arquivos"

LINHAS = [
    ["Movimentações — 29/11/2026"],
    [],
    ["Código do produto", "Descrição", "Data", "Quantidade"],
    ["4510156", "AÇÚCAR CRISTAL", date(2026, 11, 29), 1234.5],
    ["P-02", "Feijão", date(2026, 12, 1), -5],
]
ESPERADO = [
    ("Movimentações — 29/11/2026", None, None, None),
    (None, None, None, None),
    ("Código do produto", "Descrição", "Data", "Quantidade"),
    ("4510156", "AÇÚCAR CRISTAL", datetime(2026, 11, 29), 1234.5),
    ("P-02", "Feijão", datetime(2026, 12, 1), -5),
]


def xlsx(linhas) -> bytes:
    livro = openpyxl.Workbook()
    for linha in linhas:
        livro.active.append(linha)
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()


def celula_ods(valor, repetir=None) -> TableCell:
    extra = {"numbercolumnsrepeated": repetir} if repetir else {}
    if valor is None:
        return TableCell(**extra)
    if isinstance(valor, bool):
        celula = TableCell(valuetype="boolean", booleanvalue=str(valor).lower(), **extra)
    elif isinstance(valor, (int, float)):
        celula = TableCell(valuetype="float", value=valor, **extra)
    elif isinstance(valor, date):
        celula = TableCell(valuetype="date", datevalue=valor.isoformat(), **extra)
    else:
        celula = TableCell(valuetype="string", **extra)
    celula.addElement(P(text=str(valor)))
    return celula


def ods(linhas, fim_libreoffice=True, antes=None) -> bytes:
    """An ods as LibreOffice writes it: every row padded by a repeated empty cell, and the sheet
    closed by an empty row repeated to the format's last row. `antes` rows go first, as given."""
    documento = OpenDocumentSpreadsheet()
    tabela = Table(name="Planilha1")
    for linha in antes or []:
        tabela.addElement(linha)
    for valores in linhas:
        linha = TableRow()
        for valor in valores:
            linha.addElement(celula_ods(valor))
        linha.addElement(TableCell(numbercolumnsrepeated=1020))
        tabela.addElement(linha)
    if fim_libreoffice:
        resto = TableRow(numberrowsrepeated=1_048_576 - len(linhas))
        resto.addElement(TableCell(numbercolumnsrepeated=1024))
        tabela.addElement(resto)
    documento.spreadsheet.addElement(tabela)
    documento.spreadsheet.addElement(Table(name="Outra"))  # only the first sheet is read
    saida = io.BytesIO()
    documento.save(saida)
    return saida.getvalue()


# ---------------------------------------------------------------- each format


def test_xlsx_com_titulo_acima_do_cabecalho():
    assert ler_arquivo(xlsx(LINHAS), "m.xlsx") == ESPERADO


def test_ods_valores_com_tipo_e_fim_repetido_do_libreoffice():
    inicio = time.perf_counter()
    assert ler_arquivo(ods(LINHAS), "m.ods") == ESPERADO
    assert time.perf_counter() - inicio < 1


def test_ods_texto_inteiro_booleano_e_celulas_mescladas():
    documento = OpenDocumentSpreadsheet()
    tabela = Table(name="A")
    cabecalho = TableRow()
    for texto in ("a", "b", "c", "d"):
        cabecalho.addElement(celula_ods(texto))
    tabela.addElement(cabecalho)
    linha = TableRow()
    paragrafo = P(text="dois")
    paragrafo.addElement(S(c=3))
    paragrafo.addElement(Span(text="espaços"))
    celula = TableCell(valuetype="string")
    celula.addElement(paragrafo)
    celula.addElement(P(text="segunda linha"))
    linha.addElement(celula)
    linha.addElement(celula_ods(10))
    linha.addElement(celula_ods(True))
    linha.addElement(CoveredTableCell())
    tabela.addElement(linha)
    repetida = TableRow()
    repetida.addElement(celula_ods("x", repetir=3))
    tabela.addElement(repetida)
    documento.spreadsheet.addElement(tabela)
    saida = io.BytesIO()
    documento.save(saida)
    assert ler_arquivo(saida.getvalue(), "a.ods") == [
        ("a", "b", "c", "d"),
        ("dois   espaços\nsegunda linha", 10, True, None),
        ("x", "x", "x", None),
    ]


def test_xls_fixture_escrito_pelo_excel_97():
    """tests/core/arquivos/exemplo.xls: BIFF8 written by xlwt (no xls writer is a dependency)."""
    conteudo = (ARQUIVOS / "exemplo.xls").read_bytes()
    linhas = ler_arquivo(conteudo, "exemplo.xls")
    assert linhas == [
        ("Movimentações — 29/11/2026", None, None, None, None),
        (None, None, None, None, None),
        ("Código do produto", "Descrição", "Data", "Quantidade", "Ativo"),
        (4510156, "AÇÚCAR CRISTAL", datetime(2026, 11, 29), 1234.5, True),
        ("P-02", "Feijão", datetime(2026, 12, 1), -5, False),
    ]


@pytest.mark.parametrize("codificacao", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("separador", [";", ","])
def test_csv_codificacoes_e_separadores(codificacao, separador):
    texto = f"Código{separador}Descrição{separador}Qtd\n\n4510156{separador}AÇÚCAR{separador}" + (
        '"1.234,5"\n' if separador == "," else "1.234,5\n"
    )
    assert ler_arquivo(texto.encode(codificacao), "m.csv") == [
        ("Código", "Descrição", "Qtd"),
        (None, None, None),
        ("4510156", "AÇÚCAR", "1.234,5"),
    ]


def test_csv_com_titulo_sem_separador_acima_do_cabecalho():
    texto = "Carteira de pedidos — 29/11/2026\n\nPedido;Cód. produto;Qtd saldo\nPED1;P1;1,5\n"
    assert ler_arquivo(texto.encode(), "c.csv") == [
        ("Carteira de pedidos — 29/11/2026", None, None),
        (None, None, None),
        ("Pedido", "Cód. produto", "Qtd saldo"),
        ("PED1", "P1", "1,5"),
    ]


def test_csv_de_uma_coluna_nao_quebra_na_virgula_decimal():
    assert ler_arquivo(b"quantidade\n1,5\n2,5\n", "q.csv") == [("quantidade",), ("1,5",), ("2,5",)]
    assert planilhas.delimitador("quantidade\n1,5\n") == ";"
    assert planilhas.delimitador("a,b\n1;2\n") == ","
    assert planilhas.delimitador("a\tb\n") == "\t"


def test_arquivo_vazio_e_so_linhas_em_branco():
    assert ler_arquivo(b"", "v.csv") == []
    assert ler_arquivo(b"\n;;\n\n", "v.csv") == []
    assert ler_arquivo(xlsx([[None], [None]]), "v.xlsx") == []
    assert ler_arquivo(ods([], fim_libreoffice=True), "v.ods") == []


# ---------------------------------------------------------------- the content decides


@pytest.mark.parametrize(
    ("gerar", "nome"),
    [
        (lambda: xlsx(LINHAS), "m.ods"),
        (lambda: xlsx(LINHAS), "m.xls"),
        (lambda: xlsx(LINHAS), "m.csv"),
        (lambda: ods(LINHAS), "m.xlsx"),
        (lambda: ods(LINHAS), "m"),
        (lambda: (ARQUIVOS / "exemplo.xls").read_bytes(), "m.xlsx"),
    ],
    ids=["xlsx-como-ods", "xlsx-como-xls", "xlsx-como-csv", "ods-como-xlsx", "ods-sem-extensao", "xls-como-xlsx"],
)
def test_extensao_errada_le_pelo_conteudo(gerar, nome):
    linhas = ler_arquivo(gerar(), nome)
    assert linhas[2][0] == "Código do produto" and len(linhas) == 5


def test_csv_salvo_como_xls_e_lido_como_csv():
    """Many systems export text with an .xls name; it is read as the csv it is."""
    assert ler_arquivo("a;b\n1;ç\n".encode("cp1252"), "exportado.xls") == [("a", "b"), ("1", "ç")]


@pytest.mark.parametrize(
    ("conteudo", "nome", "mensagem"),
    [
        (b"", "m.xlsx", "Não foi possível abrir a planilha xlsx: o arquivo está corrompido ou é de outro tipo."),
        (b"\x00\x01\x02" * 50, "m.ods", "Não foi possível abrir a planilha ods"),
        (b"\x00" * 100, "m.csv", "não é uma planilha legível"),
        (b"PK\x03\x04" + b"\x00" * 40, "m.xlsx", "Não foi possível abrir a planilha xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "m.xls", "Não foi possível abrir a planilha xls"),
        (b"<html><table><tr><td>1</td></tr></table></html>", "m.xls", "página HTML ou XML"),
        (b"\xef\xbb\xbf<?xml version='1.0'?><Workbook/>", "m.xls", "página HTML ou XML"),
        ("código".encode() + b"\x81\x8d", "m.csv", "não está em UTF-8 nem em Windows-1252"),
        (b"qualquer", "m.pdf", "Formato de planilha não suportado: “m.pdf”. Use .xlsx, .ods, .xls ou .csv."),
    ],
)
def test_arquivos_ilegiveis_sao_erro_em_portugues(conteudo, nome, mensagem):
    with pytest.raises(ErroPlanilha) as erro:
        ler_arquivo(conteudo, nome)
    assert mensagem in str(erro.value)


def zip_com(membros: dict) -> bytes:
    saida = io.BytesIO()
    with zipfile.ZipFile(saida, "w") as arquivo_zip:
        for nome, dados in membros.items():
            arquivo_zip.writestr(nome, dados)
    return saida.getvalue()


@pytest.mark.parametrize(
    ("conteudo", "mensagem"),
    [
        (zip_com({"leia.txt": "oi"}), "arquivo compactado (zip) que não é uma planilha"),
        (zip_com({"mimetype": "application/vnd.oasis.opendocument.text"}), "não é uma planilha (Calc)"),
        (zip_com({"mimetype": "application/vnd.oasis.opendocument.spreadsheet"}), "não tem conteúdo"),
        (
            zip_com({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<a><b>"}),
            "Não foi possível ler a planilha ods",
        ),
        (
            zip_com(
                {
                    "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
                    "content.xml": '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>',
                }
            ),
            "Não foi possível ler a planilha ods",
        ),
        (zip_com({"[Content_Types].xml": "<x/>"}), "Não foi possível abrir a planilha xlsx"),
    ],
    ids=["zip-qualquer", "odt", "ods-sem-conteudo", "ods-xml-quebrado", "ods-com-dtd", "xlsx-vazio"],
)
def test_zips_que_nao_sao_planilha(conteudo, mensagem):
    with pytest.raises(ErroPlanilha, match=mensagem.replace("(", r"\(").replace(")", r"\)")):
        ler_arquivo(conteudo, "p.ods")


def test_documento_de_texto_do_libreoffice_nomeado_ods():
    documento = OpenDocumentText()
    documento.text.addElement(P(text="não é planilha"))
    saida = io.BytesIO()
    documento.save(saida)
    with pytest.raises(ErroPlanilha, match="não é uma planilha"):
        ler_arquivo(saida.getvalue(), "p.ods")


# ---------------------------------------------------------------- bounds


def test_ods_com_repeticoes_enormes_custa_nada():
    """1,000,000 empty rows repeated in the middle and 16,384 empty cells repeated in every row:
    counted, never built. A row of values repeated a million times stops at the row limit."""
    meio = TableRow(numberrowsrepeated=1_000_000)
    meio.addElement(TableCell(numbercolumnsrepeated=16_384))
    cabecalho = TableRow()
    cabecalho.addElement(celula_ods("a"))
    cabecalho.addElement(celula_ods("b"))
    cabecalho.addElement(TableCell(numbercolumnsrepeated=16_000))
    conteudo = ods([["x", 1]], antes=[cabecalho, meio])
    inicio = time.perf_counter()
    assert ler_arquivo(ods([], antes=[cabecalho, meio]), "vazias.ods") == [("a", "b")]  # trailing: dropped
    assert time.perf_counter() - inicio < 1
    inicio = time.perf_counter()
    with pytest.raises(ErroPlanilha, match="mais de 200.000 linhas"):
        ler_arquivo(conteudo, "bomba.ods")
    assert time.perf_counter() - inicio < 1

    largo = TableRow()
    largo.addElement(celula_ods("a"))
    largo.addElement(TableCell(numbercolumnsrepeated=16_000))
    largo.addElement(celula_ods("b"))
    with pytest.raises(ErroPlanilha, match="colunas demais"):
        ler_arquivo(ods([], antes=[largo]), "largo.ods")

    repetida = TableRow(numberrowsrepeated=1_000_000)
    repetida.addElement(celula_ods("x", repetir=2))
    repetida.addElement(TableCell(numbercolumnsrepeated=16_000))
    inicio = time.perf_counter()
    with pytest.raises(ErroPlanilha, match="mais de 200.000 linhas"):
        ler_arquivo(ods([["a", "b"]], fim_libreoffice=False, antes=[repetida]), "repetida.ods")
    assert time.perf_counter() - inicio < 2


@override_settings(ESTOQUE_PLANILHA_MAX_LINHAS=3)
@pytest.mark.parametrize("formato", ["xlsx", "ods", "csv"])
def test_linhas_de_dados_alem_do_limite_em_todo_formato(formato):
    def gerar(linhas):
        if formato == "xlsx":
            return xlsx(linhas)
        if formato == "ods":
            return ods(linhas)
        return "\n".join(";".join(str(v) for v in linha) for linha in linhas).encode()

    assert len(ler_arquivo(gerar([["a"], [1], [2], [3]]), f"m.{formato}")) == 4
    with pytest.raises(ErroPlanilha, match="mais de 3 linhas"):
        ler_arquivo(gerar([["a"], [1], [2], [3], [4]]), f"m.{formato}")


@override_settings(ESTOQUE_UPLOAD_MAX_BYTES=20_000)
def test_bomba_de_descompactacao_ods_recusada():
    conteudo = ods([["a"], *[["y" * 32_000]] * 20], fim_libreoffice=False)
    assert len(conteudo) < 20_000
    with pytest.raises(ErroPlanilha, match="planilha ods descompactada"):
        ler_arquivo(conteudo, "m.ods")


def test_largura_e_a_das_primeiras_linhas_e_dados_alem_dela_sao_cortados():
    linhas = [["título"], ["a", "b"], [1, 2, 3, 4]] + [[5, 6]] * 25 + [[7, 8, 9]]
    lidas = ler_arquivo(xlsx(linhas), "m.xlsx")
    assert {len(linha) for linha in lidas} == {4}
    assert lidas[-1] == (7, 8, 9, None)
    lidas = ler_arquivo(xlsx([["a", "b"]] + [[1, 2]] * 25 + [[7, 8, 9]]), "m.xlsx")
    assert lidas[-1] == (7, 8)


# ---------------------------------------------------------------- any bytes: rows or ErroPlanilha


def _malformado(base: bytes, data) -> bytes:
    """The bytes of a valid file with a slice replaced, cut or duplicated."""
    inicio = data.draw(st.integers(0, len(base)))
    fim = data.draw(st.integers(inicio, min(len(base), inicio + 200)))
    troca = data.draw(st.binary(max_size=50))
    return base[:inicio] + troca + base[fim:]


BASES = {
    "xlsx": xlsx(LINHAS),
    "ods": ods(LINHAS, fim_libreoffice=False),
    "xls": (ARQUIVOS / "exemplo.xls").read_bytes(),
    "csv": "a;b\nç;1,5\n".encode("cp1252"),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    tipo=st.sampled_from(["aleatorio", *BASES]),
    nome=st.sampled_from(["p.xlsx", "p.ods", "p.xls", "p.csv", "p"]),
)
def test_quaisquer_bytes_dao_linhas_ou_erro_de_planilha(data, tipo, nome):
    if tipo == "aleatorio":
        prefixo = data.draw(st.sampled_from([b"", b"PK\x03\x04", planilhas.ASSINATURA_OLE2]))
        conteudo = prefixo + data.draw(st.binary(max_size=600))
    else:
        conteudo = _malformado(BASES[tipo], data)
    try:
        linhas = ler_arquivo(conteudo, nome)
    except ErroPlanilha as erro:
        assert str(erro) and not isinstance(erro, (KeyError, zipfile.BadZipFile))
        return
    assert isinstance(linhas, list)
    assert len({len(linha) for linha in linhas}) <= 1


def test_colunas_demais_nas_primeiras_linhas_sao_recusadas():
    with pytest.raises(ErroPlanilha, match=r"colunas demais \(501\)"):
        ler_arquivo(xlsx([["título"], [f"c{i}" for i in range(501)]]), "m.xlsx")
    # csv and ods see a value however far right it is
    texto = "título\n" + "a" + ";" * 601 + "longe\n"
    with pytest.raises(ErroPlanilha, match=r"colunas demais \(602\)"):
        ler_arquivo(texto.encode(), "m.csv")


def test_celula_vazia_em_xfd_nao_custa_16384_colunas_por_linha():
    """openpyxl pads a row up to its last cell; the reader asks it for at most 501."""
    livro = openpyxl.Workbook()
    folha = livro.active
    for numero in range(1, 3001):
        folha.cell(numero, 16_384).number_format = "0.00"  # a styled empty cell at XFD
    folha.cell(3001, 1, "a")
    folha.cell(3002, 1, 1)
    saida = io.BytesIO()
    livro.save(saida)
    inicio = time.perf_counter()
    linhas = ler_arquivo(saida.getvalue(), "m.xlsx")
    assert len(linhas) == 3002 and linhas[-2:] == [("a",), (1,)]
    assert time.perf_counter() - inicio < 2
