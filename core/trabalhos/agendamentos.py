"""The django-q2 schedule of the jobs' cleanup (old files, stalled jobs). Created by core's
migration 0002 and by `estoque_agendar`-style idempotent calls, never when a web process starts."""

LIMPEZA = "core: limpeza dos trabalhos em segundo plano"
FUNCAO = "core.trabalhos.tarefas.limpar"


def garantir_agendamento(schedule_model=None):
    """Create or update the hourly cleanup (idempotent). Accepts a migration's historical model."""
    if schedule_model is None:
        from django_q.models import Schedule

        schedule_model = Schedule
    agendamento, _ = schedule_model.objects.update_or_create(
        name=LIMPEZA,
        defaults={"func": FUNCAO, "schedule_type": "H", "repeats": -1},  # Schedule.HOURLY
    )
    return agendamento
