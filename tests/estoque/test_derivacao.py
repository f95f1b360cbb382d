"""The derivation engine: each kind of source change, and the failure modes of docs/arquitetura.md section 3."""

from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from carteira.models import PreSeparacaoItem, Separacao
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque, MovimentacaoPrevista, UnificacaoCodigos
from estoque.projecao import StatusEstoque, projetar, status_projecao
from estoque.services import reconciliacao, reconstrucao
from producao.models import ProgramacaoProducao
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
D = Decimal


def igual_ao_oracle():
    difs = diferencas_com_derivados()
    assert difs == []
    return True


def estoque(cod):
    return EstoqueTempoReal.objects.get(cod_produto=cod)


def prevista(cod, k):
    linha = MovimentacaoPrevista.objects.filter(cod_produto=cod, data_prevista=f.dia(k)).first()
    return (linha.entrada_prevista, linha.saida_prevista) if linha else (D(0), D(0))


# ---------------------------------------------------------------- rule 1: saldo atual


def test_movimento_inserir_editar_cancelar_excluir_move_saldo_exatamente():
    m = f.movimento("P1", 100)
    assert estoque("P1").saldo_atual == 100
    m.qtd_movimentacao = D("70.5")
    m.save()
    assert estoque("P1").saldo_atual == D("70.5")
    f.movimento("P1", -20)
    assert estoque("P1").saldo_atual == D("50.5")
    m.cod_produto = "P2"
    m.save()
    assert estoque("P1").saldo_atual == -20
    assert estoque("P2").saldo_atual == D("70.5")
    m.data_movimentacao = f.dia(-10)
    m.save()
    assert estoque("P2").saldo_atual == D("70.5")
    m.delete()
    assert estoque("P2").saldo_atual == 0
    assert igual_ao_oracle()


def test_falha_07_cancelar_movimento_muda_saldo_na_hora():
    m = f.movimento("P1", 100)
    f.movimento("P1", 30)
    m.ativo = False
    m.save()
    assert estoque("P1").saldo_atual == 30
    m.ativo = True
    m.save()
    assert estoque("P1").saldo_atual == 130
    assert igual_ao_oracle()


def test_valor_gravado_e_o_do_banco_nao_o_da_instancia():
    # More decimals than the column keeps: the delta must use what was stored.
    m = f.movimento("P1", "10.0004")
    assert estoque("P1").saldo_atual == D("10.000")
    m.qtd_movimentacao = "12.5"  # a string, as a form might leave it
    m.save()
    assert estoque("P1").saldo_atual == D("12.5")
    assert igual_ao_oracle()


def test_save_com_update_fields_so_conta_o_que_foi_gravado():
    m = f.movimento("P1", 10)
    m.qtd_movimentacao = D(999)  # changed in memory, not saved
    m.ativo = False
    m.save(update_fields=["ativo"])
    assert estoque("P1").saldo_atual == 0
    m.refresh_from_db()
    m.ativo = True
    m.save(update_fields=["ativo"])
    assert estoque("P1").saldo_atual == 10
    assert igual_ao_oracle()


# ---------------------------------------------------------------- rule 2: forecast


def test_previsoes_de_cada_origem():
    f.movimento("P1", 100)
    f.producao("P1", 40, k=2)
    f.pre_separacao("P1", 30, k=1)
    f.separacao("P1", 50, k=3)
    assert prevista("P1", 1) == (0, 30)
    assert prevista("P1", 2) == (40, 0)
    assert prevista("P1", 3) == (0, 50)
    e = estoque("P1")
    assert e.menor_estoque_d7 == 60
    assert e.dia_ruptura is None
    assert igual_ao_oracle()


def test_pre_separacao_status_recomposto_conta_enviado_nao():
    p = f.pre_separacao("P1", 30, k=1, status="RECOMPOSTO")
    assert prevista("P1", 1) == (0, 30)
    p.status = "ENVIADO_SEPARACAO"
    p.save()
    assert prevista("P1", 1) == (0, 0)
    assert not MovimentacaoPrevista.objects.filter(cod_produto="P1").exists()
    assert igual_ao_oracle()


