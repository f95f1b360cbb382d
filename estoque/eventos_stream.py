"""Live stock changes for open screens: an async SSE stream and its polling twin.

On PostgreSQL the stream subscribes to the process's hub (core.hub: one LISTEN connection
per server process on the `estoque` channel, one NOTIFY per product per transaction, sent
after commit by estoque.services.eventos). SQLite has no NOTIFY, so there the stream polls
EstoqueTempoReal.atualizado_em (which every write moves), sleeping between polls with no
connection held. Both deliver the same 'estoque' events.

Every event carries a cursor (its SSE id): the browser sends the last one back when it
reconnects (Last-Event-ID), and the polling endpoint takes it as `desde`. Catching up from
a cursor reads the rows changed since it minus SSE_MARGEM_SEGUNDOS (a transaction stamps
its rows before it commits), so a change may come twice, never not at all, unless its
transaction stayed open longer than the margin: then only the NOTIFY path carries it.
"""

import asyncio
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.hub import RESSINCRONIZAR, hub
from core.sse import BATIMENTO_SEGUNDOS, batimento, consultar, evento, ler_cursor, tentar_de_novo
from estoque.models import EstoqueTempoReal

AGRUPAR_SEGUNDOS = 0.03  # one transaction's NOTIFYs arrive together: one event for all of them
INTERVALO_SQLITE_SEGUNDOS = 0.5
ESPERA_LISTEN_SEGUNDOS = 5
MAXIMO_PRODUTOS = 2000  # beyond this a catch-up says "todos" (refresh everything) instead


def mudancas_desde(desde: datetime | None) -> dict:
    """{"cursor", "produtos": {principal code: atualizado_em}, "todos"} of the stock rows
    changed since `desde` (less the margin); nothing when `desde` is None (a fresh start)."""
    agora = timezone.now()
    resposta = {"cursor": agora.isoformat(), "produtos": {}, "todos": False}
    if desde is None:
        return resposta
    margem = timedelta(seconds=settings.SSE_MARGEM_SEGUNDOS)
    linhas = list(
        EstoqueTempoReal.objects.filter(atualizado_em__gt=desde - margem)
        .order_by()
        .values_list("cod_produto", "atualizado_em")[: MAXIMO_PRODUTOS + 1]
    )
    if len(linhas) > MAXIMO_PRODUTOS:
        resposta["todos"] = True
    else:
        resposta["produtos"] = {cod: momento.isoformat() for cod, momento in linhas}
    return resposta


class Vistos:
    """What this stream already announced ({code: atualizado_em}): the margin's overlap is
    not sent twice."""

    def __init__(self):
        self._vistos: dict[str, str] = {}

    def novos(self, produtos: dict[str, str]) -> set[str]:
        novos = {cod for cod, momento in produtos.items() if self._vistos.get(cod) != momento}
        self._vistos.update(produtos)
        if len(self._vistos) > 4 * MAXIMO_PRODUTOS:
            self._vistos.clear()  # bounded memory; at worst one repeated refresh
        return novos


async def mudancas(duracao_segundos: float, ultimo_id: str | None = None):
    """SSE text: 'pronto', then 'estoque' events {produtos, todos} with the changed principal
    codes, heartbeats between; ends after `duracao_segundos` (the browser reconnects)."""
    yield tentar_de_novo(2000)
    fim = time.monotonic() + duracao_segundos
    try:
        cursor = ler_cursor(ultimo_id)
    except ValueError:
        cursor = None
    if connection.vendor == "postgresql":
        fluxo = _por_notify(fim, cursor)
    else:
        fluxo = _por_consulta(fim, cursor)
    async for parte in fluxo:
        yield parte


def _estoque(produtos: set[str], todos: bool, cursor: datetime) -> str:
    return evento("estoque", {"produtos": sorted(produtos), "todos": todos}, cursor.isoformat())


async def _coletar(fila: asyncio.Queue, espera: float) -> tuple[set[str], bool]:
    """Wait up to `espera` for a notification, then gather the rest of its burst:
    (codes, whether the hub asked to catch up)."""
    produtos: set[str] = set()
    ressincronizar = False
    limite = espera
    while True:
        try:
            item = await asyncio.wait_for(fila.get(), limite)
        except TimeoutError:
            return produtos, ressincronizar
        if item is RESSINCRONIZAR:
            ressincronizar = True
        else:
            produtos.add(item)
        limite = AGRUPAR_SEGUNDOS


async def _por_notify(fim: float, desde: datetime | None):
    vistos = Vistos()
    cursor = desde or timezone.now()  # everything up to here was delivered
    atrasado = desde is not None  # a reconnection: catch up from the client's cursor first
    central = hub()
    async with central.assinar(settings.ESTOQUE_CANAL_NOTIFY) as fila:
        if not await central.esperar_conexao(ESPERA_LISTEN_SEGUNDOS):
            atrasado = True
        yield evento("pronto", {"modo": "notify"}, cursor.isoformat())
        ultimo_envio = time.monotonic()
        espera = 0.0 if atrasado else BATIMENTO_SEGUNDOS  # a reconnection catches up at once
        while (restante := fim - time.monotonic()) > 0:
            produtos, ressincronizar = await _coletar(fila, min(espera, restante))
            atrasado = atrasado or ressincronizar or not central.conectado.is_set()
            todos = False
            if atrasado:
                # Notifications may have been lost (LISTEN down, queue overflow): read what changed.
                ouvindo = central.conectado.is_set()
                try:
                    resultado = await consultar(mudancas_desde, cursor)
                except Exception:
                    resultado = None  # database unreachable: the cursor stays, try again soon
                if resultado is not None:
                    produtos |= vistos.novos(resultado["produtos"])
                    todos = resultado["todos"]
                    cursor = ler_cursor(resultado["cursor"]) or cursor
                    atrasado = not ouvindo  # caught up, and live only if LISTEN was already up
            else:
                cursor = timezone.now()
            if produtos or todos:
                yield _estoque(produtos, todos, cursor)
                ultimo_envio = time.monotonic()
            elif time.monotonic() - ultimo_envio >= BATIMENTO_SEGUNDOS:
                yield batimento(cursor.isoformat())
                ultimo_envio = time.monotonic()
            espera = 2.0 if atrasado else BATIMENTO_SEGUNDOS


async def _por_consulta(fim: float, desde: datetime | None):
    vistos = Vistos()
    cursor = desde or timezone.now()
    resultado = await consultar(mudancas_desde, cursor)
    novos = vistos.novos(resultado["produtos"])
    if desde is None:
        novos = set()  # a fresh start: what changed before it is already on the page
    cursor = ler_cursor(resultado["cursor"]) or cursor
    yield evento("pronto", {"modo": "consulta"}, cursor.isoformat())
    if novos or resultado["todos"]:
        yield _estoque(novos, resultado["todos"], cursor)
    ultimo_envio = time.monotonic()
    while time.monotonic() < fim:
        await asyncio.sleep(INTERVALO_SQLITE_SEGUNDOS)
        try:
            resultado = await consultar(mudancas_desde, cursor)
        except Exception:
            continue  # database busy or gone: the cursor stays, the next poll catches up
        cursor = ler_cursor(resultado["cursor"]) or cursor
        novos = vistos.novos(resultado["produtos"])
        if novos or resultado["todos"]:
            yield _estoque(novos, resultado["todos"], cursor)
            ultimo_envio = time.monotonic()
        elif time.monotonic() - ultimo_envio > BATIMENTO_SEGUNDOS:
            yield batimento(cursor.isoformat())
            ultimo_envio = time.monotonic()
