"""django-q2 entry points of the carteira: thin wrappers over the services. Errors propagate (the task fails)."""

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao import servico


def sincronizar_carteira_odoo():
    """The scheduled sync. It never confirms: a run that needs confirmation is recorded
    AGUARDANDO_CONFIRMACAO with its plan (the admin shows it) and the task says so."""
    execucao = servico.sincronizar_odoo(gatilho=SincronizacaoCarteira.Gatilho.AGENDAMENTO)
    return servico.resumo(execucao)