def test_separacao_sem_expedicao_conta_em_d0():
    f.movimento("P1", 10)
    f.separacao("P1", 25, expedicao=False)
    assert estoque("P1").dia_ruptura == f.hoje()
    assert estoque("P1").menor_estoque_d7 == -15
    assert igual_ao_oracle()


def test_saidas_atrasadas_contam_em_d0_producao_atrasada_nao():
    f.movimento("P1", 100)
    f.separacao("P1", 30, k=-3)
    ProgramacaoProducao.objects.create(cod_produto="P1", qtd_programada=D(500), data_programacao=f.dia(-1))
    e = estoque("P1")
    assert e.menor_estoque_d7 == 70
    proj = projetar(e.saldo_atual, [(f.dia(-3), D(0), D(30)), (f.dia(-1), D(500), D(0))], f.hoje(), 7)
    assert proj[0].saida == 30 and proj[0].entrada == 0
    assert igual_ao_oracle()


def test_separacao_faturada_sai_da_previsao():
    s = f.separacao("P1", 30, k=1)
    s.status = "FATURADO"
    s.save()
    assert prevista("P1", 1) == (0, 0)
    s.status = "ABERTO"
    s.sincronizado_nf = True
    s.save()
    assert prevista("P1", 1) == (0, 0)
    s.sincronizado_nf = False
    s.save()
    assert prevista("P1", 1) == (0, 30)
    assert igual_ao_oracle()


# ---------------------------------------------------------------- rule 3: confirmation


def test_falha_02_confirmacao_pre_separacao_em_separacao_nao_conta_duas_vezes():
    f.movimento("P1", 100)
    pre = f.pre_separacao("P1", 100, k=2)
    with transaction.atomic():
        pre.status = "ENVIADO_SEPARACAO"
        pre.save()
        f.separacao("P1", 100, k=2)
    assert prevista("P1", 2) == (0, 100)  # 100, not 200
    assert estoque("P1").menor_estoque_d7 == 0
    assert igual_ao_oracle()


def test_confirmacao_com_outra_data_e_quantidade_move_so_a_diferenca():
    f.movimento("P1", 100)
    pre = f.pre_separacao("P1", 60, k=2)
    pre.status = "ENVIADO_SEPARACAO"
    pre.save()
    f.separacao("P1", 50, k=4)
    assert prevista("P1", 2) == (0, 0)
    assert prevista("P1", 4) == (0, 50)
    assert igual_ao_oracle()


# ---------------------------------------------------------------- rule 4: invoicing through EmbarqueItem


def test_falha_08_faturamento_pelo_embarque_tira_a_saida_prevista_do_lote():
    f.movimento("P1", 100)
    f.separacao("P1", 30, k=1, lote="L1")
    f.separacao("P2", 20, k=1, lote="L1")
    f.separacao("P1", 5, k=1, lote="L2")
    item = f.embarque_item("L1")
    assert prevista("P1", 1) == (0, 35)
    item.erro_validacao = None
    item.save()
    # The billing movement records the real exit: the forecast exit leaves, only once.
    f.movimento("P1", -30, tipo="FATURAMENTO")
    assert prevista("P1", 1) == (0, 5)
    assert prevista("P2", 1) == (0, 0)
    assert estoque("P1").saldo_atual == 70
    item.erro_validacao = "NF divergente"
    item.save()
    assert prevista("P1", 1) == (0, 35)
    item.erro_validacao = ""
    item.save()
    assert prevista("P1", 1) == (0, 5)
    assert igual_ao_oracle()


def test_separacao_nova_em_lote_ja_faturado_nao_entra_na_previsao():
    item = f.embarque_item("L1", erro=None)
    f.separacao("P1", 30, k=1, lote="L1")
    assert prevista("P1", 1) == (0, 0)
    item.delete()
    assert prevista("P1", 1) == (0, 30)
    assert igual_ao_oracle()


