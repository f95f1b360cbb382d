"""The django-q2 schedule of the jobs' cleanup (old files, stalled jobs), and `garantir`, the
idempotent create-or-update every repeating schedule goes through. Created by migrations and
`estoque_agendar`-style idempotent calls, never when a web process starts."""

LIMPEZA = "core: limpeza dos trabalhos em segundo plano"
FUNCAO = "core.trabalhos.tarefas.limpar"


def garantir(nome: str, funcao: str, tipo: str, schedule_model=None, **campos):
    """Create or update the repeating schedule `nome` (idempotent): django-q2's schedule_type
    `tipo` and any other Schedule fields. Accepts a migration's historical model."""
    if schedule_model is None:
        from django_q.models import Schedule

        schedule_model = Schedule
    agendamento, _ = schedule_model.objects.update_or_create(
        name=nome, defaults={"func": funcao, "schedule_type": tipo, "repeats": -1, **campos}
    )
    return agendamento


def garantir_agendamento(schedule_model=None):
    """Create or update the hourly cleanup (idempotent). Accepts a migration's historical model."""
    return garantir(LIMPEZA, FUNCAO, "H", schedule_model)  # Schedule.HOURLY
