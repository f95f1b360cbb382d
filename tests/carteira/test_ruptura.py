"""Per-order stock-out analysis (issue 7): hand-built scenarios."""

from decimal import Decimal

import pytest
from django.utils import timezone

from carteira.ruptura.analise import Instantaneo, analisar_pedido, analisar_pedidos, criticidade
from tests import fabricas as f

pytestmark = pytest.mark.django_db
D = Decimal


def test_falha_09_separacao_do_proprio_pedido_nao_conta_duas_vezes():
    f.movimento("R1", 100)
    f.linha_carteira("PX", "R1", 80)
    f.separacao("R1", 80, k=1, pedido="PX")  # the order's own allocation: already in the projection
    f.pre_separacao("R1", 10, k=2, pedido="OUTRO")  # someone else's: counts
    analise = analisar_pedido("PX")
    assert analise.pedido_ok is True
    linha = analise.linhas[0]
    assert linha.disponivel_em == f.hoje()
    assert linha.menor_estoque_d7 == 90  # 100 - 10 of the other order, not - 80 again
    assert analise.percentual_disponibilidade == 100
    assert analise.criticidade == "BAIXA"


def test_pedido_disponivel_so_depois_da_producao_e_nomeia_a_producao():
    f.movimento("R2", 20)
    f.linha_carteira("PY", "R2", 50, preco="2.00")
    f.producao("R2", 40, k=3)
    analise = analisar_pedido("PY")
    linha = analise.linhas[0]
    assert analise.pedido_ok is False
    assert linha.disponivel_em == f.dia(3)
    assert [(p.data, p.qtd_programada) for p in linha.producao] == [(f.dia(3), D(40))]
    assert analise.data_disponibilidade_total == f.dia(3)
    assert analise.percentual_disponibilidade == 0
    assert analise.criticidade == "CRITICA"


def test_producao_dentro_do_d7_nao_e_somada_de_novo():
    f.movimento("R3", 10)
    f.producao("R3", 30, k=1)
    f.linha_carteira("PZ", "R3", 45)
    analise = analisar_pedido("PZ")
    assert analise.linhas[0].disponivel_em is None  # 10 + 30 < 45: production counted once
    assert analise.data_disponibilidade_total is None


def test_outra_saida_futura_impede_enviar_hoje():
    f.movimento("R4", 100)
    f.linha_carteira("PW", "R4", 60)
    f.separacao("R4", 50, k=5, pedido="OUTRO", lote="LX")
    # Shipping 60 today would break the 50 committed on D5 (100 - 60 - 50 < 0).
    assert analisar_pedido("PW").linhas[0].disponivel_em is None
    f.producao("R4", 20, k=8)  # from D8 on the balance is 70: enough for 60 without breaking anything
    assert analisar_pedido("PW").linhas[0].disponivel_em == f.dia(8)


def test_codigos_unificados_do_mesmo_pedido_sao_julgados_juntos():
    f.movimento("U1", 60)
    f.unificar("U1-B", "U1")
    f.linha_carteira("PU", "U1", 40)
    f.linha_carteira("PU", "U1-B", 40)
    analise = analisar_pedido("PU")
    assert [linha.cod_principal for linha in analise.linhas] == ["U1", "U1"]
    assert all(linha.disponivel_em is None for linha in analise.linhas)  # 80 needed, 60 in stock


@pytest.mark.parametrize(
    "percentual,linhas,esperado",
    [
        (D(60), 1, "CRITICA"),
        (D(0), 5, "CRITICA"),
        (D(30), 1, "ALTA"),
        (D(0), 3, "ALTA"),
        (D(12), 1, "MEDIA"),
        (D(0), 2, "MEDIA"),
        (D(5), 1, "BAIXA"),
        (D(0), 0, "BAIXA"),
    ],
)
def test_regra_de_criticidade(percentual, linhas, esperado):
    assert criticidade(percentual, linhas) == esperado


def test_cada_nivel_de_criticidade_e_alcancado_por_um_pedido():
    # Ten lines of 10 each, same value; the first `faltando` are products with no stock at all.
    for i in range(10):
        f.movimento(f"K{i}", 1000)
    cenarios = {"P-BAIXA": 0, "P-MEDIA": 2, "P-ALTA": 3, "P-CRITICA": 6}
    for pedido, faltando in cenarios.items():
        for i in range(10):
            f.linha_carteira(pedido, f"SEM{i}" if i < faltando else f"K{i}", 10)
    resultado = analisar_pedidos(list(cenarios))
    assert {num: a.criticidade for num, a in resultado.items()} == {
        "P-BAIXA": "BAIXA",
        "P-MEDIA": "MEDIA",
        "P-ALTA": "ALTA",
        "P-CRITICA": "CRITICA",
    }
    assert resultado["P-BAIXA"].pedido_ok is True


def test_numero_de_consultas_nao_cresce_com_os_pedidos(django_assert_max_num_queries):
    for i in range(30):
        f.movimento(f"Q{i}", 10)
        f.linha_carteira(f"PQ{i}", f"Q{i}", 5)
        f.separacao(f"Q{i}", 1, k=2, pedido=f"PQ{i}", lote=f"LQ{i}")
    with django_assert_max_num_queries(10):
        resultado = analisar_pedidos()
    assert len(resultado) == 30


def test_instantaneo_le_de_novo_o_que_mudou_depois_dele():
    """A snapshot of the catalog (one per analysis and worker) judges on the stock as it is when the
    lot runs: products written after it are read again; the others come from it."""
    for cod in ("S1", "S2", "S3"):
        f.produto(cod)
    f.movimento("S1", 10)
    f.movimento("S2", 10)
    f.linha_carteira("PS", "S1", 8)
    f.linha_carteira("PS", "S2", 8)
    f.linha_carteira("PS", "S3", 1)
    instantaneo = Instantaneo(timezone.localdate())
    assert analisar_pedidos(["PS"], instantaneo=instantaneo)["PS"].pedido_ok is False  # S3: nothing
    f.movimento("S1", -5)  # after the snapshot: 5 left, 8 asked
    f.movimento("S3", 4)
    f.pre_separacao("S2", 6, k=0, pedido="OUTRO")  # someone else's: 4 left
    f.producao("S2", 10, k=2)
    f.pre_separacao("S3", 1, k=1, pedido="PS")  # the order's own, after the snapshot: taken back out
    obtida = analisar_pedidos(["PS"], instantaneo=instantaneo)["PS"]
    assert obtida.como_dict() == analisar_pedidos(["PS"])["PS"].como_dict()
    linhas = {linha.cod_produto: linha for linha in obtida.linhas}
    assert (linhas["S1"].estoque_atual, linhas["S1"].disponivel_em) == (5, None)
    assert linhas["S2"].disponivel_em == f.dia(2) and [p.qtd_programada for p in linhas["S2"].producao] == [10]
    assert linhas["S3"].disponivel_hoje is True


def test_producao_de_um_membro_do_grupo_resolve_a_linha_do_principal():
    """A member's production counts in its principal's projection, so it names what resolves
    the principal's line even when no line of the order is that member."""
    f.produto("UB")
    f.produto("UD")
    f.unificar("UD", "UB")
    f.linha_carteira("PU", "UB", 5)
    f.producao("UD", 5, k=2)
    linha = analisar_pedido("PU").linhas[0]
    assert linha.disponivel_em == f.dia(2)
    assert [(p.cod_produto, p.qtd_programada) for p in linha.producao] == [("UD", D(5))]
