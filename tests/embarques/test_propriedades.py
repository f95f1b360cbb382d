"""Random sequences of embarque and invoicing operations (register, same NF again, other NF, cancel,
partial, remove, cancel the embarque): after every step the derived tables equal the oracle, stock
moved exactly by the invoices in force, and each carteira line holds its original balance minus
what those invoices took from it."""

import os
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from carteira.models import CarteiraPrincipal, Separacao
from embarques import services
from embarques.faturamento import cancelar_faturamento, registrar_faturamento
from embarques.models import EmbarqueItem, FaturamentoItem
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados, diferencas_do_historico

LOTES = ("L1", "L2", "L3")
PRODUTOS = ("A", "B")
ESTOQUE_INICIAL = Decimal(1000)
CARTEIRA_INICIAL = Decimal(100)
lotes = st.sampled_from(LOTES)
nfs = st.sampled_from(["1", "2"])
qtds = st.one_of(st.none(), st.integers(min_value=0, max_value=12).map(Decimal))


class MaquinaFaturamento(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.transacao = transaction.atomic()
        self.transacao.__enter__()
        for cod in PRODUTOS:
            f.produto(cod)
            f.movimento(cod, ESTOQUE_INICIAL)
            f.linha_carteira("PED1", cod, CARTEIRA_INICIAL)
        for i, lote in enumerate(LOTES):
            f.separacao("A", 10, k=i, lote=lote, pedido="PED1")
            f.separacao("B", 5, k=i, lote=lote, pedido="PED1")

    def teardown(self):
        # The history against the rows once per sequence (a scan of every history table per step
        # would double the suite's time); the derived tables are compared after every step.
        assert diferencas_do_historico() == []
        transaction.set_rollback(True)
        self.transacao.__exit__(None, None, None)

    def _tentar(self, funcao):
        try:
            with transaction.atomic():
                return funcao()
        except ValidationError:
            return None

    @rule(lote=lotes)
    def embarcar(self, lote):
        def fazer():
            embarque = services.criar_embarque()
            services.adicionar_lote(embarque.pk, lote)
            services.marcar_embarcado(embarque.pk)

        self._tentar(fazer)

    @rule(lote=lotes, nf=nfs, qa=qtds, qb=qtds)
    def faturar(self, lote, nf, qa, qb):
        quantidades = {cod: q for cod, q in (("A", qa), ("B", qb)) if q is not None}
        antes = MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO").count()
        r = self._tentar(lambda: registrar_faturamento(separacao_lote_id=lote, nota_fiscal=nf, quantidades=quantidades))
        if r is not None and not r.criado:  # the same NF again: nothing at all
            assert MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO").count() == antes

    @rule(lote=lotes)
    def cancelar_nf(self, lote):
        self._tentar(lambda: cancelar_faturamento(separacao_lote_id=lote))

    @rule(lote=lotes)
    def remover(self, lote):
        item = EmbarqueItem.objects.filter(separacao_lote_id=lote, status="ATIVO").first()
        if item:
            self._tentar(lambda: services.remover_lote(item.pk))

    @rule(lote=lotes)
    def cancelar_embarque(self, lote):
        item = EmbarqueItem.objects.filter(separacao_lote_id=lote, status="ATIVO").first()
        if item:
            self._tentar(lambda: services.cancelar_embarque(item.embarque_id))

    @invariant()
    def derivados_iguais_ao_oracle(self):
        assert diferencas_com_derivados(historico=False) == []

    @invariant()
    def estoque_e_carteira_seguem_as_nfs_em_vigor(self):
        em_vigor = FaturamentoItem.objects.filter(faturamento__status="ATIVO")
        for cod in PRODUTOS:
            faturado = em_vigor.filter(cod_produto=cod).aggregate(t=Sum("qtd_faturada"))["t"] or Decimal(0)
            baixado = em_vigor.filter(cod_produto=cod).aggregate(t=Sum("qtd_baixada_carteira"))["t"] or Decimal(0)
            assert faturado == baixado  # the lines hold enough here
            assert EstoqueTempoReal.objects.get(cod_produto=cod).saldo_atual == ESTOQUE_INICIAL - faturado
            linha = CarteiraPrincipal.objects.get(num_pedido="PED1", cod_produto=cod)
            assert linha.qtd_saldo_produto_pedido == CARTEIRA_INICIAL - baixado

    @invariant()
    def status_coerente(self):
        for lote in LOTES:
            status = set(Separacao.objects.filter(separacao_lote_id=lote).values_list("status", flat=True))
            assert len(status) == 1
            ativo = EmbarqueItem.objects.filter(separacao_lote_id=lote, status="ATIVO").first()
            esperado = {"ABERTO"} if ativo is None else ({"FATURADO"} if ativo.nota_fiscal else {"EMBARCADO"})
            assert status == esperado


@pytest.mark.django_db
def test_sequencias_de_faturamento_mantem_tudo_certo():
    run_state_machine_as_test(
        MaquinaFaturamento,
        settings=settings(
            max_examples=max(10, int(os.environ.get("ESTOQUE_HYPOTHESIS_EXEMPLOS", "150")) // 5),
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
