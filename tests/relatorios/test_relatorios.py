"""The five Excel workbooks, opened with openpyxl and checked against a hand-built scenario.

PED1/P1: 1.000 in the carteira at R$ 10,00, two pending pré-separações (200 on D+2, 100 on
D+10), one pending separação (300 on D+1): net 400. Beside them, rows that must stay out
of the net: a pré-separação already sent (ENVIADO_SEPARACAO) and an invoiced separação.
"""

from datetime import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from core.periodo import Periodo
from relatorios import excel, exportacoes
from tests import fabricas as f

pytestmark = pytest.mark.django_db

CABECALHO = excel.LINHA_CABECALHO


@pytest.fixture
def cenario():
    f.produto("P1", "AZEITONA VERDE 500G", palletizacao="100", peso_bruto="1.5")
    f.produto("P2", "MOLHO DE TOMATE 340G", palletizacao="50", peso_bruto="0.4")
    f.unificar("P1-ANTIGO", "P1")
    f.movimento("P1", 500)
    f.movimento("P2", 80)
    f.producao("P2", 40, k=3)
    cliente = {
        "cnpj_cpf": "12.345.678/0001-90",
        "raz_social": "SUPERMERCADO BOM PRECO LTDA",
        "raz_social_red": "BOM PRECO",
        "municipio": "Campinas",
        "estado": "SP",
        "vendedor": "ANA",
        "equipe_vendas": "INTERIOR",
    }
    f.linha_carteira(
        "PED1",
        "P1",
        1000,
        preco="10.00",
        data_pedido=f.dia(-5),
        observ_ped_1='=HYPERLINK("x")',
        pedido_cliente="+5511",
        rua_endereco_ent="RUA A",
        **cliente,
    )
    f.linha_carteira("PED1", "P2", 60, preco="4.50", data_pedido=f.dia(-5), **cliente)
    f.linha_carteira(
        "PED2", "P2", 30, preco="4.00", data_pedido=f.dia(-40), raz_social="@SOMA", raz_social_red="-OUTRO"
    )
    f.pre_separacao("P1", 200, k=2, pedido="PED1")
    f.pre_separacao("P1", 100, k=10, pedido="PED1", status="RECOMPOSTO")
    f.pre_separacao("P1", 50, k=1, pedido="PED1", status="ENVIADO_SEPARACAO")
    f.separacao("P1", 300, k=1, lote="LOTE1", pedido="PED1")
    f.separacao("P1", 70, k=-10, lote="LOTE0", pedido="PED1", status="FATURADO", numero_nf="123")
    f.separacao("P2", 30, k=-2, lote="LOTE2", pedido="PED2", status="COTADO")


def abrir(exportacao):
    conteudo = exportacao.arquivo.read()
    exportacao.arquivo.close()
    return load_workbook(BytesIO(conteudo))


def cabecalho(ws):
    return [c.value for c in ws[CABECALHO]]


def linhas(ws):
    """Data rows as dicts keyed by header."""
    nomes = cabecalho(ws)
    return [dict(zip(nomes, (c.value for c in row))) for row in ws.iter_rows(min_row=CABECALHO + 1)]


def gerar(chave, de=None, ate=None):
    return abrir(exportacoes.gerar(chave, Periodo(de, ate)))


def assert_estrutura(ws, titulo_periodo=None):
    assert ws.freeze_panes == f"A{CABECALHO + 1}"
    assert ws.auto_filter.ref == f"A{CABECALHO}:{ws.cell(CABECALHO, ws.max_column).column_letter}{ws.max_row}"
    assert ws["A3"].value.startswith("Gerado em ")
    if titulo_periodo:
        assert titulo_periodo in ws["A2"].value
    for celula in ws[CABECALHO]:
        assert celula.font.bold
        assert ws.column_dimensions[celula.column_letter].width >= 5


# ---------------------------------------------------------------- carteira detalhada


