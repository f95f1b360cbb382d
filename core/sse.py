"""Server-Sent Events: the text format, the async streaming response, the per-user and
per-process caps, and the helpers that keep a waiting stream from holding anything.

A stream is an async generator of SSE text served by the ASGI server (uvicorn): while it
waits it holds no thread and no database connection. ORM work inside a stream goes through
`consultar`, which runs it briefly and closes the connection. The browser's EventSource
reconnects by itself (after the `retry` delay) when a stream ends, and sends back the `id`
of the last event it saw (Last-Event-ID), which the stream uses as a cursor to catch up.
"""

import asyncio
import contextvars
import json
import logging
import threading
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from asgiref.sync import SyncToAsync, sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection, connections
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import APIException
from rest_framework.request import Request

logger = logging.getLogger(__name__)

BATIMENTO_SEGUNDOS = 15
BATIMENTO = ": batimento\n\n"  # a comment line: keeps proxies from closing an idle stream

T = TypeVar("T")


def evento(nome: str, dados, id_evento: str | None = None) -> str:
    cabeca = f"id: {id_evento}\n" if id_evento else ""
    return f"{cabeca}event: {nome}\ndata: {json.dumps(dados, default=str)}\n\n"


def batimento(cursor: str | None = None) -> str:
    """Keeps proxies from closing an idle stream; with a cursor it also moves the browser's
    Last-Event-ID (an id with no data updates it without dispatching an event)."""
    return BATIMENTO + (f"id: {cursor}\n\n" if cursor else "")


def tentar_de_novo(milissegundos: int) -> str:
    """How long the browser waits before reconnecting when the stream ends."""
    return f"retry: {milissegundos}\n\n"


def ler_cursor(texto: str | None) -> datetime | None:
    """A cursor given back by a client; ValueError when it is not one."""
    if not texto:
        return None
    try:
        momento = parse_datetime(texto.strip())
        if momento is None or momento.year < 2000:
            raise ValueError(texto)
        momento = momento if timezone.is_aware(momento) else timezone.make_aware(momento)
        # In UTC: PostgreSQL refuses offsets past ±15:59, which Python's parser accepts.
        return momento.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 has no UTC
        raise ValueError(texto) from None


def cursor_da_consulta(parametros, nome: str = "desde") -> datetime | None:
    """The cursor of a query string: absent means none; present, it must be one (empty included)."""
    if nome not in parametros:
        return None
    texto = parametros.get(nome) or ""
    if not texto.strip():
        raise ValueError(texto)
    return ler_cursor(texto)