def test_dois_itens_de_embarque_do_mesmo_lote():
    f.separacao("P1", 30, k=1, lote="L1")
    a = f.embarque_item("L1", numero=1, erro=None)
    b = f.embarque_item("L1", numero=2, erro=None)
    a.erro_validacao = "x"
    a.save()
    assert prevista("P1", 1) == (0, 0)  # b still matches the invoice
    b.status = "CANCELADO"
    b.save()
    assert prevista("P1", 1) == (0, 30)
    assert igual_ao_oracle()


# ---------------------------------------------------------------- rule 5: unification


def test_falha_05_unificacao_cadeia_codigos_texto_e_sem_contagem_n_vezes():
    f.movimento("4310152", 100)
    f.movimento("4310152-A", 50)
    f.movimento("X-99", 10)
    f.pre_separacao("X-99", 40, k=1)
    f.pre_separacao("4310152-A", 5, k=1)
    f.unificar("4310152-A", "4310152")
    f.unificar("X-99", "4310152-A")  # chain: 4310152 <- 4310152-A <- X-99
    principal = "4310152"
    assert estoque(principal).saldo_atual == 160
    assert prevista(principal, 1) == (0, 45)  # once, not once per code
    assert not EstoqueTempoReal.objects.filter(cod_produto__in=["4310152-A", "X-99"]).exists()
    assert not MovimentacaoPrevista.objects.exclude(cod_produto=principal).exists()
    # Every code of the group resolves to the principal on write.
    f.movimento("X-99", 1)
    assert estoque(principal).saldo_atual == 161
    assert igual_ao_oracle()


def test_desativar_e_excluir_par_separa_os_grupos_na_mesma_transacao():
    f.movimento("A", 10)
    f.movimento("B", 20)
    f.movimento("C", 30)
    ab = f.unificar("B", "A")
    bc = f.unificar("C", "B")
    assert estoque("A").saldo_atual == 60
    bc.ativo = False
    bc.save()
    assert estoque("A").saldo_atual == 30
    assert estoque("C").saldo_atual == 30
    bc.ativo = True
    bc.save()
    assert estoque("A").saldo_atual == 60
    ab.delete()
    assert estoque("A").saldo_atual == 10
    assert estoque("B").saldo_atual == 50  # B and C still one group, principal B
    assert igual_ao_oracle()
    UnificacaoCodigos.objects.all().delete()
    assert igual_ao_oracle()


def test_unificacao_e_codigo_nao_se_unifica_consigo():
    with pytest.raises(IntegrityError), transaction.atomic():
        f.unificar("A", "A")
    f.unificar("A", "B")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.unificar("A", "B")


# ---------------------------------------------------------------- rule 6: D+7


def test_falha_01_d7_recalculado_em_toda_mudanca():
    f.movimento("P1", 50)
    assert (estoque("P1").menor_estoque_d7, estoque("P1").dia_ruptura) == (50, None)
    s = f.separacao("P1", 80, k=3)
    assert (estoque("P1").menor_estoque_d7, estoque("P1").dia_ruptura) == (-30, f.dia(3))
    f.producao("P1", 40, k=2)
    assert (estoque("P1").menor_estoque_d7, estoque("P1").dia_ruptura) == (10, None)
    s.expedicao = f.dia(1)
    s.save()
    assert (estoque("P1").menor_estoque_d7, estoque("P1").dia_ruptura) == (-30, f.dia(1))
    f.movimento("P1", 100)
    assert (estoque("P1").menor_estoque_d7, estoque("P1").dia_ruptura) == (70, None)
    s.expedicao = f.dia(9)  # out of the D+7 window
    s.save()
    assert (estoque("P1").menor_estoque_d7, estoque("P1").dia_ruptura) == (150, None)
    assert igual_ao_oracle()