def test_detalhada_linha_do_pedido_com_valores_brutos_e_liquidos(cenario):
    ws = gerar("carteira-detalhada")["Carteira detalhada"]
    assert_estrutura(ws, "sem filtro de data")
    dados = linhas(ws)
    assert [(d["Tipo"], d["Pedido"], d["Cód. produto"]) for d in dados] == [
        ("Pedido", "PED1", "P1"),
        ("Pré-separação", "PED1", "P1"),
        ("Pré-separação", "PED1", "P1"),
        ("Separação", "PED1", "P1"),
        ("Pedido", "PED1", "P2"),
        ("Pedido", "PED2", "P2"),
        ("Separação", "PED2", "P2"),
    ]
    pedido = dados[0]
    assert pedido["Pedido: qtd"] == 1000
    assert pedido["Pedido: valor"] == 10000
    assert pedido["Pedido: peso (kg)"] == 1500
    assert pedido["Pedido: pallets"] == 10
    assert pedido["Saldo: qtd"] == 400  # 1000 - 200 - 100 (pré) - 300 (separação)
    assert pedido["Saldo: valor"] == 4000
    assert pedido["Saldo: peso (kg)"] == 600
    assert pedido["Saldo: pallets"] == 4
    assert pedido["Status"] is None  # status_pedido empty in the carteira
    assert pedido["Produto"] == "AZEITONA VERDE 500G"


def test_detalhada_filhas_sem_buracos_e_na_coluna_certa(cenario):
    dados = linhas(gerar("carteira-detalhada")["Carteira detalhada"])
    pre1, pre2, sep = dados[1:4]
    for filha in (pre1, pre2, sep):
        # every row reads alone: order, customer and product repeated
        assert filha["Pedido"] == "PED1"
        assert filha["Razão social"] == "SUPERMERCADO BOM PRECO LTDA"
        assert filha["CNPJ/CPF"] == "12.345.678/0001-90"
        assert filha["Município"] == "Campinas"
        assert filha["Produto"] == "AZEITONA VERDE 500G"
        assert filha["Preço unitário"] == 10
        # the order's own quantities only on the order row (a column sum never double counts)
        assert filha["Pedido: qtd"] is None and filha["Qtd pedida"] is None
    assert (pre1["Saldo: qtd"], pre1["Saldo: valor"], pre1["Saldo: peso (kg)"], pre1["Saldo: pallets"]) == (
        200,
        2000,
        300,
        2,
    )
    assert pre1["Expedição"].date() == f.dia(2) and pre1["Status"] == "CRIADO"
    assert (pre2["Saldo: qtd"], pre2["Status"], pre2["Expedição"].date()) == (100, "RECOMPOSTO", f.dia(10))
    assert (sep["Saldo: qtd"], sep["Saldo: valor"], sep["Saldo: pallets"]) == (300, 3000, 3)
    assert sep["Lote"] == "LOTE1" and sep["Status"] == "ABERTO" and sep["Expedição"].date() == f.dia(1)
    # the net on the order row plus its detail rows is the carteira balance
    assert dados[0]["Saldo: qtd"] + sum(d["Saldo: qtd"] for d in (pre1, pre2, sep)) == dados[0]["Pedido: qtd"]


def test_detalhada_niveis_de_estrutura_e_estilos(cenario):
    ws = gerar("carteira-detalhada")["Carteira detalhada"]
    assert ws.sheet_properties.outlinePr.summaryBelow is False
    niveis = [ws.row_dimensions[r].outlineLevel for r in range(CABECALHO + 1, ws.max_row + 1)]
    assert niveis == [0, 1, 1, 1, 0, 0, 1]
    fundos = {ws.cell(r, 1).value: ws.cell(r, 1).fill.fgColor.rgb for r in range(CABECALHO + 1, ws.max_row + 1)}
    assert len(set(fundos.values())) == 3  # order, pré-separação and separação rows look different
    assert ws.cell(CABECALHO + 1, 1).font.bold
    # the whole row is coloured by conditional formatting on the Tipo column
    regras = {
        regra.formula[0]: regra.dxf.fill.fgColor.rgb for faixa in ws.conditional_formatting for regra in faixa.rules
    }
    inicio = CABECALHO + 1
    assert set(regras) == {f'$A{inicio}="Pedido"', f'$A{inicio}="Pré-separação"', f'$A{inicio}="Separação"'}
    assert len(set(regras.values())) == 3
    faixas = [str(faixa.sqref) for faixa in ws.conditional_formatting]
    assert faixas == [f"A{inicio}:AJ{ws.max_row}"]


