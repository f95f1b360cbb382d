"""django-q2 entry points: thin wrappers over the services. Errors propagate (the task fails)."""

from estoque.models import ReconciliacaoExecucao
from estoque.services import alertas, reconciliacao, reconstrucao


def reconciliar_estoque():
    execucao, encontrados = reconciliacao.reconciliar(origem=ReconciliacaoExecucao.Origem.AGENDAMENTO)
    return f"{execucao.produtos_verificados} verificados, {len(encontrados)} corrigidos"


def virada_do_dia():
    total = reconstrucao.recalcular_d7_todos()
    # A ruptura can enter D+7 just by the window moving: detect after the new D+7 is stored.
    novos = alertas.detectar_virada()
    return f"D+7 recalculado para {total} produtos; {len(novos)} alerta(s) de ruptura"