def test_falha_10_hoje_e_sao_paulo_e_a_regra_de_status_e_uma_so():
    # 01:30 UTC on the 28th is still the 27th in São Paulo.
    instante = datetime(2026, 11, 28, 1, 30, tzinfo=ZoneInfo("UTC"))
    with mock.patch("django.utils.timezone.now", return_value=instante):
        assert timezone.localdate().isoformat() == "2026-11-27"
        f.movimento("P1", 10)
        Separacao.objects.create(
            separacao_lote_id="L", num_pedido="P", cod_produto="P1", qtd_saldo=D(20), expedicao=timezone.localdate()
        )
        assert estoque("P1").dia_ruptura.isoformat() == "2026-11-27"
    base = f.hoje()
    proj = projetar(D(10), [(base + timedelta(days=3), D(0), D(20))], base, 28)
    assert status_projecao(proj) == StatusEstoque.CRITICO
    proj = projetar(D(10), [(base + timedelta(days=8), D(0), D(20))], base, 28)
    assert status_projecao(proj) == StatusEstoque.ATENCAO
    proj = projetar(D(10), [(base + timedelta(days=29), D(0), D(20))], base, 28)
    assert status_projecao(proj) == StatusEstoque.OK


def test_virada_do_dia_recalcula_d7_de_todos():
    from estoque.services.reconstrucao import recalcular_d7_todos

    f.movimento("P1", 10)
    f.separacao("P1", 30, k=8)
    assert estoque("P1").dia_ruptura is None
    amanha = f.hoje() + timedelta(days=1)
    assert recalcular_d7_todos(hoje=amanha) == 1
    assert estoque("P1").dia_ruptura == f.dia(8)
    assert diferencas_com_derivados(hoje=amanha) == []


# ---------------------------------------------------------------- rule 7: bulk paths


def test_falha_04_update_em_massa_redata_separacoes():
    f.movimento("P1", 100)
    for i in range(3):
        f.separacao("P1", 10, k=1, lote=f"L{i}")
    assert Separacao.objects.filter(cod_produto="P1").update(expedicao=f.dia(5)) == 3
    assert prevista("P1", 1) == (0, 0)
    assert prevista("P1", 5) == (0, 30)
    assert igual_ao_oracle()


def test_falha_04_substituir_programacao_com_delete_e_bulk_create():
    f.producao("P1", 10, k=1)
    f.producao("P2", 20, k=2)
    ProgramacaoProducao.objects.all().delete()
    assert not MovimentacaoPrevista.objects.exists()
    ProgramacaoProducao.objects.bulk_create(
        [
            ProgramacaoProducao(cod_produto="P1", qtd_programada=D(7), data_programacao=f.dia(3)),
            ProgramacaoProducao(cod_produto="P3", qtd_programada=D(9), data_programacao=f.dia(4)),
        ]
    )
    assert prevista("P1", 3) == (7, 0)
    assert prevista("P3", 4) == (9, 0)
    assert igual_ao_oracle()


def test_bulk_update_e_update_de_movimentos_e_pre_separacoes():
    movs = [f.movimento("P1", 10) for _ in range(3)]
    for m in movs:
        m.qtd_movimentacao = D(5)
    MovimentacaoEstoque.objects.bulk_update(movs, ["qtd_movimentacao"])
    assert estoque("P1").saldo_atual == 15
    MovimentacaoEstoque.objects.filter(pk=movs[0].pk).update(ativo=False)
    assert estoque("P1").saldo_atual == 10
    f.pre_separacao("P1", 3, k=1)
    f.pre_separacao("P1", 4, k=1)
    PreSeparacaoItem.objects.filter(cod_produto="P1").update(status="ENVIADO_SEPARACAO")
    assert prevista("P1", 1) == (0, 0)
    assert igual_ao_oracle()