def test_detalhada_formatos_numericos_e_datas(cenario):
    ws = gerar("carteira-detalhada")["Carteira detalhada"]
    nomes = cabecalho(ws)
    linha = CABECALHO + 1
    qtd = ws.cell(linha, nomes.index("Saldo: qtd") + 1)
    assert isinstance(qtd.value, (int, float)) and qtd.number_format == excel.FORMATO_QTD
    assert ws.cell(linha, nomes.index("Saldo: valor") + 1).number_format == excel.FORMATO_VALOR
    data = ws.cell(linha, nomes.index("Data pedido") + 1)
    assert isinstance(data.value, datetime) and data.value.date() == f.dia(-5)
    assert data.number_format == excel.FORMATO_DATA
    assert ws.cell(linha, nomes.index("Criado em") + 1).number_format == excel.FORMATO_DATAHORA


def test_detalhada_filtra_pela_data_do_pedido(cenario):
    ws = gerar("carteira-detalhada", de=f.dia(-10), ate=f.dia(0))["Carteira detalhada"]
    assert ws["A2"].value == (f"Período (data do pedido): de {f.dia(-10):%d/%m/%Y} até {f.dia(0):%d/%m/%Y}")
    dados = linhas(ws)
    assert {d["Pedido"] for d in dados} == {"PED1"}  # PED2 is from D-40
    assert len([d for d in dados if d["Tipo"] != "Pedido"]) == 3  # the line keeps all its pending rows


def test_formulas_neutralizadas(cenario):
    ws = gerar("carteira-detalhada")["Carteira detalhada"]
    dados = linhas(ws)
    assert dados[0]["Observação"] == '\'=HYPERLINK("x")'
    assert dados[0]["Pedido cliente"] == "'+5511"
    ped2 = [d for d in dados if d["Pedido"] == "PED2"][0]
    assert ped2["Razão social"] == "'@SOMA"
    assert ped2["Cliente (reduzido)"] == "'-OUTRO"
    for row in ws.iter_rows(min_row=CABECALHO + 1):
        for celula in row:
            assert celula.data_type != "f"


def test_neutralizar():
    assert excel.neutralizar("=1+1") == "'=1+1"
    assert excel.neutralizar("+55") == "'+55"
    assert excel.neutralizar("-5 caixas") == "'-5 caixas"
    assert excel.neutralizar("@x") == "'@x"
    assert excel.neutralizar("\t=x") == "'\t=x"
    assert excel.neutralizar("PED-1") == "PED-1"
    assert excel.neutralizar("linha\x0bquebrada") == "linhaquebrada"  # XML cannot hold it


# ---------------------------------------------------------------- pré-separações, separações, carteira


def test_pre_separacoes_so_criado_e_recomposto(cenario):
    ws = gerar("pre-separacoes")["Pré-separações"]
    assert_estrutura(ws, "data de expedição")
    dados = linhas(ws)
    assert sorted((d["Status"], d["Qtd"]) for d in dados) == [("CRIADO", 200), ("RECOMPOSTO", 100)]
    pre = [d for d in dados if d["Qtd"] == 200][0]
    assert (pre["Valor"], pre["Peso (kg)"], pre["Pallets"]) == (2000, 300, 2)
    assert pre["Cliente (reduzido)"] == "BOM PRECO" and pre["Produto"] == "AZEITONA VERDE 500G"


