"""estoque.selectors.disponibilidade (what the ruptura analysis asks of a projection, per order line)
against the projection rule's own functions, over random projections and outflows."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estoque.projecao import DIAS_MAX, projetar, resumo_d7
from estoque.selectors import ler, primeiro_dia_disponivel
from estoque.selectors.disponibilidade import Disponibilidade, carimbos, ler_projecoes

HOJE = date(2026, 3, 10)
qtd = st.decimals(min_value=-500, max_value=500, places=3, allow_nan=False, allow_infinity=False)
dia = st.integers(min_value=-6, max_value=DIAS_MAX + 4).map(lambda k: HOJE + timedelta(days=k))
previstas = st.lists(st.tuples(dia, qtd.map(abs), qtd.map(abs)), max_size=12)
saidas = st.lists(st.tuples(dia, qtd.map(abs)), max_size=5)


@settings(max_examples=300, deadline=None)
@given(saldo=qtd, previstas=previstas, proprias=saidas, quantidades=st.lists(qtd, min_size=1, max_size=4))
def test_igual_a_projetar_sem_as_saidas(saldo, previstas, proprias, quantidades):
    base = Disponibilidade.de(projetar(saldo, previstas, HOJE, DIAS_MAX))
    assert Disponibilidade.projetada(saldo, previstas, HOJE).finais == base.finais
    # The rule: the projection with the outflows taken out is projetar with them as negative outflows.
    esperada = projetar(saldo, previstas + [(d, Decimal(0), -q) for d, q in proprias], HOJE, DIAS_MAX)
    obtida = base.sem_saidas(proprias)
    assert obtida.finais == [d.saldo_final for d in esperada]
    assert obtida.menor_d7 == resumo_d7(esperada)[0]
    # The edges too: each final balance as a quantity (exactly enough on that day).
    for quantidade in quantidades + sorted({d.saldo_final for d in esperada}):
        assert obtida.primeiro_dia(quantidade) == primeiro_dia_disponivel(esperada, quantidade)
        assert base.primeiro_dia_sem(proprias, quantidade) == primeiro_dia_disponivel(esperada, quantidade)


def test_primeiro_dia_nas_bordas():
    projecao = projetar(Decimal(10), [(HOJE + timedelta(days=3), Decimal(0), Decimal(10))], HOJE, DIAS_MAX)
    disponibilidade = Disponibilidade.de(projecao)
    assert disponibilidade.primeiro_dia(Decimal(0)) == HOJE  # zero always fits, from today
    assert disponibilidade.primeiro_dia(Decimal("0.001")) is None  # D3 on is zero: nothing more ever
    assert disponibilidade.sem_saidas([(HOJE + timedelta(days=3), Decimal(10))]).primeiro_dia(Decimal(10)) == HOJE
    # An outflow after the horizon was never in the projection: taking it out changes nothing.
    fora = disponibilidade.sem_saidas([(HOJE + timedelta(days=DIAS_MAX + 1), Decimal(5))])
    assert fora.finais == disponibilidade.finais


@pytest.mark.django_db
def test_ler_projecoes_le_o_mesmo_que_ler():
    from tests import fabricas as f

    for cod in ("A", "B", "C", "D"):
        f.produto(cod)
    f.unificar("D", "B")
    f.movimento("A", 30)
    f.movimento("D", 12)
    f.producao("B", 5, k=2)
    f.pre_separacao("A", 7, k=1, pedido="P")
    f.separacao("D", 3, k=40, pedido="P", lote="L")  # past D28: outside both reads
    hoje = f.hoje()
    codigos = ["A", "B", "C", "X"]  # X: unknown
    esperado, obtido = ler(codigos, hoje), ler_projecoes(codigos, hoje)
    assert obtido.principal_de == esperado.principal_de
    assert obtido.membros == esperado.membros
    assert obtido.estoques == esperado.estoques
    assert {k: sorted(v) for k, v in obtido.previstas.items()} == {k: sorted(v) for k, v in esperado.previstas.items()}
    assert obtido.unificados == esperado.unificados
    assert obtido.membros["B"] == ["B", "D"] and obtido.estoques["B"][0] == 12
    # The whole catalog at once (a snapshot of an analysis): the same rows for these codes.
    todos = ler_projecoes(None, hoje)
    assert todos.principal_de["D"] == "B"
    for cod in ("A", "B", "C"):
        principal = todos.principal_de.get(cod, cod)  # C: no stock row nor group, unknown to it as to ler
        assert principal == esperado.principal_de.get(cod, cod)
        assert todos.membros.get(principal, [principal]) == esperado.membros[principal]
        assert todos.estoques.get(principal, ())[:2] == esperado.estoques.get(principal, ())[:2]
        assert sorted(todos.previstas.get(principal, [])) == sorted(esperado.previstas.get(principal, []))
    assert {p: dados[2] for p, dados in todos.estoques.items()} == carimbos()  # its stamps, as carimbos gives them
    assert carimbos(["A", "B", "X"]) == {p: todos.estoques[p][2] for p in ("A", "B")}
