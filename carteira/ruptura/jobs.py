"""Background analysis of many orders: lots processed by django-q2 workers.

The first lot is small (TAMANHO_LOTE orders: the page shows its first results within a
second) and each next one twice the last, up to TAMANHO_MAXIMO_LOTE: a lot's fixed cost
(its queries, the broker, the stored row) is paid a few dozen times for the whole carteira
instead of once per 20 orders, and the lots are enqueued in order, the small ones first.
From LOTE_COM_INSTANTANEO orders on, a worker judges its lots on one snapshot of the whole
catalog per analysis (analise.Instantaneo: read once, revalidated per lot by the stock rows'
stamps) instead of reading and projecting each lot's ~7,000 products again. A lot stores each
order's results without its lines' details (analisar_pedidos(detalhes=False)), as the JSON text
como_json writes; the page asks one order's lines (GET /api/carteira/pedidos/<num>/ruptura) when
it opens them.

The job and its lots live in the database (AnaliseRuptura / AnaliseRupturaLote), so the
stream that reports them works with any broker (ORM on SQLite, Redis) and any number of
web processes. The stream waits without a thread or a connection: on PostgreSQL a worker
that finishes a lot sends NOTIFY on the `ruptura` channel (payload: the analysis id) and the
stream, subscribed to its process's hub, reads the finished lots then; it also reads them
every few seconds, in case a notification was lost. On SQLite it reads them twice a second.
"""

import asyncio
import gc
import hashlib
import json
import logging
import time
import zlib
from contextlib import nullcontext
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_q.tasks import async_task

from carteira.models import AnaliseRuptura, AnaliseRupturaLote
from carteira.ruptura.analise import Instantaneo, analisar_pedidos, pedidos_em_aberto
from core.hub import hub
from core.pos_commit import no_commit, notificar
from core.sse import BATIMENTO, BATIMENTO_SEGUNDOS, consultar, evento, tentar_de_novo

logger = logging.getLogger(__name__)

TAMANHO_LOTE = 20  # the first lot
TAMANHO_MAXIMO_LOTE = 640  # 20 · 2⁵: whole carteira at scale 100 (30,000 orders) in ~50 lots
LOTE_COM_INSTANTANEO = 300  # lots this big judge on the process' snapshot of the catalog (instantaneo_para)
SEM_PROGRESSO_SEGUNDOS = 300
INTERVALO_SQLITE_SEGUNDOS = 0.5
INTERVALO_POSTGRES_SEGUNDOS = 5.0  # safety net under the notifications


CLASSE_TRAVA_RUPTURA = 7310  # pg advisory lock class (estoque.services.travas uses 7301..7302)


class FilaIndisponivel(Exception):
    """The task broker (Redis) cannot take the lots: nothing was started."""


def chave_do_conjunto(pedidos) -> str:
    return hashlib.sha256("\n".join(sorted(set(pedidos))).encode()).hexdigest()


def reaproveitavel(chave: str) -> AnaliseRuptura | None:
    """An analysis of the same orders started less than RUPTURA_REUSO_SEGUNDOS ago, or still
    running (lots pending, progress within SEM_PROGRESSO_SEGUNDOS): the page gets that one."""
    agora = timezone.now()
    candidatas = AnaliseRuptura.objects.filter(
        chave=chave,
        criado_em__gte=agora - timedelta(seconds=max(settings.RUPTURA_REUSO_SEGUNDOS, SEM_PROGRESSO_SEGUNDOS)),
    ).order_by("-criado_em")
    for analise in candidatas[:5]:
        if analise.criado_em >= agora - timedelta(seconds=settings.RUPTURA_REUSO_SEGUNDOS):
            return analise
        pendentes = AnaliseRupturaLote.objects.filter(analise=analise, concluido_em__isnull=True).exists()
        ultimo = (
            AnaliseRupturaLote.objects.filter(analise=analise, concluido_em__isnull=False)
            .order_by("-concluido_em")
            .values_list("concluido_em", flat=True)
            .first()
        ) or analise.criado_em
        if pendentes and ultimo >= agora - timedelta(seconds=SEM_PROGRESSO_SEGUNDOS):
            return analise
    return None


