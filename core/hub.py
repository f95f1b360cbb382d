"""One PostgreSQL LISTEN connection per server process, fanned out to its open streams.

Every stream of a process subscribes here (an asyncio queue per stream) instead of holding
a connection of its own: 200 open streams cost one connection, not 200. The hub starts
with its first subscriber and then stays (one per event loop: uvicorn runs one loop per
process); when the connection drops (PostgreSQL restarted, network) it reconnects with
backoff and tells every subscriber to RESSINCRONIZAR, since notifications sent while it
was away are lost. The channels are `settings.SSE_CANAIS_NOTIFY`.
"""

import asyncio
import contextvars
import logging
import os
import random
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import psycopg
from django.conf import settings

from core.sse import conninfo

logger = logging.getLogger(__name__)

RESSINCRONIZAR = object()  # marker: events may have been lost, catch up from the cursor
FILA_MAXIMA = 1000
SILENCIO_SEGUNDOS = 30  # a silent connection is probed this often (a dead peer is found)
ESPERA_MINIMA, ESPERA_MAXIMA = 0.5, 30.0


class Hub:
    def __init__(self):
        self._assinantes: dict[str, set[asyncio.Queue]] = {}
        self._tarefa: asyncio.Task | None = None
        self.conectado = asyncio.Event()
        self.conexoes = 0  # how many times the LISTEN connection was (re)established

    @asynccontextmanager
    async def assinar(self, canal: str) -> AsyncIterator[asyncio.Queue]:
        """A queue of the channel's payloads (str) and RESSINCRONIZAR markers."""
        if canal not in settings.SSE_CANAIS_NOTIFY:
            raise ValueError(f"canal {canal!r} fora de SSE_CANAIS_NOTIFY")
        fila: asyncio.Queue = asyncio.Queue(maxsize=FILA_MAXIMA)
        self._assinantes.setdefault(canal, set()).add(fila)
        self._iniciar()
        try:
            yield fila
        finally:
            self._assinantes[canal].discard(fila)

    async def esperar_conexao(self, segundos: float) -> bool:
        try:
            await asyncio.wait_for(self.conectado.wait(), segundos)
        except TimeoutError:
            return False
        return True

    async def encerrar(self):
        """Stops listening and closes the connection now (the event loop is ending)."""
        if self._tarefa is not None and not self._tarefa.done():
            self._tarefa.cancel()
            with suppress(asyncio.CancelledError):
                await self._tarefa
        self._tarefa = None

    def _iniciar(self):
        if self._tarefa is None or self._tarefa.done():
            # A context of its own: the task must not inherit the first request's
            # (its sync-thread executor ends with that request).
            self._tarefa = asyncio.get_running_loop().create_task(self._escutar(), context=contextvars.Context())

    def _difundir(self, canal: str, mensagem):
        for fila in list(self._assinantes.get(canal, ())):
            try:
                fila.put_nowait(mensagem)
            except asyncio.QueueFull:
                # A stream this far behind catches up from its cursor instead.
                while not fila.empty():
                    fila.get_nowait()
                fila.put_nowait(RESSINCRONIZAR)

    async def _escutar(self):
        espera = ESPERA_MINIMA
        while True:
            antes = self.conexoes
            try:
                await self._sessao()
            except asyncio.CancelledError:
                raise
            except Exception as erro:
                logger.warning("LISTEN caiu (%s: %s); nova tentativa em %.1f s", type(erro).__name__, erro, espera)
            finally:
                self.conectado.clear()
            if self.conexoes > antes:
                espera = ESPERA_MINIMA  # it had connected: the backoff starts over
            await asyncio.sleep(espera * random.uniform(0.8, 1.2))
            espera = min(espera * 2, ESPERA_MAXIMA)

    async def _sessao(self):
        info = conninfo(
            application_name=f"estoque-sse-{os.getpid()}",
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=30,
            keepalives_interval=10,
            keepalives_count=3,
        )
        conexao = await psycopg.AsyncConnection.connect(info, autocommit=True)
        try:
            for canal in settings.SSE_CANAIS_NOTIFY:
                await conexao.execute(f'LISTEN "{canal}"')
            self.conexoes += 1
            self.conectado.set()
            if self.conexoes > 1:
                logger.info("LISTEN restabelecido; os streams abertos recuperam o que perderam")
                for canal in self._assinantes:
                    self._difundir(canal, RESSINCRONIZAR)
            while True:
                avisos = conexao.notifies(timeout=SILENCIO_SEGUNDOS)
                try:
                    async for aviso in avisos:
                        self._difundir(aviso.channel, aviso.payload)
                finally:
                    # Closed here, not left to the garbage collector: it holds the connection's lock.
                    await avisos.aclose()
                await conexao.execute("SELECT 1")  # silence: is the server still there?
        finally:
            await conexao.close()


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """This process's hub (one per running event loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]


async def encerrar_hub():
    """Closes the running loop's hub, if it has one (a loop that ends with the hub's task
    pending would leave its connection open until garbage collection)."""
    central = _hubs.pop(asyncio.get_running_loop(), None)
    if central is not None:
        await central.encerrar()
