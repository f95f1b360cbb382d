"""Reads of the Operação page: a few small queries, each bounded."""

from django.conf import settings
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import OrmQ, Task

from carteira.models import SincronizacaoCarteira
from core import saude
from estoque.models import ReconciliacaoExecucao, ReparoEstoque

QUANTAS = 10


def reconciliacoes():
    return list(ReconciliacaoExecucao.objects.order_by("-iniciado_em", "-pk")[:QUANTAS])


def reparos():
    return list(
        ReparoEstoque.objects.select_related("execucao").order_by("-execucao__iniciado_em", "-pk")[: QUANTAS * 2]
    )


def sincronizacoes():
    return list(SincronizacaoCarteira.objects.order_by("-iniciado_em", "-pk")[:QUANTAS])


def filas() -> list[dict]:
    """Each queue (the default cluster's and the ruptura one): tasks waiting and taken by a worker."""
    nomes = [settings.Q_CLUSTER["name"], settings.RUPTURA_CLUSTER]
    resultado = []
    for nome in nomes:
        broker = get_broker(nome)
        resultado.append({"nome": nome, "pendentes": broker.queue_size(), "em_execucao": broker.lock_size()})
    return resultado


def em_execucao() -> list[dict]:
    """Tasks a worker took and has not finished: visible with the ORM broker only (OrmQ rows
    locked until their retry time); Redis keeps them in the worker."""
    if not settings.Q_CLUSTER.get("orm"):
        return []
    linhas = OrmQ.objects.filter(lock__gt=timezone.now()).order_by("lock")[:QUANTAS]
    return [{"nome": linha.name(), "funcao": linha.func(), "fila": linha.key} for linha in linhas]


def falhas():
    return list(
        Task.objects.filter(success=False)
        .order_by("-stopped")
        .only("id", "name", "func", "started", "stopped", "result", "attempt_count")[:QUANTAS]
    )


def _situacao(status) -> str:
    """django-q2's cluster status in pt-BR (its catalog has none)."""
    nomes = {
        str(Conf.STARTING): "Iniciando",
        str(Conf.IDLE): "Ocioso",
        str(Conf.WORKING): "Trabalhando",
        str(Conf.STOPPING): "Parando",
        str(Conf.STOPPED): "Parado",
    }
    return nomes.get(str(status), str(status))


def clusters() -> list[dict]:
    return [
        {
            "host": stat.host,
            "pid": stat.pid,
            "status": _situacao(stat.status),
            "workers": len(stat.workers),
            "desde": stat.tob,
            "batimento": stat.timestamp,
        }
        for stat in saude.clusters()
    ]


def painel() -> dict:
    return {
        "saude": [
            {"nome": nome, "rotulo": saude.ROTULOS.get(nome, nome), "ok": r.ok, "detalhe": r.detalhe}
            for nome, r in saude.verificar().items()
        ],
        "clusters": clusters(),
        "filas": filas(),
        "em_execucao": em_execucao(),
        "falhas": falhas(),
        "reconciliacoes": reconciliacoes(),
        "reparos": reparos(),
        "sincronizacoes": sincronizacoes(),
    }