def _travar_conjunto(chave: str):
    """Two requests for the same set at once: the second waits and reuses the first's analysis."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [CLASSE_TRAVA_RUPTURA, zlib.crc32(chave.encode()) & 0x7FFFFFFF]
            )


def dividir_em_lotes(pedidos: list[str]) -> list[list[str]]:
    """TAMANHO_LOTE orders, then twice as many each lot up to TAMANHO_MAXIMO_LOTE (see the module)."""
    lotes, inicio, tamanho = [], 0, TAMANHO_LOTE
    while inicio < len(pedidos):
        lotes.append(pedidos[inicio : inicio + tamanho])
        inicio += tamanho
        tamanho = min(2 * tamanho, TAMANHO_MAXIMO_LOTE)
    return lotes


def iniciar(pedidos=None, usuario: str = "") -> AnaliseRuptura:
    """Create the job (default: every open order) and enqueue its lots on the ruptura cluster,
    or give back a recent or running analysis of the same orders (reaproveitavel).

    All or nothing: when the broker refuses a lot, the job is deleted and FilaIndisponivel
    raised; a lot the broker had already taken then finds no row and ends without work.
    The lots are enqueued after the commit, so a worker never looks for an uncommitted row."""
    pedidos = list(dict.fromkeys(pedidos)) if pedidos is not None else pedidos_em_aberto()
    lotes = dividir_em_lotes(pedidos)
    chave = chave_do_conjunto(pedidos)
    with transaction.atomic():
        _travar_conjunto(chave)
        existente = reaproveitavel(chave)
        if existente is not None:
            return existente
        analise = AnaliseRuptura.objects.create(
            criado_por=usuario, total_pedidos=len(pedidos), total_lotes=len(lotes), chave=chave
        )
        criados = AnaliseRupturaLote.objects.bulk_create(
            [AnaliseRupturaLote(analise=analise, indice=i, pedidos=lote) for i, lote in enumerate(lotes)]
        )
    try:
        for lote in criados:
            async_task(
                "carteira.ruptura.tasks.processar_lote",
                lote.pk,
                group=str(analise.pk),
                cluster=settings.RUPTURA_CLUSTER,
            )
    except Exception as erro:
        logger.error(
            "Fila de tarefas indisponível ao iniciar a análise de ruptura %s: %s: %s",
            analise.pk,
            type(erro).__name__,
            erro,
        )
        analise.delete()
        raise FilaIndisponivel(f"{type(erro).__name__}: {erro}") from erro
    return analise


def limpar_analises(horas: int | None = None) -> int:
    """Delete analyses (and their lots) older than RUPTURA_RETENCAO_HORAS; returns how many."""
    limite = timezone.now() - timedelta(hours=horas or settings.RUPTURA_RETENCAO_HORAS)
    _, por_modelo = AnaliseRuptura.objects.filter(criado_em__lt=limite).delete()
    return por_modelo.get(AnaliseRuptura._meta.label, 0)


# The snapshot of the analysis this worker process is running (analysis id, Instantaneo): kept
# from lot to lot of one analysis, replaced by the next analysis' (one at a time: ~100 MB at scale 100).
_instantaneo: tuple[object, Instantaneo] | None = None


def instantaneo_para(lote: AnaliseRupturaLote) -> Instantaneo | None:
    """The process' snapshot of this lot's analysis, read now if it has none: for lots of at least
    LOTE_COM_INSTANTANEO orders. The small first lots read only their own products, so the first
    results do not wait for the whole catalog's read."""
    global _instantaneo
    if len(lote.pedidos) < LOTE_COM_INSTANTANEO:
        return None
    hoje = timezone.localdate()
    if _instantaneo is None or _instantaneo[0] != lote.analise_id or _instantaneo[1].hoje != hoje:
        _instantaneo = None  # the previous analysis' snapshot goes before the next is read
        inicio = time.process_time()
        _instantaneo = (lote.analise_id, Instantaneo(hoje))
        logger.info(
            "análise de ruptura %s: instantâneo do catálogo lido em %.2f s de CPU (lote %s)",
            lote.analise_id,
            time.process_time() - inicio,
            lote.indice,
        )
    return _instantaneo[1]


def em_json(pedidos: list[str], instantaneo: Instantaneo | None = None) -> tuple[str, int]:
    """(JSON text of the analyses of these orders in their order, how many): what a lot stores,
    each order's results without its lines' details (the page asks one order's lines, judged
    then, when it opens them): at scale 100 the lines were ~100 MB of JSON per analysis, whose
    writing and storing cost more than judging them."""
    resultados = analisar_pedidos(pedidos, instantaneo=instantaneo, detalhes=False)
    analises = [resultados[num] for num in pedidos if num in resultados]
    return "[" + ",".join(analise.como_json() for analise in analises) + "]", len(analises)


def processar_lote(lote_id: int):
    lote = AnaliseRupturaLote.objects.filter(pk=lote_id).defer("resultados").first()
    if lote is None:
        # Its analysis was rolled back after the broker had taken this lot (see iniciar).
        logger.warning("lote %s da análise de ruptura não existe; nada a fazer", lote_id)
        return 0
    # No cyclic garbage collection during the lot: it makes tens of thousands of acyclic objects,
    # and each full collection would walk the whole snapshot of the catalog besides them.
    coletando = gc.isenabled()
    gc.disable()
    try:
        texto, quantos = em_json(lote.pedidos, instantaneo_para(lote))
    except Exception as erro:
        lote.erro = f"{type(erro).__name__}: {erro}"
        lote.concluido_em = timezone.now()
        lote.save(update_fields=["erro", "concluido_em"])
        _avisar(lote)
        raise
    finally:
        if coletando:
            gc.enable()
    lote.concluido_em = timezone.now()
    # The JSON text as written (como_json), not lote.resultados: encoding the dicts cost as much as the analysis.
    resultados_json = RawSQL("%s::jsonb", [texto]) if connection.vendor == "postgresql" else json.loads(texto)
    AnaliseRupturaLote.objects.filter(pk=lote.pk).update(resultados=resultados_json, concluido_em=lote.concluido_em)
    _avisar(lote)
    return quantos


