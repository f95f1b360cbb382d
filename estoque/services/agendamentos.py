"""The django-q2 schedules of the real-time stock. Created by a migration and by the
`estoque_agendar` command, never when a web process starts (docs/arquitetura.md seção 3.11)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from core.trabalhos.agendamentos import garantir

RECONCILIACAO = "estoque: reconciliação"
VIRADA = "estoque: virada do dia (D+7)"


def proxima_meia_noite(agora=None) -> datetime:
    fuso = ZoneInfo(settings.TIME_ZONE)
    agora = (agora or datetime.now(fuso)).astimezone(fuso)
    return datetime.combine(agora.date() + timedelta(days=1), time(0, 0, 5), tzinfo=fuso)


def garantir_agendamentos(schedule_model=None):
    """Create or update both schedules (idempotent). Accepts a migration's historical model."""
    if schedule_model is None:
        from django_q.models import Schedule

        schedule_model = Schedule
    garantir(
        RECONCILIACAO,
        "estoque.tasks.reconciliar_estoque",
        "I",  # Schedule.MINUTES
        schedule_model,
        minutes=max(1, settings.ESTOQUE_RECONCILIACAO_MINUTOS),
    )
    virada, criado = schedule_model.objects.get_or_create(
        name=VIRADA,
        defaults={
            "func": "estoque.tasks.virada_do_dia",
            "schedule_type": "D",  # Schedule.DAILY
            "repeats": -1,
            "next_run": proxima_meia_noite(),
        },
    )
    return virada