def resposta_sse(gerador: AsyncIterator[str]) -> StreamingHttpResponse:
    resposta = StreamingHttpResponse(gerador, content_type="text/event-stream; charset=utf-8")
    resposta["Cache-Control"] = "no-cache"
    resposta["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return resposta


def conninfo(**extras) -> str:
    """libpq conninfo of Django's database, for a connection of its own that LISTENs
    (a LISTEN needs autocommit and outlives any request's transaction)."""
    dados = connection.settings_dict
    partes = {
        "dbname": dados["NAME"],
        "user": dados.get("USER") or "",
        "password": dados.get("PASSWORD") or "",
        "host": dados.get("HOST") or "",
        "port": str(dados.get("PORT") or ""),
        **{chave: str(valor) for chave, valor in extras.items()},
    }
    return " ".join(f"{chave}='{valor}'" for chave, valor in partes.items() if valor)


# ---------------------------------------------------------------- database work, briefly


def soltar_conexoes():
    """Close this thread's database connections: a waiting stream must not hold one.

    A connection inside a transaction (a test's atomic block) is left alone: closing it
    would doom the transaction."""
    for conexao in connections.all(initialized_only=True):
        if not conexao.in_atomic_block:
            conexao.close()


async def consultar(funcao: Callable[..., T], *args: Any) -> T:
    """Run ORM work from a stream briefly, then close the connection.

    Outside the request's thread-sensitive context, so it does not bring back the request's
    sync thread (see `soltar_thread_da_requisicao`): while streaming under the ASGI server it
    runs in asgiref's one shared sync thread; in a test driven by async_to_sync, in the
    test's thread (its connection)."""

    def rodar():
        try:
            return funcao(*args)
        finally:
            soltar_conexoes()

    contexto = contextvars.copy_context()
    # Not the request's thread. (asgiref types the variable as never None; its own check is .get(None).)
    contexto.run(SyncToAsync.thread_sensitive_context.set, None)  # type: ignore[arg-type]
    return await asyncio.create_task(sync_to_async(rodar, thread_sensitive=True)(), context=contexto)


def soltar_thread_da_requisicao():
    """Let the request's sync thread go while the stream waits.

    Django runs each ASGI request in an asgiref ThreadSensitiveContext whose executor (one
    thread, made by the sync parts of the middleware) lives until the response ends: for a
    stream, minutes of an idle thread. Once streaming starts nothing of the request needs it
    (the stream's ORM work goes through `consultar`), so it is shut down here; Django's own
    end-of-request work makes a new one for that moment. asgiref internals: if they change,
    this does nothing and the thread simply stays."""
    try:
        contexto = SyncToAsync.thread_sensitive_context.get(None)
        executor = SyncToAsync.context_to_thread_executor.pop(contexto, None) if contexto else None
    except (AttributeError, TypeError):
        return
    if executor is not None:
        executor.shutdown(wait=False)


# ---------------------------------------------------------------- who may open a stream


def _autenticar(request: HttpRequest):
    # The same authenticators as the JSON API (session for the pages, token for integrations).
    try:
        return Request(request, authenticators=[SessionAuthentication(), TokenAuthentication()]).user
    except APIException:
        return None


async def usuario_autenticado(request: HttpRequest):
    """The request's user, or None when anonymous or the credentials are bad."""
    usuario = await consultar(_autenticar, request)
    return usuario if usuario is not None and usuario.is_authenticated else None


def erro_json(mensagem: str, status: int, **cabecalhos) -> JsonResponse:
    resposta = JsonResponse({"detail": mensagem}, status=status, json_dumps_params={"ensure_ascii": False})
    for nome, valor in cabecalhos.items():
        resposta[nome.replace("_", "-")] = valor
    return resposta


def servidor_sem_streams(request: HttpRequest) -> JsonResponse | None:
    """Under WSGI a stream would be buffered whole before the first byte (Django consumes an
    async iterator to the end there): refuse it, and the page polls instead."""
    if isinstance(request, ASGIRequest):
        return None
    return erro_json(
        "Atualização ao vivo indisponível neste servidor (WSGI); a página consulta periodicamente. "
        "Use o servidor ASGI (uvicorn) para eventos ao vivo.",
        503,
        Retry_After="60",
    )


class LimiteStreams:
    """Open streams in this process, per user and in all: over a cap, 429 (the page polls).

    The counts are per process (each uvicorn worker has its own): with W workers a user can
    hold up to W x the per-user cap."""

    def __init__(self):
        self._trava = threading.Lock()
        self._por_usuario: Counter = Counter()
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    def reservar(self, usuario_id) -> JsonResponse | None:
        """Take a slot, or answer why not (the caller must `liberar` a slot it took)."""
        por_usuario, por_processo = settings.SSE_STREAMS_POR_USUARIO, settings.SSE_STREAMS_POR_PROCESSO
        with self._trava:
            if self._por_usuario[usuario_id] >= por_usuario:
                mensagem = (
                    f"Limite de {por_usuario} conexões ao vivo por usuário atingido (outras abas abertas). "
                    "Esta página passa a consultar as mudanças periodicamente."
                )
            elif self._total >= por_processo:
                mensagem = (
                    "O servidor atingiu o limite de conexões ao vivo. "
                    "Esta página passa a consultar as mudanças periodicamente."
                )
            else:
                self._por_usuario[usuario_id] += 1
                self._total += 1
                return None
        logger.warning("stream recusado (429): usuario=%s total=%s", usuario_id, self._total)
        return erro_json(mensagem, 429, Retry_After="60")

    def liberar(self, usuario_id):
        with self._trava:
            self._por_usuario[usuario_id] -= 1
            if self._por_usuario[usuario_id] <= 0:
                del self._por_usuario[usuario_id]
            self._total -= 1


LIMITE = LimiteStreams()


class _Vaga:
    """One reserved slot; released once, by whichever comes first: the stream's end or the
    garbage collection of a stream that never started (client gone before the first byte)."""

    def __init__(self, usuario_id):
        self.usuario_id = usuario_id
        self.livre = False

    def liberar(self):
        if not self.livre:
            self.livre = True
            LIMITE.liberar(self.usuario_id)


async def abrir_stream(
    request: HttpRequest,
    gerar: Callable[[Any], AsyncIterator[str]],
    verificar: Callable[[], Awaitable[HttpResponse | None]] | None = None,
    *,
    permissoes: tuple[str, ...],
):
    """The common door of every stream: ASGI only, authenticated, permitted, checked, within the caps.

    `permissoes`: the model permissions of what the stream shows (anonymous: 401; without
    them: 403, as the JSON API answers). `verificar()` may refuse the stream with a response
    (404 of what it follows);
    `gerar(usuario)` builds the stream's generator; the slot is released when the stream
    ends, however it ends (finished, client gone, error)."""
    usuario = await usuario_autenticado(request)
    if usuario is None:
        return erro_json("As credenciais de autenticação não foram fornecidas.", 401, WWW_Authenticate="Token")
    if not await consultar(usuario.has_perms, permissoes):
        return erro_json("Você não tem permissão para executar essa ação.", 403)
    recusa: HttpResponse | None = servidor_sem_streams(request)
    if recusa:
        return recusa
    if verificar is not None:
        recusa = await verificar()
        if recusa is not None:
            return recusa
    recusa = LIMITE.reservar(usuario.pk)
    if recusa:
        return recusa

    vaga = _Vaga(usuario.pk)

    async def com_vaga():
        try:
            soltar_thread_da_requisicao()
            async for parte in gerar(usuario):
                yield parte
        finally:
            vaga.liberar()

    fluxo = com_vaga()
    weakref.finalize(fluxo, vaga.liberar)
    return resposta_sse(fluxo)
