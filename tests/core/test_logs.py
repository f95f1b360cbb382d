"""Structured logs (core/logs.py and the log calls of issue 15): what is logged, at which level,
with which fields."""

import json
import logging
from decimal import Decimal

import pytest
from django.db import OperationalError
from django_q.signals import post_execute

from carteira.sincronizacao import servico
from carteira.sincronizacao.registros import ErroSincronizacao
from core.logs import FormatadorJSON, FormatadorLegivel
from estoque.models import EstoqueTempoReal
from estoque.services import reconciliacao, transacao
from tests import fabricas as f
from tests.core.test_configuracao import rodar


def _registros(caplog, logger: str, nivel: int | None = None) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and (nivel is None or r.levelno == nivel)]


# ---------------------------------------------------------------- formatters


def _registro(**extra) -> logging.LogRecord:
    registro = logging.LogRecord("estoque.teste", logging.WARNING, __file__, 1, "produto %s: %s", ("P1", "ok"), None)
    registro.__dict__.update(extra)
    return registro


def test_formatador_json_uma_linha_valida_com_os_campos_extra():
    linha = FormatadorJSON().format(_registro(cod_produto="P1", quantidade=Decimal("1.5"), ids=[1, 2], nada=None))
    assert "\n" not in linha
    dados = json.loads(linha)
    assert dados["nivel"] == "WARNING"
    assert dados["logger"] == "estoque.teste"
    assert dados["mensagem"] == "produto P1: ok"
    assert dados["hora"].endswith("+00:00")
    assert dados["cod_produto"] == "P1"
    assert dados["quantidade"] == "1.5"  # Decimal as text, never a float
    assert dados["ids"] == [1, 2] and dados["nada"] is None
    assert "args" not in dados and "msg" not in dados  # only what the call passed in extra


def test_formatador_json_leva_o_traceback():
    try:
        raise ValueError("quebrou")
    except ValueError:
        import sys

        registro = logging.LogRecord("x", logging.ERROR, __file__, 1, "falhou", (), sys.exc_info())
    dados = json.loads(FormatadorJSON().format(registro))
    assert "ValueError: quebrou" in dados["excecao"]


def test_formatador_legivel_mostra_os_extra():
    texto = FormatadorLegivel().format(_registro(cod_produto="P1", campo="saldo_atual"))
    assert "WARNING estoque.teste: produto P1: ok cod_produto=P1 campo=saldo_atual" in texto


ESCREVER = (
    "import django, logging; django.setup(); "
    "logging.getLogger('estoque.teste').warning('produto %s', 'P1', extra={'cod_produto': 'P1', 'quantos': 3})"
)


@pytest.mark.parametrize("json_ligado", [True, False], ids=["json", "legivel"])
def test_configuracao_escolhe_o_formato_pela_variavel(json_ligado):
    """The settings' LOGGING in a fresh process: JSON lines with ESTOQUE_LOG_JSON=1, readable otherwise."""
    resultado = rodar({"DJANGO_DEBUG": "1", "ESTOQUE_LOG_JSON": "1" if json_ligado else "0"}, "-c", ESCREVER)
    assert resultado.returncode == 0, resultado.stderr
    (linha,) = [linha for linha in resultado.stderr.splitlines() if "estoque.teste" in linha]
    if json_ligado:
        dados = json.loads(linha)
        assert (dados["nivel"], dados["mensagem"], dados["cod_produto"], dados["quantos"]) == (
            "WARNING",
            "produto P1",
            "P1",
            3,
        )
    else:
        assert linha.endswith("WARNING estoque.teste: produto P1 cod_produto=P1 quantos=3")


# ---------------------------------------------------------------- carteira sync


def _linha(cod, saldo):
    return {
        "num_pedido": "PED-LOG",
        "cod_produto": cod,
        "qtd_produto_pedido": Decimal(saldo),
        "qtd_saldo_produto_pedido": Decimal(saldo),
    }


@pytest.mark.django_db
def test_sincronizacao_registra_inicio_e_fim_com_as_contagens(caplog):
    f.produto("P1")
    f.produto("P2")
    with caplog.at_level(logging.INFO, logger="carteira.sincronizacao"):
        execucao = servico.sincronizar(
            lambda: [_linha("P1", "10"), _linha("P2", "5")], origem="ODOO", gatilho="COMANDO", usuario="maria"
        )
    assert execucao.status == "SUCESSO"
    inicio, fim = _registros(caplog, "carteira.sincronizacao")
    assert inicio.levelno == logging.INFO
    assert (inicio.origem, inicio.gatilho, inicio.usuario, inicio.simulacao) == ("ODOO", "COMANDO", "maria", False)
    assert fim.levelno == logging.INFO
    assert fim.sincronizacao_id == execucao.pk and fim.status == "SUCESSO"
    assert (fim.linhas_novas, fim.linhas_removidas, fim.linhas_alteradas, fim.alertas) == (2, 0, 0, 0)
    assert fim.duracao_s >= 0