def test_pre_separacoes_filtradas_pela_expedicao(cenario):
    dados = linhas(gerar("pre-separacoes", de=f.dia(1), ate=f.dia(5))["Pré-separações"])
    assert [d["Qtd"] for d in dados] == [200]
    dados = linhas(gerar("pre-separacoes", de=f.dia(3))["Pré-separações"])
    assert [d["Qtd"] for d in dados] == [100]


def test_separacoes_com_status_do_pedido(cenario):
    ws = gerar("separacoes")["Separações"]
    assert_estrutura(ws)
    dados = {d["Lote"]: d for d in linhas(ws)}
    assert set(dados) == {"LOTE0", "LOTE1", "LOTE2"}  # every separação, invoiced too
    assert dados["LOTE0"]["Status do pedido"] == "FATURADO" and dados["LOTE0"]["NF"] == "123"
    assert dados["LOTE1"]["Status do pedido"] == "ABERTO"
    assert dados["LOTE2"]["Status do pedido"] == "COTADO"
    assert (dados["LOTE1"]["Qtd"], dados["LOTE1"]["Peso (kg)"], dados["LOTE1"]["Pallets"]) == (300, 450, 3)
    assert dados["LOTE2"]["Cliente (reduzido)"] == "'-OUTRO"


def test_separacoes_filtradas_pela_expedicao(cenario):
    dados = linhas(gerar("separacoes", de=f.dia(-3), ate=f.dia(1))["Separações"])
    assert sorted(d["Lote"] for d in dados) == ["LOTE1", "LOTE2"]
    dados = linhas(gerar("separacoes", ate=f.dia(-5))["Separações"])
    assert [d["Lote"] for d in dados] == ["LOTE0"]


def test_carteira_com_endereco_e_filtro_pela_data_do_pedido(cenario):
    ws = gerar("carteira")["Carteira"]
    assert_estrutura(ws)
    dados = linhas(ws)
    assert [(d["Pedido"], d["Cód. produto"]) for d in dados] == [("PED1", "P1"), ("PED1", "P2"), ("PED2", "P2")]
    p1 = dados[0]
    assert (p1["Qtd saldo"], p1["Valor saldo"], p1["Peso saldo (kg)"], p1["Pallets saldo"]) == (1000, 10000, 1500, 10)
    assert p1["Rua entrega"] == "RUA A"
    filtrada = linhas(gerar("carteira", de=f.dia(-50), ate=f.dia(-30))["Carteira"])
    assert [d["Pedido"] for d in filtrada] == ["PED2"]


def test_exportacao_sem_linhas_tem_cabecalho_e_filtro(db):
    ws = gerar("carteira-detalhada")["Carteira detalhada"]
    assert ws.max_row == CABECALHO
    assert ws.auto_filter.ref.endswith(str(CABECALHO))


def test_consultas_nao_crescem_com_as_linhas(cenario, django_assert_max_num_queries):
    for k in range(30):
        f.linha_carteira(f"PEDX{k}", "P2", 5, data_pedido=f.dia(-1))
        f.pre_separacao("P2", 1, k=3, pedido=f"PEDX{k}")
    with django_assert_max_num_queries(8):
        exportacoes.gerar("carteira-detalhada").arquivo.close()
    with django_assert_max_num_queries(8):
        exportacoes.gerar("pre-separacoes").arquivo.close()


def test_nome_do_arquivo_com_a_data(cenario):
    exportacao = exportacoes.gerar("carteira-detalhada")
    exportacao.arquivo.close()
    assert exportacao.nome_arquivo == f"carteira_detalhada_{f.hoje():%Y-%m-%d}.xlsx"
    assert exportacao.linhas == 7


# ---------------------------------------------------------------- production workbook


