"""Random sequences of lote operations (create, edit, remove, cancel, confirm): after each one the
derived tables equal the oracle's recomputation and no order line holds more than its balance."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carteira import montagem, selectors, services
from carteira.models import CarteiraPrincipal, PreSeparacaoItem
from carteira.montagem import ItemLote
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db

PRODUTOS = ("A", "B", "C")
operacao = st.one_of(
    st.tuples(
        st.just("criar"),
        st.dictionaries(st.sampled_from(PRODUTOS), st.integers(min_value=1, max_value=30), min_size=1),
        st.integers(min_value=-2, max_value=10),  # ship day (overdue ones count on D0)
    ),
    st.tuples(st.just("editar"), st.integers(min_value=0, max_value=20), st.integers(min_value=1, max_value=40)),
    st.tuples(st.just("remover"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("cancelar"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("confirmar"), st.integers(min_value=0, max_value=20)),
)


def executar(op):
    ativas = list(PreSeparacaoItem.objects.ativas().order_by("id"))
    lotes = sorted({p.separacao_lote_id for p in ativas})
    tipo = op[0]
    if tipo == "criar":
        itens = [ItemLote(cod, Decimal(qtd), f.dia(max(op[2], 0))) for cod, qtd in sorted(op[1].items())]
        montagem.criar_lote_pre_separacao("PED1", itens)
    elif tipo in ("editar", "remover") and ativas:
        pre = ativas[op[1] % len(ativas)]
        if tipo == "editar":
            services.editar_pre_separacao(pre.pk, {"qtd_selecionada_usuario": Decimal(op[2])})
        else:
            services.excluir_pre_separacao(pre.pk)
    elif tipo in ("cancelar", "confirmar") and lotes:
        lote = lotes[op[1] % len(lotes)]
        (montagem.cancelar_lote if tipo == "cancelar" else montagem.confirmar_lote)(lote)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(operacoes=st.lists(operacao, min_size=1, max_size=8))
def test_sequencias_de_lotes(operacoes):
    with transaction.atomic():
        for cod, estoque in zip(PRODUTOS, (50, 5, 0), strict=True):
            f.produto(cod)
            if estoque:
                f.movimento(cod, estoque)
            f.linha_carteira("PED1", cod, 40)
        for op in operacoes:
            try:
                with transaction.atomic():
                    executar(op)
            except ValidationError:
                pass  # refused whole: nothing written
            assert diferencas_com_derivados() == []
            for linha in CarteiraPrincipal.objects.all():
                assert selectors.saldo_livre(linha) >= 0, linha
        transaction.set_rollback(True)