@pytest.mark.django_db
def test_sincronizacao_que_falha_registra_erro(caplog):
    def fonte():
        raise ErroSincronizacao("Odoo fora do ar")

    with caplog.at_level(logging.INFO, logger="carteira.sincronizacao"), pytest.raises(ErroSincronizacao):
        servico.sincronizar(fonte, origem="ODOO", gatilho="AGENDAMENTO")
    (erro,) = _registros(caplog, "carteira.sincronizacao", logging.ERROR)
    assert erro.status == "FALHA" and erro.gatilho == "AGENDAMENTO"
    assert "Odoo fora do ar" in erro.getMessage()


# ---------------------------------------------------------------- reconciliation


@pytest.mark.django_db
def test_reparo_da_reconciliacao_em_error_e_execucao_em_info(caplog):
    f.movimento("P1", 10)
    EstoqueTempoReal.objects.filter(cod_produto="P1").update(saldo_atual=Decimal(999))
    with caplog.at_level(logging.INFO, logger="estoque.services.reconciliacao"):
        execucao, _ = reconciliacao.reconciliar(origem="COMANDO")
    reparos = _registros(caplog, "estoque.services.reconciliacao", logging.ERROR)
    saldo = [r for r in reparos if r.campo == "saldo_atual"]
    assert len(saldo) == 1
    assert saldo[0].cod_produto == "P1"
    assert (Decimal(saldo[0].gravado), Decimal(saldo[0].recalculado)) == (999, 10)
    assert saldo[0].reconciliacao_id == execucao.pk and saldo[0].corrigido is True
    (fim,) = _registros(caplog, "estoque.services.reconciliacao", logging.INFO)
    assert fim.produtos_corrigidos == 1 and fim.reconciliacao_id == execucao.pk


@pytest.mark.django_db
def test_reconciliacao_sem_divergencia_nao_registra_erro(caplog):
    f.movimento("P1", 10)
    with caplog.at_level(logging.INFO, logger="estoque.services.reconciliacao"):
        reconciliacao.reconciliar(origem="COMANDO")
    assert _registros(caplog, "estoque.services.reconciliacao", logging.ERROR) == []
    assert len(_registros(caplog, "estoque.services.reconciliacao", logging.INFO)) == 1


# ---------------------------------------------------------------- deadlock retries


class _Deadlock(Exception):
    sqlstate = "40P01"


@pytest.mark.django_db(transaction=True)  # the retry is the outermost transaction's
def test_repeticao_por_deadlock_em_warning(caplog):
    chamadas = []

    def escrever():
        chamadas.append(1)
        if len(chamadas) == 1:
            raise OperationalError("deadlock detected") from _Deadlock()
        return "gravado"

    with caplog.at_level(logging.WARNING, logger="estoque.services.transacao"):
        assert transacao.executar(escrever) == "gravado"
    (aviso,) = _registros(caplog, "estoque.services.transacao", logging.WARNING)
    assert aviso.tentativa == 1 and aviso.sqlstate == "40P01" and "escrever" in aviso.funcao


# ---------------------------------------------------------------- refused writes


@pytest.mark.django_db
def test_gravacao_recusada_pela_api_em_warning(cliente_papel, caplog):
    f.produto("P1")
    cliente = cliente_papel("Comercial")
    with caplog.at_level(logging.WARNING, logger="core.recusas"):
        resposta = cliente.post(
            "/api/estoque/movimentacoes",
            {"cod_produto": "P1", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 5},
            content_type="application/json",
        )
        assert resposta.status_code == 403
        assert cliente.get("/api/estoque/movimentacoes/1").status_code == 403  # a read: not logged
    (aviso,) = _registros(caplog, "core.recusas", logging.WARNING)
    assert (aviso.metodo, aviso.caminho, aviso.usuario) == ("POST", "/api/estoque/movimentacoes", "papel-comercial")


@pytest.mark.django_db
def test_post_recusado_numa_pagina_em_warning(cliente_papel, caplog):
    with caplog.at_level(logging.WARNING, logger="core.recusas"):
        assert cliente_papel("Comercial").post("/embarques/", {"acao": "criar"}).status_code == 403
    (aviso,) = _registros(caplog, "core.recusas", logging.WARNING)
    assert (aviso.metodo, aviso.caminho, aviso.usuario) == ("POST", "/embarques/", "papel-comercial")


# ---------------------------------------------------------------- django-q2 tasks


def test_tarefa_que_falha_em_error(caplog):
    falhou = {"id": "abc", "name": "reconciliacao", "func": "estoque.tasks.reconciliar_estoque", "success": False}
    with caplog.at_level(logging.INFO, logger="core.tarefas"):
        post_execute.send(sender="django_q", task={**falhou, "result": "Traceback ... ValueError: quebrou"})
        post_execute.send(sender="django_q", task={**falhou, "id": "def", "success": True, "result": "ok"})
    (erro,) = _registros(caplog, "core.tarefas")
    assert erro.levelno == logging.ERROR
    assert (erro.tarefa_id, erro.funcao) == ("abc", "estoque.tasks.reconciliar_estoque")
    assert "ValueError: quebrou" in erro.erro