def test_bulk_create_com_ignore_conflicts_e_recusado_com_mensagem_clara():
    with pytest.raises(ValueError, match="ignore_conflicts"):
        MovimentacaoEstoque.objects.bulk_create(
            [
                MovimentacaoEstoque(
                    cod_produto="P1", qtd_movimentacao=D(1), tipo_movimentacao="ENTRADA", data_movimentacao=f.hoje()
                )
            ],
            ignore_conflicts=True,
        )
    assert not MovimentacaoEstoque.objects.exists()


def test_update_de_unificacao_em_massa_recalcula_grupos():
    f.movimento("A", 1)
    f.movimento("B", 2)
    f.unificar("B", "A")
    UnificacaoCodigos.objects.update(ativo=False)
    assert estoque("A").saldo_atual == 1 and estoque("B").saldo_atual == 2
    assert igual_ao_oracle()


# ---------------------------------------------------------------- atomicity and errors


def test_falha_12_erro_no_motor_propaga_e_desfaz_a_gravacao():
    with (
        mock.patch("estoque.services.derivacao.aplicar_deltas", side_effect=RuntimeError("falha simulada")),
        pytest.raises(RuntimeError, match="falha simulada"),
    ):
        f.movimento("P1", 10)
    assert not MovimentacaoEstoque.objects.exists()
    assert not EstoqueTempoReal.objects.filter(saldo_atual__gt=0).exists()


def test_transacao_desfeita_nao_deixa_rastro():
    f.movimento("P1", 10)
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        f.movimento("P1", 50)
        f.separacao("P1", 5, k=1)
        raise ZeroDivisionError
    assert estoque("P1").saldo_atual == 10
    assert not MovimentacaoPrevista.objects.exists()
    assert igual_ao_oracle()


def test_falha_11_processo_web_nao_inicia_agendador():
    from django_q.models import Schedule

    Schedule.objects.all().delete()
    import importlib

    import estoque_project.urls
    import estoque_project.wsgi

    importlib.reload(estoque_project.urls)
    importlib.reload(estoque_project.wsgi)
    assert Schedule.objects.count() == 0
    from django.core.management import call_command

    call_command("estoque_agendar")
    assert set(Schedule.objects.values_list("func", flat=True)) == {
        "estoque.tasks.reconciliar_estoque",
        "estoque.tasks.virada_do_dia",
    }


# ---------------------------------------------------------------- reconciliation


def test_falha_06_reconciliacao_verifica_saldo_previsao_e_d7_e_registra_reparo():
    f.movimento("P1", 10)
    f.separacao("P1", 4, k=1)
    EstoqueTempoReal.objects.filter(cod_produto="P1").update(saldo_atual=D(999))
    MovimentacaoPrevista.objects.filter(cod_produto="P1").update(saida_prevista=D(1))
    execucao, encontrados = reconciliacao.reconciliar(origem="COMANDO")
    assert set(encontrados) == {"P1"}
    campos = set(execucao.reparos.values_list("campo", flat=True))
    assert "saldo_atual" in campos and any(c.startswith("prevista") for c in campos)
    assert igual_ao_oracle()


def test_falha_06_ciclo_da_reconciliacao_passa_por_todo_o_catalogo(settings):
    for i in range(7):
        f.movimento(f"P{i}", 1)
    EstoqueTempoReal.objects.update(saldo_atual=D(5))  # drift everywhere
    # The busiest product gets fresh writes all the time: it must still be verified.
    vistos = set()
    for _ in range(4):
        f.movimento("P0", 1)
        execucao, encontrados = reconciliacao.reconciliar(origem="AGENDAMENTO", lote=3)
        vistos |= set(encontrados)
    assert vistos == {f"P{i}" for i in range(7)}
    assert igual_ao_oracle()


def test_reconciliar_dry_run_nao_corrige():
    f.movimento("P1", 10)
    EstoqueTempoReal.objects.filter(cod_produto="P1").update(saldo_atual=D(1))
    _, encontrados = reconciliacao.reconciliar(origem="COMANDO", produtos=["P1"], corrigir=False)
    assert encontrados["P1"][0][0] == "saldo_atual"
    assert estoque("P1").saldo_atual == 1


