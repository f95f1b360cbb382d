"""Helpers of the stream tests: drive an async SSE view through Django's AsyncClient,
bounded in time (a stream that never answers fails the test; it never hangs the suite).

The scenario is an async function run with `rodar` from a sync test: ORM calls wrapped in
`sync_to_async` then run in the test's own thread (its database connection).
"""

import asyncio
import contextlib
import json

from asgiref.sync import async_to_sync

from core.hub import encerrar_hub

LIMITE_CENARIO_SEGUNDOS = 60


def rodar(cenario, *args, limite=LIMITE_CENARIO_SEGUNDOS):
    async def com_limite():
        try:
            return await asyncio.wait_for(cenario(*args), limite)
        finally:
            await encerrar_hub()  # its LISTEN connection closes with the scenario, not at GC

    return async_to_sync(com_limite)()


def blocos(texto: str) -> list[dict]:
    """SSE blocks as {field: value} (comment lines dropped)."""
    saida = []
    for bloco in texto.split("\n\n"):
        campos = {}
        for linha in bloco.splitlines():
            if linha.startswith(":") or ": " not in linha:
                continue
            nome, valor = linha.split(": ", 1)
            campos[nome] = valor
        if campos:
            saida.append(campos)
    return saida


def eventos_de(texto: str) -> list[tuple[str, dict]]:
    return [(b["event"], json.loads(b["data"])) for b in blocos(texto) if "event" in b]


class LeitorSSE:
    """Reads an async streaming response event by event."""

    def __init__(self, resposta):
        self.resposta = resposta
        self._partes = resposta.streaming_content.__aiter__()
        self._buffer = ""
        self._pendente: asyncio.Future | None = None  # the next chunk, still awaited
        self.ids: list[str] = []

    async def proximo(self, segundos: float) -> tuple[str, dict]:
        """The next named event; TimeoutError when none comes within `segundos`."""
        fim = asyncio.get_running_loop().time() + segundos
        while True:
            while "\n\n" in self._buffer:
                bloco, self._buffer = self._buffer.split("\n\n", 1)
                campos = blocos(bloco + "\n\n")
                if not campos:
                    continue
                if "id" in campos[0]:
                    self.ids.append(campos[0]["id"])
                if "event" in campos[0]:
                    return campos[0]["event"], json.loads(campos[0]["data"])
            restante = fim - asyncio.get_running_loop().time()
            if restante <= 0:
                raise TimeoutError
            # A timeout must not cancel the stream's generator (that would end it): the
            # pending read is kept for the next call.
            if self._pendente is None:
                self._pendente = asyncio.ensure_future(self._partes.__anext__())
            feitos, _ = await asyncio.wait({self._pendente}, timeout=restante)
            if not feitos:
                raise TimeoutError
            parte, self._pendente = self._pendente.result(), None
            self._buffer += parte.decode() if isinstance(parte, bytes) else parte

    async def esperar(self, nome: str, segundos: float, condicao=lambda dados: True) -> dict:
        """Skip events until one named `nome` whose data meets `condicao`."""
        fim = asyncio.get_running_loop().time() + segundos
        while True:
            restante = fim - asyncio.get_running_loop().time()
            tipo, dados = await self.proximo(max(restante, 0.01))
            if tipo == nome and condicao(dados):
                return dados

    async def coletar(self, segundos: float) -> list[tuple[str, dict]]:
        """Every named event that arrives within `segundos`."""
        vistos = []
        fim = asyncio.get_running_loop().time() + segundos
        while (restante := fim - asyncio.get_running_loop().time()) > 0:
            try:
                vistos.append(await self.proximo(restante))
            except TimeoutError:
                break
        return vistos

    async def fechar(self):
        """End the stream as a client going away does: Django cancels the task that is
        reading it, and the cancellation runs through every generator's `finally` (slots,
        subscriptions)."""
        if self._pendente is None:
            self._pendente = asyncio.ensure_future(self._partes.__anext__())
            await asyncio.sleep(0.05)  # let the read reach the stream's wait
        self._pendente.cancel()
        with contextlib.suppress(asyncio.CancelledError, StopAsyncIteration):
            await self._pendente
        self._pendente = None