def _avisar(lote: AnaliseRupturaLote):
    """Wake the streams following this analysis (PostgreSQL; SQLite streams poll)."""
    if connection.vendor == "postgresql":
        canal, analise = settings.RUPTURA_CANAL_NOTIFY, str(lote.analise_id)
        no_commit(lambda: notificar(canal, [analise]), f"NOTIFY {canal} da análise {analise}, lote {lote.indice}")


# ---------------------------------------------------------------- progress


def situacao(analise_id, desde: datetime | None = None) -> dict | None:
    """Progress of an analysis and its lots finished since `desde` (less the margin; all of
    them when None): what the stream sends and what the page polls when it has no stream."""
    analise = AnaliseRuptura.objects.filter(pk=analise_id).first()
    if analise is None:
        return None
    agora = timezone.now()
    prontos = AnaliseRupturaLote.objects.filter(analise_id=analise_id, concluido_em__isnull=False)
    concluidos = prontos.count()
    if desde is not None:
        prontos = prontos.filter(concluido_em__gt=desde - timedelta(seconds=settings.SSE_MARGEM_SEGUNDOS))
    total = analise.total_lotes
    return {
        "analise": str(analise.pk),
        "cursor": agora.isoformat(),
        "total_lotes": total,
        "lotes_concluidos": concluidos,
        "percentual": round(100 * concluidos / total) if total else 100,
        "concluida": concluidos >= total,
        "lotes": [
            {"indice": lote.indice, "resultados": lote.resultados or [], "erro": lote.erro}
            for lote in prontos.order_by("indice")
        ],
    }


def _lotes_novos(analise_id, enviados: set[int]) -> list[dict]:
    prontos = (
        AnaliseRupturaLote.objects.filter(analise_id=analise_id, concluido_em__isnull=False)
        .exclude(indice__in=enviados)
        .order_by("indice")
    )
    return [{"indice": lote.indice, "resultados": lote.resultados or [], "erro": lote.erro} for lote in prontos]


async def eventos(analise_id, total: int):
    """SSE text: 'progresso', one 'lote' per finished lot (results and progress), then 'fim'
    (or 'erro' when the workers make no progress for SEM_PROGRESSO_SEGUNDOS)."""
    yield tentar_de_novo(3000)
    yield evento(
        "progresso",
        {
            "analise": str(analise_id),
            "lotes_concluidos": 0,
            "total_lotes": total,
            "percentual": 100 if not total else 0,
        },
    )
    enviados: set[int] = set()
    postgres = connection.vendor == "postgresql"
    assinatura = hub().assinar(settings.RUPTURA_CANAL_NOTIFY) if postgres else nullcontext(None)
    ultimo_progresso = ultimo_envio = time.monotonic()
    async with assinatura as fila:
        while len(enviados) < total:
            try:
                novos = await consultar(_lotes_novos, analise_id, enviados)
            except Exception as erro:  # database unreachable for a moment: read again soon
                logger.warning("stream da análise %s: leitura dos lotes falhou (%s)", analise_id, erro)
                novos = []
            for lote in novos:
                enviados.add(lote["indice"])
                yield evento(
                    "lote",
                    {
                        **lote,
                        "lotes_concluidos": len(enviados),
                        "total_lotes": total,
                        "percentual": round(100 * len(enviados) / total),
                    },
                )
                ultimo_progresso = ultimo_envio = time.monotonic()
            if len(enviados) >= total:
                break
            if time.monotonic() - ultimo_progresso > SEM_PROGRESSO_SEGUNDOS:
                yield evento(
                    "erro",
                    {
                        "mensagem": "Os workers não concluíram nenhum lote nos últimos minutos. "
                        "O cluster django-q2 está rodando?"
                    },
                )
                return
            if time.monotonic() - ultimo_envio >= BATIMENTO_SEGUNDOS:
                yield BATIMENTO
                ultimo_envio = time.monotonic()
            await _esperar_lote(fila, str(analise_id))
    yield evento("fim", {"analise": str(analise_id), "lotes_concluidos": len(enviados), "total_lotes": total})


async def _esperar_lote(fila: asyncio.Queue | None, analise: str):
    """Until a notification for this analysis (or any catch-up marker), or the poll interval."""
    if fila is None:
        await asyncio.sleep(INTERVALO_SQLITE_SEGUNDOS)
        return
    fim = time.monotonic() + INTERVALO_POSTGRES_SEGUNDOS
    while (restante := fim - time.monotonic()) > 0:
        try:
            item = await asyncio.wait_for(fila.get(), restante)
        except TimeoutError:
            return
        if item == analise or not isinstance(item, str):
            return
