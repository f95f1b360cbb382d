"""The rows behind each projection day (the product page's composição) add up to the derived tables.

For every product of the demo data set, every day D0..D28: the production rows of the day sum
to its entrada and the pré-separação and separação rows to its saída, as the projection built
from MovimentacaoPrevista says. Also the set-based "em carteira" equals the per-line rule.
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from carteira.models import CarteiraPrincipal
from carteira.selectors import nao_alocado_por_produto, saldo_livre
from demo import gerador as demo
from estoque import registro
from estoque.models import EstoqueTempoReal
from estoque.projecao import DIAS_MAX, resumir
from estoque.selectors import estoques
from estoque.selectors.detalhe import composicao
from tests import fabricas as f

pytestmark = pytest.mark.django_db

ZERO = Decimal("0")


class TodasAsPermissoes(AnonymousUser):
    def has_perm(self, perm, obj=None):
        return True


def somas_por_dia(comp) -> list[tuple[Decimal, Decimal]]:
    tipos = {origem.chave: origem.tipo for origem in comp.origens}
    somas = []
    for dia in comp.dias:
        entrada = saida = ZERO
        for origem, itens in dia.itens.items():
            total = sum((item.qtd for item in itens), ZERO)
            if tipos[origem] == registro.ENTRADA:
                entrada += total
            else:
                saida += total
        somas.append((entrada, saida))
    return somas


def conferir_todos_os_produtos():
    hoje = timezone.localdate()
    usuario = TodasAsPermissoes()
    principais = sorted(EstoqueTempoReal.objects.values_list("cod_produto", flat=True))
    assert principais
    produtos, _ = estoques(principais, hoje)
    divergencias = []
    com_linhas = 0
    for cod, produto in produtos.items():
        comp = composicao(produto, usuario, DIAS_MAX, hoje)
        esperado = [(dia.entrada, dia.saida) for dia in produto.projecao]
        obtido = somas_por_dia(comp)
        if obtido != esperado:
            divergencias.append((cod, [(k, e, o) for k, (e, o) in enumerate(zip(esperado, obtido)) if e != o]))
        com_linhas += any(dia.total_itens for dia in comp.dias)
    assert divergencias == []
    return len(produtos), com_linhas


@pytest.mark.postgres
def test_composicao_igual_as_tabelas_derivadas_em_todo_produto_da_demo():
    demo.gerar(0.05)
    produtos, com_linhas = conferir_todos_os_produtos()
    assert produtos >= 20 and com_linhas >= 10  # the check ran over real rows
    # the stored summary (what the list sorts and filters on) is the projection's
    hoje = timezone.localdate()
    guardados = {
        e.cod_produto: (e.menor_estoque_d28, e.dia_ruptura_d28, e.status) for e in EstoqueTempoReal.objects.all()
    }
    produtos_lidos, _ = estoques(list(guardados), hoje)
    for cod, produto in produtos_lidos.items():
        resumo = resumir(produto.projecao)
        assert guardados[cod] == (resumo.menor_estoque_d28, resumo.dia_ruptura_d28, resumo.status), cod


def test_composicao_com_atrasadas_producao_passada_e_grupo():
    f.produto("A")
    f.unificar("A2", "A")
    f.movimento("A", 50)
    f.producao("A", 5, k=-2)  # before today: no count
    f.producao("A2", 6, k=0)
    f.producao("A", 7, k=28)
    f.producao("A", 9, k=29)  # beyond D28
    f.pre_separacao("A2", 3, k=-1, pedido="P1")  # overdue: D0
    f.pre_separacao("A", 4, k=2, status="ENVIADO_SEPARACAO")  # does not count
    f.separacao("A", 8, k=-5, lote="L1")  # overdue: D0
    f.separacao("A2", 2, lote="L2", expedicao=False)  # no ship date: its creation day (today)
    f.separacao("A", 100, k=1, lote="L3", status="FATURADO")  # invoiced: no count
    produtos, com_linhas = conferir_todos_os_produtos()
    assert produtos == 1 and com_linhas == 1
    produto = estoques(["A2"])[0]["A2"]
    comp = composicao(produto, TodasAsPermissoes())
    d0 = comp.dias[0]
    assert [i.qtd for i in d0.itens["producao"]] == [6]
    assert sorted((i.qtd, i.atrasada) for i in d0.itens["pre_separacao"]) == [(3, True)]
    assert sorted((i.qtd, i.atrasada) for i in d0.itens["separacao"]) == [(2, False), (8, True)]
    assert [i.qtd for i in comp.dias[28].itens["producao"]] == [7]


@pytest.mark.parametrize("demo_escala", [0.05])
def test_em_carteira_em_conjunto_igual_a_regra_por_linha(demo_escala):
    demo.gerar(demo_escala)
    por_linha: dict[str, Decimal] = {}
    linhas = CarteiraPrincipal.objects.abertas()
    for linha in linhas:
        livre = saldo_livre(linha)
        por_linha[linha.cod_produto] = por_linha.get(linha.cod_produto, ZERO) + max(livre, ZERO)
    em_conjunto = nao_alocado_por_produto()
    assert em_conjunto == por_linha
    assert any(total > 0 for total in por_linha.values())
    anotado = {}
    for linha in linhas.com_saldo_livre():
        anotado[linha.cod_produto] = anotado.get(linha.cod_produto, ZERO) + max(linha.qtd_livre, ZERO)
    assert anotado == por_linha
    alguns = sorted(por_linha)[:7]
    assert nao_alocado_por_produto(alguns) == {cod: por_linha[cod] for cod in alguns}


def test_reconciliacao_corrige_o_resumo_d28_guardado():
    """The stored summary (status, ruptura day, disponível) is verified and mended like D+7."""
    from estoque.models import ReparoEstoque
    from estoque.services.reconciliacao import reconciliar
    from tests.oracle import diferencas_com_derivados

    f.movimento("Z", 5)
    f.pre_separacao("Z", 10, k=12)  # ATENÇÃO: below zero on D12
    assert EstoqueTempoReal.objects.get(cod_produto="Z").status == "ATENCAO"
    EstoqueTempoReal.objects.filter(cod_produto="Z").update(status="OK", dia_ruptura_d28=None, menor_estoque_d28=5)
    assert diferencas_com_derivados() != []  # the oracle sees the drift
    _, encontrados = reconciliar(produtos=["Z"])
    assert {campo for campo, _, _ in encontrados["Z"]} == {"status", "dia_ruptura_d28", "menor_estoque_d28"}
    assert set(ReparoEstoque.objects.values_list("campo", flat=True)) == {
        "status",
        "dia_ruptura_d28",
        "menor_estoque_d28",
    }
    z = EstoqueTempoReal.objects.get(cod_produto="Z")
    assert (z.status, z.dia_ruptura_d28, z.menor_estoque_d28) == ("ATENCAO", f.dia(12), -5)
    assert diferencas_com_derivados() == []


def test_virada_do_dia_recalcula_o_resumo_d28():
    from datetime import timedelta

    from estoque.services.reconstrucao import recalcular_d7_todos

    f.movimento("V", 5)
    f.pre_separacao("V", 10, k=9)  # today: ATENÇÃO (D9); two days later it is D7: CRÍTICO
    assert EstoqueTempoReal.objects.get(cod_produto="V").status == "ATENCAO"
    recalcular_d7_todos(hoje=f.hoje() + timedelta(days=2))
    v = EstoqueTempoReal.objects.get(cod_produto="V")
    assert (v.status, v.dia_ruptura, v.dia_ruptura_d28) == ("CRITICO", f.dia(9), f.dia(9))
