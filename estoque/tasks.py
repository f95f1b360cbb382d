"""django-q2 entry points: thin wrappers over the services. Errors propagate (the task fails)."""

from estoque.models import ReconciliacaoExecucao
from estoque.services import reconciliacao, reconstrucao


def reconciliar_estoque():
    execucao, encontrados = reconciliacao.reconciliar(origem=ReconciliacaoExecucao.Origem.AGENDAMENTO)
    return f"{execucao.produtos_verificados} verificados, {len(encontrados)} corrigidos"


def virada_do_dia():
    total = reconstrucao.recalcular_d7_todos()
    return f"D+7 recalculado para {total} produtos"
