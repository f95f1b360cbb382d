"""Property-based: random sequences of operations over every source table; after every
step the derived tables equal the oracle (tests/oracle.py)."""

import os
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from carteira.models import PreSeparacaoItem, Separacao
from embarques.models import Embarque, EmbarqueItem
from estoque.models import MovimentacaoEstoque, UnificacaoCodigos
from estoque.services.reconstrucao import recalcular_d7_todos
from producao.models import ProgramacaoProducao
from tests.oracle import diferencas_com_derivados, diferencas_do_historico

CODIGOS = ["10", "20", "20-B", "A30", "4310152"]
LOTES = ["L1", "L2", "L3"]
codigos = st.sampled_from(CODIGOS)
lotes = st.sampled_from(LOTES)
qtds = st.integers(min_value=1, max_value=500).map(Decimal)
dias = st.integers(min_value=-4, max_value=12)
indices = st.integers(min_value=0, max_value=10_000)


def escolher(model, indice):
    pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
    return model.objects.get(pk=pks[indice % len(pks)]) if pks else None


class MaquinaEstoque(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.deslocamento = 0  # day rollovers so far
        agora_real = timezone.now()
        self.relogio = mock.patch(
            "django.utils.timezone.now", side_effect=lambda: agora_real + timedelta(days=self.deslocamento)
        )
        self.relogio.start()
        self.transacao = transaction.atomic()
        self.transacao.__enter__()

    def teardown(self):
        # The history against the rows once per sequence (a scan of every history table per step
        # would double the suite's time); the derived tables are compared after every step.
        assert diferencas_do_historico() == []
        transaction.set_rollback(True)
        self.transacao.__exit__(None, None, None)
        self.relogio.stop()

    def dia(self, k):
        return timezone.localdate() + timedelta(days=k)

    # ---------------------------------------------------------------- movements
    @rule(cod=codigos, qtd=qtds, entrada=st.booleans(), ativo=st.booleans(), k=dias)
    def criar_movimento(self, cod, qtd, entrada, ativo, k):
        MovimentacaoEstoque.objects.create(
            cod_produto=cod,
            qtd_movimentacao=qtd if entrada else -qtd,
            tipo_movimentacao="ENTRADA" if entrada else "SAIDA",
            data_movimentacao=self.dia(min(k, 0)),
            ativo=ativo,
        )

    @rule(i=indices, cod=codigos, qtd=qtds, ativo=st.booleans())
    def editar_movimento(self, i, cod, qtd, ativo):
        mov = escolher(MovimentacaoEstoque, i)
        if mov:
            mov.cod_produto = cod
            mov.ativo = ativo
            mov.qtd_movimentacao = qtd if mov.qtd_movimentacao > 0 else -qtd
            mov.save()

    @rule(i=indices)
    def excluir_movimento(self, i):
        mov = escolher(MovimentacaoEstoque, i)
        if mov:
            mov.delete()

    @rule(cod=codigos, n=st.integers(1, 4), qtd=qtds)
    def movimentos_em_massa(self, cod, n, qtd):
        MovimentacaoEstoque.objects.bulk_create(
            [
                MovimentacaoEstoque(
                    cod_produto=cod, qtd_movimentacao=qtd, tipo_movimentacao="AJUSTE", data_movimentacao=self.dia(0)
                )
                for _ in range(n)
            ]
        )

    @rule(cod=codigos)
    def cancelar_movimentos_em_massa(self, cod):
        MovimentacaoEstoque.objects.filter(cod_produto=cod).update(ativo=False)

    # ---------------------------------------------------------------- production
    @rule(cod=codigos, qtd=qtds, k=dias)
    def programar(self, cod, qtd, k):
        ProgramacaoProducao.objects.create(cod_produto=cod, qtd_programada=qtd, data_programacao=self.dia(k))

    @rule(i=indices, qtd=qtds, k=dias)
    def editar_programacao(self, i, qtd, k):
        prog = escolher(ProgramacaoProducao, i)
        if prog:
            prog.qtd_programada = qtd
            prog.data_programacao = self.dia(k)
            prog.save()

    @rule(cod=codigos, qtd=qtds, k=dias)
    def substituir_programacao(self, cod, qtd, k):
        ProgramacaoProducao.objects.filter(cod_produto=cod).delete()
        ProgramacaoProducao.objects.bulk_create(
            [ProgramacaoProducao(cod_produto=cod, qtd_programada=qtd, data_programacao=self.dia(k))]
        )

    # ---------------------------------------------------------------- pré-separações
    @rule(cod=codigos, qtd=qtds, k=dias, status=st.sampled_from(["CRIADO", "RECOMPOSTO", "ENVIADO_SEPARACAO"]))
    def criar_pre_separacao(self, cod, qtd, k, status):
        PreSeparacaoItem.objects.create(
            num_pedido="P",
            cod_produto=cod,
            qtd_selecionada_usuario=qtd,
            data_expedicao_editada=self.dia(k),
            status=status,
        )

    @rule(i=indices, k=dias, qtd=qtds)
    def redatar_pre_separacao(self, i, k, qtd):
        pre = escolher(PreSeparacaoItem, i)
        if pre:
            pre.data_expedicao_editada = self.dia(k)
            pre.qtd_selecionada_usuario = qtd
            pre.save()

    @rule(i=indices, lote=lotes, mesma=st.booleans(), k=dias)
    def confirmar_pre_separacao(self, i, lote, mesma, k):
        pre = escolher(PreSeparacaoItem, i)
        if pre and pre.status != "ENVIADO_SEPARACAO":
            with transaction.atomic():
                pre.status = "ENVIADO_SEPARACAO"
                pre.save()
                Separacao.objects.create(
                    separacao_lote_id=lote,
                    num_pedido=pre.num_pedido,
                    cod_produto=pre.cod_produto,
                    qtd_saldo=pre.qtd_selecionada_usuario if mesma else pre.qtd_selecionada_usuario + 1,
                    expedicao=pre.data_expedicao_editada if mesma else self.dia(k),
                )

    @rule(i=indices)
    def excluir_pre_separacao(self, i):
        pre = escolher(PreSeparacaoItem, i)
        if pre:
            pre.delete()

    @rule(cod=codigos, k=dias)
    def redatar_pre_separacoes_em_massa(self, cod, k):
        pres = list(PreSeparacaoItem.objects.filter(cod_produto=cod))
        for pre in pres:
            pre.data_expedicao_editada = self.dia(k)
        PreSeparacaoItem.objects.bulk_update(pres, ["data_expedicao_editada"])

    # ---------------------------------------------------------------- separações
    @rule(cod=codigos, qtd=qtds, k=st.one_of(st.none(), dias), lote=lotes)
    def criar_separacao(self, cod, qtd, k, lote):
        Separacao.objects.create(
            separacao_lote_id=lote,
            num_pedido="P",
            cod_produto=cod,
            qtd_saldo=qtd,
            expedicao=None if k is None else self.dia(k),
        )

    @rule(
        i=indices,
        status=st.sampled_from(["ABERTO", "COTADO", "EMBARCADO", "FATURADO", "NF no CD"]),
        sinc=st.booleans(),
        k=st.one_of(st.none(), dias),
        lote=lotes,
    )
    def editar_separacao(self, i, status, sinc, k, lote):
        sep = escolher(Separacao, i)
        if sep:
            sep.status = status
            sep.sincronizado_nf = sinc
            sep.expedicao = None if k is None else self.dia(k)
            sep.separacao_lote_id = lote
            sep.save()

    @rule(lote=lotes, k=dias)
    def redatar_lote_em_massa(self, lote, k):
        Separacao.objects.filter(separacao_lote_id=lote).update(expedicao=self.dia(k))

    @rule(i=indices)
    def excluir_separacao(self, i):
        sep = escolher(Separacao, i)
        if sep:
            sep.delete()

    # ---------------------------------------------------------------- invoicing through embarque
    @rule(lote=lotes, erro=st.sampled_from([None, "", "NF_PENDENTE_FATURAMENTO"]))
    def criar_item_embarque(self, lote, erro):
        embarque, _ = Embarque.objects.get_or_create(numero=1)
        EmbarqueItem.objects.create(embarque=embarque, separacao_lote_id=lote, erro_validacao=erro)

    @rule(
        i=indices,
        erro=st.sampled_from([None, "", "NF divergente"]),
        status=st.sampled_from(["ATIVO", "CANCELADO"]),
        lote=lotes,
    )
    def editar_item_embarque(self, i, erro, status, lote):
        item = escolher(EmbarqueItem, i)
        if item:
            item.erro_validacao = erro
            item.status = status
            item.separacao_lote_id = lote
            item.save()

    @rule(i=indices)
    def excluir_item_embarque(self, i):
        item = escolher(EmbarqueItem, i)
        if item:
            item.delete()

    @rule()
    def excluir_embarques_em_cascata(self):
        Embarque.objects.all().delete()

    # ---------------------------------------------------------------- unification
    @rule(a=codigos, b=codigos)
    def unificar(self, a, b):
        if a != b and not UnificacaoCodigos.objects.filter(codigo_origem=a, codigo_destino=b).exists():
            UnificacaoCodigos.objects.create(codigo_origem=a, codigo_destino=b)

    @rule(i=indices)
    def alternar_unificacao(self, i):
        par = escolher(UnificacaoCodigos, i)
        if par:
            par.ativo = not par.ativo
            par.save()

    @rule(i=indices)
    def excluir_unificacao(self, i):
        par = escolher(UnificacaoCodigos, i)
        if par:
            par.delete()

    @rule(ativo=st.booleans())
    def unificacoes_em_massa(self, ativo):
        UnificacaoCodigos.objects.update(ativo=ativo)

    # ---------------------------------------------------------------- day rollover
    @precondition(lambda self: self.deslocamento < 5)
    @rule()
    def virar_o_dia(self):
        self.deslocamento += 1
        recalcular_d7_todos()

    @invariant()
    def derivados_iguais_ao_oracle(self):
        assert diferencas_com_derivados(historico=False) == []


@pytest.mark.django_db
def test_sequencias_aleatorias_mantem_derivados_iguais_ao_oracle():
    exemplos = int(os.environ.get("ESTOQUE_HYPOTHESIS_EXEMPLOS", "150"))
    run_state_machine_as_test(
        MaquinaEstoque,
        settings=settings(
            max_examples=exemplos,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
