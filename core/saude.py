"""Health: `GET /saude/` for load balancers and monitoring, and the checks behind it.

Each check answers a Verificacao (ok, and a detail for operators). Two are generic and live
here: the database answers, and a django-q2 cluster is alive. The apps register theirs in their
AppConfig.ready (estoque: the reconciliation ran recently; carteira: the last Odoo sync did not
fail), so core imports no app.

The cluster heartbeat: every cluster saves its status (django_q.status.Stat) every half second
with a 3 s expiry, in Redis or, with the ORM broker, in the shared cache (settings: Q_CLUSTER
"cache"). The Stat does not say which queue its cluster serves, so this check passes with any
cluster alive; the reconciliation check (it runs on the default cluster every
ESTOQUE_RECONCILIACAO_MINUTOS) is what shows the default cluster doing its work.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

# The Operação page (operacao.views) and who sees the health details (ages, counts, messages):
# what the page shows. Gestão has them all (Estoque reads the reconciliations only).
PERMISSOES_OPERACAO = (
    "django_q.view_ormq",
    "django_q.view_success",
    "django_q.view_failure",
    "estoque.view_reconciliacaoexecucao",
    "carteira.view_sincronizacaocarteira",
)
# A heartbeat older than this is a cluster that stopped (its entry expires in 3 s anyway).
BATIMENTO_MAXIMO = timedelta(seconds=30)


@dataclass(frozen=True)
class Verificacao:
    ok: bool
    detalhe: str = ""


_VERIFICACOES: dict[str, Callable[[], Verificacao]] = {}
# What the Operação page calls each check (the JSON keeps the names).
ROTULOS = {"banco": "Banco de dados", "cluster": "Cluster django-q2"}


def registrar(nome: str, verificacao: Callable[[], Verificacao], rotulo: str = ""):
    """An app's health check (AppConfig.ready). A check that raises counts as a failure."""
    _VERIFICACOES[nome] = verificacao
    ROTULOS[nome] = rotulo or nome


def banco() -> Verificacao:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return Verificacao(True, "o banco respondeu")


def clusters() -> list:
    """The status of every django-q2 cluster with a live heartbeat (django_q.status.Stat)."""
    from django_q.status import Stat

    return Stat.get_all()


def cluster() -> Verificacao:
    from django_q.conf import Conf

    agora = timezone.now()
    parados = {str(Conf.STOPPED), str(Conf.STOPPING)}
    vivos = [
        stat
        for stat in clusters()
        if str(stat.status) not in parados and stat.timestamp and agora - stat.timestamp <= BATIMENTO_MAXIMO
    ]
    if not vivos:
        return Verificacao(False, "nenhum cluster django-q2 com batimento recente")
    workers = sum(len(stat.workers) for stat in vivos)
    return Verificacao(True, f"{len(vivos)} cluster(s) ativo(s), {workers} worker(s)")


def _verificacoes() -> dict[str, Callable[[], Verificacao]]:
    return {"banco": banco, "cluster": cluster, **_VERIFICACOES}


def verificar() -> dict[str, Verificacao]:
    """Run every check; the database first (the others read it: with it down they all fail)."""
    resultados = {}
    for nome, funcao in _verificacoes().items():
        try:
            resultados[nome] = funcao()
        except Exception as erro:  # a check that cannot run is a failed check, not a 500
            resultados[nome] = Verificacao(False, f"{type(erro).__name__}: {erro}")
    return resultados


@never_cache
@require_safe
def saude(request):
    """200 {"status": "ok"} or 503 {"status": "falha", "verificacoes": {nome: "ok"|"falha"}}.

    No login, no session, no CSRF: load balancers call it. Anonymous callers learn only the
    status of each check; a user who may open the Operação page also gets each check's detail.
    """
    resultados = verificar()
    saudavel = all(resultado.ok for resultado in resultados.values())
    corpo: dict = {"status": "ok" if saudavel else "falha"}
    if not saudavel:
        corpo["verificacoes"] = {nome: "ok" if r.ok else "falha" for nome, r in resultados.items()}
    # The session lives in the database: with it down, no user to ask about.
    if resultados["banco"].ok and request.user.is_authenticated and request.user.has_perms(PERMISSOES_OPERACAO):
        corpo["detalhes"] = {nome: r.detalhe for nome, r in resultados.items()}
    return JsonResponse(corpo, status=200 if saudavel else 503, json_dumps_params={"ensure_ascii": False})
