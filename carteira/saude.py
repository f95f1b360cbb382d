"""The carteira's health check (core.saude): the last Odoo sync did not fail.

Only when a sync is configured (ODOO_URL); no run yet is not a failure. A run waiting for
confirmation is not one either: it is the sync doing its job (the admin shows it).
"""

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao.configuracao import configuracao
from core.saude import Verificacao

Status = SincronizacaoCarteira.Status


def configurada() -> bool:
    return bool(str(configuracao("ODOO_URL", "") or "").strip())


def sincronizacao() -> Verificacao:
    if not configurada():
        return Verificacao(True, "sincronização com o Odoo não configurada")
    ultima = (
        SincronizacaoCarteira.objects.filter(origem=SincronizacaoCarteira.Origem.ODOO)
        .exclude(status__in=[Status.SIMULACAO, Status.EM_ANDAMENTO])
        .order_by("-iniciado_em", "-pk")
        .values_list("pk", "status")
        .first()
    )
    if ultima is None:
        return Verificacao(True, "nenhuma sincronização com o Odoo ainda")
    pk, status = ultima
    if status == Status.FALHA:
        return Verificacao(False, f"a última sincronização com o Odoo (nº {pk}) falhou")
    return Verificacao(True, f"última sincronização com o Odoo: nº {pk}, {Status(status).label}")
