"""The stock's health check (core.saude): the scheduled reconciliation ran recently.

It runs every ESTOQUE_RECONCILIACAO_MINUTOS on the default django-q2 cluster; a last run
(finished without error) older than three intervals means the cluster or its schedule stopped,
and drift would go unrepaired.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.saude import Verificacao
from estoque.models import ReconciliacaoExecucao

INTERVALOS_TOLERADOS = 3


def limite() -> timedelta:
    return timedelta(minutes=INTERVALOS_TOLERADOS * settings.ESTOQUE_RECONCILIACAO_MINUTOS)


def reconciliacao() -> Verificacao:
    ultima = (
        ReconciliacaoExecucao.objects.filter(
            origem=ReconciliacaoExecucao.Origem.AGENDAMENTO, finalizado_em__isnull=False, erro=""
        )
        .order_by("-finalizado_em")
        .values_list("finalizado_em", flat=True)
        .first()
    )
    if ultima is None:
        return Verificacao(False, "nenhuma reconciliação agendada concluída")
    idade = timezone.now() - ultima
    minutos = int(idade.total_seconds() // 60)
    if idade > limite():
        return Verificacao(False, f"última reconciliação agendada há {minutos} min (limite {limite()})")
    return Verificacao(True, f"última reconciliação agendada há {minutos} min")