def test_producao_duas_abas_do_tempo_real(cenario):
    livro = gerar("producao")
    assert livro.sheetnames == ["Estoque", "Movimentações Previstas"]
    estoque = livro["Estoque"]
    assert_estrutura(estoque, "sem filtro de data")
    produtos = {d["Código"]: d for d in linhas(estoque)}
    assert set(produtos) == {"P1", "P2"}  # principal codes only (P1-ANTIGO is P1)
    p1 = produtos["P1"]
    assert p1["Códigos unificados"] == "P1, P1-ANTIGO"
    assert p1["Saldo atual"] == 500
    # outflows: 300 on D+1, 200 on D+2, 100 on D+10: 0 at D+2, -100 at D+10
    assert p1["Menor estoque D+7"] == 0 and p1["Dia de ruptura"] is None
    assert p1["Status"] == "ATENÇÃO"
    assert (p1["Peso bruto (kg)"], p1["Palletização"]) == (1.5, 100)
    assert produtos["P2"]["Códigos unificados"] is None
    assert estoque.cell(CABECALHO + 1, 4).number_format == excel.FORMATO_QTD

    previstas = livro["Movimentações Previstas"]
    assert_estrutura(previstas)
    movimentos = [
        (d["Código"], d["Data"].date(), d["Entrada prevista"], d["Saída prevista"], d["Saldo projetado"])
        for d in linhas(previstas)
    ]
    assert movimentos == [
        ("P1", f.dia(1), 0, 300, 200),
        ("P1", f.dia(2), 0, 200, 0),
        ("P1", f.dia(10), 0, 100, -100),
        ("P2", f.dia(-2), 0, 30, 50),  # overdue separação: counts on D0
        ("P2", f.dia(3), 40, 0, 90),
    ]
    atrasada = linhas(previstas)[3]
    assert atrasada["D+"] == -2 and "atrasada" in atrasada["Observação"]


def test_producao_status_critico(db):
    f.produto("X1")
    f.movimento("X1", 10)
    f.separacao("X1", 25, k=3, lote="LX", pedido="PX")
    dados = linhas(gerar("producao")["Estoque"])
    assert dados[0]["Status"] == "CRÍTICO"
    assert dados[0]["Dia de ruptura"].date() == f.dia(3)
    assert dados[0]["Menor estoque D+7"] == -15


@pytest.mark.django_db(transaction=True)
def test_leitura_fora_de_transacao_usa_um_retrato(cenario):
    """Outside a test transaction the PostgreSQL path (REPEATABLE READ, READ ONLY) runs for real."""
    dados = linhas(gerar("carteira-detalhada")["Carteira detalhada"])
    assert dados[0]["Saldo: qtd"] == 400


def test_medidas():
    cadastro = exportacoes.selectors.Cadastro("X", Decimal("0.385"), Decimal("96"), "")
    assert exportacoes.medidas(Decimal("10"), Decimal("2.345"), cadastro) == (
        Decimal("23.45"),
        Decimal("3.850"),
        Decimal("0.104"),
    )
    assert exportacoes.medidas(Decimal("10"), None, None) == (None, None, None)


# ---------------------------------------------------------------- horizons


def test_projecao_nunca_alem_de_d28():
    from estoque.projecao import DIAS_MAX, projetar

    assert len(projetar(Decimal("1"), [], f.hoje(), DIAS_MAX)) == DIAS_MAX + 1
    with pytest.raises(ValueError, match="D0 a D28"):
        projetar(Decimal("1"), [], f.hoje(), DIAS_MAX + 1)


def test_producao_com_previsao_distante_projeta_so_ate_d28(db):
    """Forecasts years ahead (written before the date window, or through the ORM) are listed,
    outside the projection, and do not make the report walk every day up to them."""
    from datetime import date

    from producao.models import ProgramacaoProducao

    f.produto("X1")
    f.movimento("X1", 10)
    f.producao("X1", 5, k=3)
    ProgramacaoProducao.objects.create(cod_produto="X1", qtd_programada=7, data_programacao=date(9999, 12, 31))
    livro = gerar("producao")
    movimentos = [
        (d["Data"].date(), d["Saldo projetado"], d["Observação"]) for d in linhas(livro["Movimentações Previstas"])
    ]
    assert movimentos == [(f.dia(3), 15, None), (date(9999, 12, 31), None, "depois de D+28: fora da projeção")]
    assert linhas(livro["Estoque"])[0]["Status"] == "OK"