def test_comandos_verificar_reconciliar_rebuild(capsys):
    from django.core.management import call_command

    f.movimento("P1", 10)
    f.unificar("P2", "P1")
    f.movimento("P2", 5)
    call_command("estoque_verificar")
    EstoqueTempoReal.objects.filter(cod_produto="P1").update(saldo_atual=D(0))
    with pytest.raises(SystemExit) as saida:
        call_command("estoque_verificar")
    assert saida.value.code == 1
    call_command("estoque_reconciliar", "--produto", "P2", "--dry-run")
    assert estoque("P1").saldo_atual == 0
    call_command("estoque_reconciliar", "--produto", "P2")
    assert estoque("P1").saldo_atual == 15
    EstoqueTempoReal.objects.all().delete()
    MovimentacaoPrevista.objects.all().delete()
    call_command("estoque_rebuild")
    assert estoque("P1").saldo_atual == 15
    assert igual_ao_oracle()


def test_query_count_de_um_movimento_e_limitado(django_assert_max_num_queries):
    f.movimento("P1", 1)
    with django_assert_max_num_queries(12):
        f.movimento("P1", 5)
    m = MovimentacaoEstoque.objects.first()
    m.qtd_movimentacao = D(3)
    with django_assert_max_num_queries(14):
        m.save()


def test_nome_do_produto_acompanha_o_cadastro():
    f.movimento("N1", 1)
    produto = f.produto("N1", nome="NOME ANTIGO")
    assert estoque("N1").nome_produto == "NOME ANTIGO"
    produto.nome_produto = "NOME NOVO"
    produto.save()
    assert estoque("N1").nome_produto == "NOME NOVO"


def test_excluir_embarque_em_cascata_com_dois_itens_faturados_do_mesmo_lote():
    # Regression: the cascade deletes the items one signal at a time; the lote must flip once.
    f.separacao("P1", 3, expedicao=False, lote="L1")
    f.embarque_item("L1", numero=1, erro=None)
    from embarques.models import Embarque, EmbarqueItem

    EmbarqueItem.objects.create(embarque=Embarque.objects.get(numero=1), separacao_lote_id="L1", erro_validacao="")
    assert not MovimentacaoPrevista.objects.exists()
    Embarque.objects.all().delete()
    assert MovimentacaoPrevista.objects.get().saida_prevista == 3
    assert igual_ao_oracle()


def test_reconciliacao_corrige_lote_faturado_divergente():
    from estoque.models import LoteFaturado

    f.embarque_item("L9", erro=None)
    LoteFaturado.objects.all().delete()
    execucao, _ = reconciliacao.reconciliar(origem="COMANDO")
    assert LoteFaturado.objects.filter(separacao_lote_id="L9").exists()
    assert execucao.reparos.filter(campo="lote faturado L9").exists()
    assert igual_ao_oracle()


def test_lote_faturado_sem_marca_e_divergencia_na_varredura_mas_nao_na_reconstrucao(caplog):
    """The sweep finding a missing flag is drift (ERROR per lote); the rebuild sets the flags from
    the sources by design (a bulk load leaves them all missing), so it logs one INFO line."""
    import logging

    from estoque.models import LoteFaturado

    f.embarque_item("L9", erro=None)
    f.embarque_item("L8", erro=None)
    LoteFaturado.objects.all().delete()
    with caplog.at_level(logging.INFO, logger="estoque.services"):
        reconstrucao.reconstruir()
    assert set(LoteFaturado.objects.values_list("separacao_lote_id", flat=True)) == {"L8", "L9"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "2 marca(s) de lote faturado refeita(s)" in caplog.text
    assert igual_ao_oracle()

    LoteFaturado.objects.filter(separacao_lote_id="L9").delete()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="estoque.services"):
        reconciliacao.reconciliar(origem="COMANDO")
    erros = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert erros == ["Marca de lote faturado divergente: lote L9 corrigido"]
    assert igual_ao_oracle()
