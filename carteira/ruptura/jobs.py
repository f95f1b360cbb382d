"""Background analysis of many orders: lots of 20 processed by django-q2 workers.

The job and its lots live in the database (AnaliseRuptura / AnaliseRupturaLote), so the
stream that reports them works with any broker (ORM on SQLite, Redis) and any number of
web processes.
"""

import time

from django.db import connection
from django.utils import timezone
from django_q.tasks import async_task

from carteira.models import AnaliseRuptura, AnaliseRupturaLote
from carteira.ruptura.analise import analisar_pedidos, pedidos_em_aberto
from core.sse import evento, tentar_de_novo

TAMANHO_LOTE = 20
SEM_PROGRESSO_SEGUNDOS = 300
INTERVALO_SEGUNDOS = 0.25


def iniciar(pedidos=None, usuario: str = "") -> AnaliseRuptura:
    """Create the job (default: every open order) and enqueue its lots."""
    pedidos = list(dict.fromkeys(pedidos)) if pedidos is not None else pedidos_em_aberto()
    lotes = [pedidos[i : i + TAMANHO_LOTE] for i in range(0, len(pedidos), TAMANHO_LOTE)]
    analise = AnaliseRuptura.objects.create(criado_por=usuario, total_pedidos=len(pedidos), total_lotes=len(lotes))
    criados = AnaliseRupturaLote.objects.bulk_create(
        [AnaliseRupturaLote(analise=analise, indice=i, pedidos=lote) for i, lote in enumerate(lotes)]
    )
    for lote in criados:
        async_task("carteira.ruptura.tasks.processar_lote", lote.pk, group=str(analise.pk))
    return analise


def processar_lote(lote_id: int):
    lote = AnaliseRupturaLote.objects.get(pk=lote_id)
    try:
        resultados = analisar_pedidos(lote.pedidos)
        lote.resultados = [resultados[num].como_dict() for num in lote.pedidos if num in resultados]
    except Exception as erro:
        lote.erro = f"{type(erro).__name__}: {erro}"
        lote.concluido_em = timezone.now()
        lote.save(update_fields=["erro", "concluido_em"])
        raise
    lote.concluido_em = timezone.now()
    lote.save(update_fields=["resultados", "concluido_em"])
    return len(lote.resultados)


def eventos(analise: AnaliseRuptura):
    """Yield SSE text: one 'lote' event per finished lot (results and progress), then 'fim'."""
    yield tentar_de_novo(3000)
    enviados: set[int] = set()
    ultimo_progresso = time.monotonic()
    total = analise.total_lotes
    yield evento(
        "progresso",
        {
            "analise": str(analise.pk),
            "lotes_concluidos": 0,
            "total_lotes": total,
            "percentual": 100 if not total else 0,
        },
    )
    while len(enviados) < total:
        prontos = list(
            AnaliseRupturaLote.objects.filter(analise=analise, concluido_em__isnull=False)
            .exclude(indice__in=enviados)
            .order_by("indice")
        )
        for lote in prontos:
            enviados.add(lote.indice)
            yield evento(
                "lote",
                {
                    "indice": lote.indice,
                    "resultados": lote.resultados or [],
                    "erro": lote.erro,
                    "lotes_concluidos": len(enviados),
                    "total_lotes": total,
                    "percentual": round(100 * len(enviados) / total),
                },
            )
            ultimo_progresso = time.monotonic()
        if len(enviados) >= total:
            break
        if time.monotonic() - ultimo_progresso > SEM_PROGRESSO_SEGUNDOS:
            yield evento(
                "erro",
                {
                    "mensagem": "Os workers não concluíram nenhum lote nos últimos minutos. O cluster django-q2 está rodando?"
                },
            )
            return
        time.sleep(INTERVALO_SEGUNDOS)
        connection.close_if_unusable_or_obsolete()
    yield evento("fim", {"analise": str(analise.pk), "lotes_concluidos": len(enviados), "total_lotes": total})
