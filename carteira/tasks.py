"""django-q2 entry points of the carteira: thin wrappers over the services. Errors propagate (the task fails)."""

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao import servico


def sincronizar_carteira_odoo():
    execucao = servico.sincronizar_odoo(gatilho=SincronizacaoCarteira.Gatilho.AGENDAMENTO)
    return (
        f"carteira sincronizada: {execucao.linhas_novas} novas, {execucao.linhas_removidas} removidas, "
        f"{execucao.linhas_reduzidas} reduzidas, {execucao.linhas_aumentadas} aumentadas, {execucao.alertas} alertas"
    )
