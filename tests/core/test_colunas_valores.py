"""Header matching (core.colunas) and cell parsing (core.valores), as operators type them."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest

from core import valores
from core.colunas import Cabecalho, Coluna, ErroCabecalho, chave, localizar_cabecalho
from core.colunas import valores as valores_da_linha

COLUNAS = [
    Coluna("cod_produto", "Código do produto", obrigatoria=True, sinonimos=("produto", "codigo")),
    Coluna("qtd_movimentacao", "Quantidade", obrigatoria=True, sinonimos=("qtd",)),
    Coluna("data_movimentacao", "Data"),
    Coluna("observacao", "Observação"),
]


# ---------------------------------------------------------------- chave


def test_chave_ignora_caixa_acento_e_pontuacao():
    assert chave("Código do Produto") == chave("codigo_do_produto") == chave("CÓDIGO DO PRODUTO") == "codigo_do_produto"
    assert chave("  Cód. produto ") == "cod_produto"
    assert chave(None) == ""
    assert chave(12) == "12"


# ---------------------------------------------------------------- localizar_cabecalho


@pytest.mark.parametrize(
    "cabecalho",
    [
        ("cod_produto", "qtd_movimentacao", "data_movimentacao"),
        ("Código do produto", "Quantidade", "Data"),
        ("CÓDIGO DO PRODUTO", "QUANTIDADE", "DATA"),
        ("codigo do produto", "quantidade", "data"),
        ("Produto", "Qtd", "data"),
    ],
    ids=["nome", "rotulo", "maiusculas", "sem-acento", "sinonimos"],
)
def test_cabecalho_por_nome_rotulo_caixa_acento_ou_sinonimo(cabecalho):
    encontrado = localizar_cabecalho([cabecalho, ("P1", 5, None)], COLUNAS)
    assert encontrado == Cabecalho(
        linha=1, indices={"cod_produto": 0, "qtd_movimentacao": 1, "data_movimentacao": 2}, nao_reconhecidas=[]
    )


def test_linhas_de_titulo_acima_do_cabecalho_sao_puladas():
    linhas = [
        ("Movimentações — 29/11/2026", None, None, None),
        ("Período: 01/11/2026 a 29/11/2026", None, None, None),
        (None, None, None, None),
        ("Código do produto", "Descrição", "Quantidade", "Valor"),
        ("P1", "AÇÚCAR", 5, 10),
    ]
    encontrado = localizar_cabecalho(linhas, COLUNAS)
    assert encontrado.linha == 4
    assert encontrado.indices == {"cod_produto": 0, "qtd_movimentacao": 2}
    assert encontrado.nao_reconhecidas == ["Descrição", "Valor"]
    assert valores_da_linha(linhas[4], encontrado) == {"cod_produto": "P1", "qtd_movimentacao": 5}


def test_cabecalho_alem_das_linhas_de_titulo_nao_e_procurado():
    linhas = [("título",)] * 3 + [("cod_produto", "qtd")]
    assert localizar_cabecalho(linhas, COLUNAS, max_linhas_titulo=4).linha == 4
    with pytest.raises(ErroCabecalho):
        localizar_cabecalho(linhas, COLUNAS, max_linhas_titulo=3)


def test_coluna_repetida_fica_a_primeira():
    encontrado = localizar_cabecalho([("produto", "qtd", "Código do produto")], COLUNAS)
    assert encontrado.indices == {"cod_produto": 0, "qtd_movimentacao": 1}
    assert encontrado.nao_reconhecidas == ["Código do produto (repetida)"]


def test_obrigatoria_ausente_nomeia_a_coluna_e_as_nao_reconhecidas():
    linhas = [("Relatório",), ("Cod Prod", "Qtde", "Data"), ("P1", 5, "29/11/2026")]
    with pytest.raises(ErroCabecalho) as erro:
        localizar_cabecalho(linhas, COLUNAS)
    assert str(erro.value) == (
        "Colunas obrigatórias não encontradas: Código do produto (cod_produto), Quantidade (qtd_movimentacao). "
        'Colunas da planilha que não foram reconhecidas: "Cod Prod", "Qtde".'
    )


def test_so_uma_obrigatoria_ausente():
    with pytest.raises(
        ErroCabecalho, match=r"^Colunas obrigatórias não encontradas: Quantidade \(qtd_movimentacao\)\."
    ):
        localizar_cabecalho([("produto", "quantia")], COLUNAS)


def test_planilha_vazia():
    with pytest.raises(ErroCabecalho, match="vazia"):
        localizar_cabecalho([(None, None), ()], COLUNAS)


def test_valores_sem_as_opcionais_ausentes():
    cabecalho = localizar_cabecalho([("qtd", "produto", "observação")], COLUNAS)
    assert valores_da_linha(("5", "P1", None), cabecalho) == {
        "qtd_movimentacao": "5",
        "cod_produto": "P1",
        "observacao": None,
    }
    assert valores_da_linha(("5",), cabecalho) == {"qtd_movimentacao": "5", "cod_produto": None, "observacao": None}


# ---------------------------------------------------------------- valores


@pytest.mark.parametrize(
    ("celula", "esperado"),
    [
        ("1.234,500", Decimal("1234.500")),
        ("2.000", Decimal("2000")),
        ("1.234", Decimal("1234")),
        ("-5", Decimal("-5")),
        ("5,5", Decimal("5.5")),
        ("1.5", Decimal("1.5")),
        ("-1.234.567,25", Decimal("-1234567.25")),
        (" R$ 1.234,50 ", Decimal("1234.50")),
        ("1 234,5", Decimal("1234.5")),
        (10, Decimal("10")),
        (1234.5, Decimal("1234.5")),
        (0.1 + 0.2, Decimal("0.3")),
        (Decimal("7.25"), Decimal("7.25")),
        (None, None),
        ("  ", None),
    ],
)
def test_numero(celula, esperado):
    assert valores.numero(celula) == esperado


@pytest.mark.parametrize(
    ("celula", "mensagem"),
    [
        ("abc", "“abc” não é um número."),
        ("1,2,3", "“1,2,3” não é um número."),
        ("1e3", "“1e3” não é um número."),
        ("NaN", "“NaN” não é um número."),
        (float("inf"), "“inf” não é um número."),
        (True, "“sim” não é um número."),
        ("1,2345", "“1,2345” tem mais de 3 casas decimais."),
        (0.0001, "“0,0001” tem mais de 3 casas decimais."),
        ("9" * 20, f"“{'9' * 20}” é grande demais."),
        ("9" * 100, "é grande demais."),
    ],
)
def test_numero_invalido(celula, mensagem):
    with pytest.raises(ValueError) as erro:
        valores.numero(celula)
    assert mensagem in str(erro.value)


def test_numero_casas():
    assert valores.numero("1,25", casas=2) == Decimal("1.25")
    with pytest.raises(ValueError, match="mais de 2 casas"):
        valores.numero("1,255", casas=2)


def test_inteiro():
    assert valores.inteiro("1.234") == 1234
    assert valores.inteiro(4510156.0) == 4510156
    assert valores.inteiro("-5") == -5
    assert valores.inteiro("") is None
    for celula in ("1,5", "1.5", 2.5, "0,00000000001"):
        with pytest.raises(ValueError, match="não é um número inteiro"):
            valores.inteiro(celula)


@pytest.mark.parametrize(
    ("celula", "esperado"),
    [
        ("29/11/2026", date(2026, 11, 29)),
        ("9/1/2026", date(2026, 1, 9)),
        ("29/11/26", date(2026, 11, 29)),
        ("2026-11-29", date(2026, 11, 29)),
        ("29-11-2026", date(2026, 11, 29)),
        ("29/11/2026 00:00:00", date(2026, 11, 29)),
        ("2026-11-29T00:00:00", date(2026, 11, 29)),
        (datetime(2026, 11, 29, 0, 0), date(2026, 11, 29)),
        (date(2026, 11, 29), date(2026, 11, 29)),
        (None, None),
        ("", None),
    ],
)
def test_data(celula, esperado):
    assert valores.data(celula) == esperado


@pytest.mark.parametrize(
    ("celula", "mensagem"),
    [
        ("31/02/2026", "“31/02/2026” não existe no calendário."),
        ("2026-13-01", "“2026-13-01” não existe no calendário."),
        ("abc", "“abc” não é uma data: use dd/mm/aaaa."),
        ("11/29/2026x", "“11/29/2026x” não é uma data: use dd/mm/aaaa."),
        (46000, "“46000” não é uma data: use dd/mm/aaaa."),
    ],
)
def test_data_invalida(celula, mensagem):
    with pytest.raises(ValueError) as erro:
        valores.data(celula)
    assert str(erro.value) == mensagem


def test_texto_e_codigo():
    assert valores.texto("  AÇÚCAR ") == "AÇÚCAR"
    assert valores.texto(None) == ""
    assert valores.texto(1234.5) == "1234,5"
    with pytest.raises(ValueError, match="controle"):
        valores.texto("A\x00B")
    with pytest.raises(ValueError, match="tem 6 caracteres; o máximo é 5"):
        valores.texto("abcdef", maximo=5)
    assert valores.codigo(4510156.0) == "4510156"
    assert valores.codigo(4510156) == "4510156"
    assert valores.codigo(" P-01 ") == "P-01"
    with pytest.raises(ValueError, match="não é um código"):
        valores.codigo(True)


def test_sim_nao():
    assert [valores.sim_nao(v) for v in ("Sim", "não", "S", "n", "X", 1, 0, True, None, " ")] == [
        True,
        False,
        True,
        False,
        True,
        True,
        False,
        True,
        None,
        None,
    ]
    with pytest.raises(ValueError, match="“talvez” não é sim/não."):
        valores.sim_nao("talvez")


def test_escolha():
    opcoes = [("ENTRADA", "Entrada"), ("SAIDA", "Saída"), ("AJUSTE", "Ajuste de inventário")]
    assert valores.escolha("saída", opcoes) == "SAIDA"
    assert valores.escolha("SAIDA", opcoes) == "SAIDA"
    assert valores.escolha("ajuste de inventario", opcoes) == "AJUSTE"
    assert valores.escolha(None, opcoes) == ""
    with pytest.raises(ValueError) as erro:
        valores.escolha("Devolução", iter(opcoes))
    assert str(erro.value) == "“Devolução” não é uma opção válida: use ENTRADA, SAIDA ou AJUSTE."


@pytest.mark.parametrize(
    ("celula", "esperado"),
    [
        (None, ""),
        (4263755.0, "4263755"),
        (4263755, "4263755"),
        (1234.5, "1234,5"),
        (-2.5, "-2,5"),
        (1e-7, "0,0000001"),
        (Decimal("-5.000"), "-5"),
        (Decimal("-2.500"), "-2,5"),
        (datetime(2026, 11, 29), "29/11/2026"),
        (datetime(2026, 11, 29, 13, 45), "29/11/2026 13:45"),
        (date(2026, 11, 29), "29/11/2026"),
        (time(7, 5), "07:05"),
        (True, "sim"),
        ("  texto como está ", "  texto como está "),
    ],
)
def test_como_digitado(celula, esperado):
    assert valores.como_digitado(celula) == esperado
