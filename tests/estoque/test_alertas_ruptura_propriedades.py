"""Property-based: random sequences of writes (movements, production, pré-separações, separações)
and day changes, each write committed as its own transaction; the ruptura alerts recorded equal
exactly the transitions a plain oracle counts from the recomputed projections (tests/oracle.py)."""

import os
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from carteira.models import PreSeparacaoItem, Separacao
from estoque import tasks
from estoque.models import AlertaRuptura, MovimentacaoEstoque
from producao.models import ProgramacaoProducao
from tests import oracle

CODIGOS = ["10", "20", "A30"]
codigos = st.sampled_from(CODIGOS)
qtds = st.integers(min_value=1, max_value=60).map(Decimal)
dias = st.integers(min_value=-2, max_value=12)
indices = st.integers(min_value=0, max_value=10_000)


def escolher(model, indice):
    pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
    return model.objects.get(pk=pks[indice % len(pks)]) if pks else None


def transicoes_do_oraculo(anterior: dict, atual: dict) -> list[tuple]:
    """The plain rule: a ruptura day appearing, or an earlier one, is one alert."""
    resultado = []
    for cod in sorted(set(anterior) | set(atual)):
        antes, depois = anterior.get(cod), atual.get(cod)
        if depois is not None and antes is None:
            resultado.append((cod, "ENTROU_EM_RUPTURA", depois, None))
        elif depois is not None and depois < antes:
            resultado.append((cod, "RUPTURA_ANTECIPADA", depois, antes))
    return resultado


class MaquinaAlertas(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.deslocamento = 0
        agora_real = timezone.now()
        self.relogio = mock.patch(
            "django.utils.timezone.now", side_effect=lambda: agora_real + timedelta(days=self.deslocamento)
        )
        self.relogio.start()
        self.transacao = transaction.atomic()
        self.transacao.__enter__()
        self.conhecidos: dict = {}  # product -> last ruptura day (D0..D7) the oracle saw
        self.esperados: list[tuple] = []

    def teardown(self):
        transaction.set_rollback(True)
        self.transacao.__exit__(None, None, None)
        self.relogio.stop()

    def dia(self, k):
        return timezone.localdate() + timedelta(days=k)

    def _commit(self, funcao):
        # Each write as a committed transaction of its own: the after-commit detection runs.
        with TestCase.captureOnCommitCallbacks(execute=True):
            funcao()
        atual = {cod: ruptura for cod, (_, ruptura) in oracle.calcular().d7.items() if ruptura is not None}
        self.esperados += transicoes_do_oraculo(self.conhecidos, atual)
        self.conhecidos = atual

    @rule(cod=codigos, qtd=qtds, entrada=st.booleans())
    def movimento(self, cod, qtd, entrada):
        self._commit(
            lambda: MovimentacaoEstoque.objects.create(
                cod_produto=cod,
                qtd_movimentacao=qtd if entrada else -qtd,
                tipo_movimentacao="ENTRADA" if entrada else "SAIDA",
                data_movimentacao=self.dia(0),
            )
        )

    @rule(i=indices)
    def alternar_movimento(self, i):
        mov = escolher(MovimentacaoEstoque, i)
        if mov:
            mov.ativo = not mov.ativo
            self._commit(mov.save)

    @rule(cod=codigos, qtd=qtds, k=dias)
    def programar(self, cod, qtd, k):
        self._commit(
            lambda: ProgramacaoProducao.objects.create(
                cod_produto=cod, qtd_programada=qtd, data_programacao=self.dia(k)
            )
        )

    @rule(i=indices)
    def excluir_programacao(self, i):
        prog = escolher(ProgramacaoProducao, i)
        if prog:
            self._commit(prog.delete)

    @rule(cod=codigos, qtd=qtds, k=dias)
    def pre_separar(self, cod, qtd, k):
        self._commit(
            lambda: PreSeparacaoItem.objects.create(
                num_pedido="P", cod_produto=cod, qtd_selecionada_usuario=qtd, data_expedicao_editada=self.dia(k)
            )
        )

    @rule(i=indices)
    def excluir_pre_separacao(self, i):
        pre = escolher(PreSeparacaoItem, i)
        if pre:
            self._commit(pre.delete)

    @rule(cod=codigos, qtd=qtds, k=dias)
    def separar(self, cod, qtd, k):
        self._commit(
            lambda: Separacao.objects.create(
                separacao_lote_id="L", num_pedido="P", cod_produto=cod, qtd_saldo=qtd, expedicao=self.dia(k)
            )
        )

    @rule(i=indices, k=dias, faturar=st.booleans())
    def redatar_ou_faturar_separacao(self, i, k, faturar):
        sep = escolher(Separacao, i)
        if sep:
            if faturar:
                sep.status = "FATURADO"
            else:
                sep.expedicao = self.dia(k)
            self._commit(sep.save)

    @rule(cod=codigos, k=dias)
    def redatar_separacoes_em_massa(self, cod, k):
        self._commit(lambda: Separacao.objects.filter(cod_produto=cod).update(expedicao=self.dia(k)))

    @precondition(lambda self: self.deslocamento < 6)
    @rule(n=st.integers(1, 3))
    def virar_o_dia(self, n):
        self.deslocamento += n
        self._commit(tasks.virada_do_dia)

    @invariant()
    def alertas_iguais_as_transicoes(self):
        gravados = list(
            AlertaRuptura.objects.order_by("id").values_list(
                "cod_produto", "tipo", "dia_ruptura", "dia_ruptura_anterior"
            )
        )
        assert gravados == self.esperados


@pytest.mark.django_db
def test_alertas_sao_exatamente_as_transicoes_do_oraculo():
    exemplos = int(os.environ.get("ESTOQUE_HYPOTHESIS_EXEMPLOS", "40"))
    run_state_machine_as_test(
        MaquinaAlertas,
        settings=settings(
            max_examples=exemplos,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
