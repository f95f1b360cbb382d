"""The django-q2 schedule of the carteira sync. Created by migration 0003 and by
`sincronizar_carteira --agendar`, never when a web process starts (docs/arquitetura.md seção 3.11).

Interval: CARTEIRA_SINCRONIZACAO_MINUTOS (settings, else environment; default 30).
0 turns the schedule off (it is removed).
"""

import os

from django.conf import settings

from core.trabalhos.agendamentos import garantir

SINCRONIZACAO = "carteira: sincronização com o Odoo"
FUNCAO = "carteira.tasks.sincronizar_carteira_odoo"
PADRAO_MINUTOS = 30


def intervalo_minutos() -> int:
    valor = getattr(settings, "CARTEIRA_SINCRONIZACAO_MINUTOS", os.environ.get("CARTEIRA_SINCRONIZACAO_MINUTOS"))
    if valor in (None, ""):
        return PADRAO_MINUTOS
    try:
        return max(0, int(valor))
    except (TypeError, ValueError):
        raise ValueError(
            f"CARTEIRA_SINCRONIZACAO_MINUTOS inválido: {valor!r} (use um número inteiro de minutos)"
        ) from None


def garantir_agendamento(schedule_model=None):
    """Create, update or (interval 0) remove the schedule. Idempotent; accepts a migration's historical model."""
    if schedule_model is None:
        from django_q.models import Schedule

        schedule_model = Schedule
    minutos = intervalo_minutos()
    if minutos == 0:
        schedule_model.objects.filter(name=SINCRONIZACAO).delete()
        return None
    return garantir(SINCRONIZACAO, FUNCAO, "I", schedule_model, minutes=minutos)  # "I" = Schedule.MINUTES
