"""Server-Sent Events: the text format, the streaming response and the renderer DRF needs.

A stream is a generator of SSE text; the browser's EventSource reconnects by itself
(after the `retry` delay) when the stream ends.
"""

import json

from django.db import connection
from django.http import StreamingHttpResponse
from rest_framework.renderers import BaseRenderer

BATIMENTO_SEGUNDOS = 15
BATIMENTO = ": batimento\n\n"  # a comment line: keeps proxies from closing an idle stream


def evento(nome: str, dados) -> str:
    return f"event: {nome}\ndata: {json.dumps(dados, default=str)}\n\n"


def tentar_de_novo(milissegundos: int) -> str:
    """How long the browser waits before reconnecting when the stream ends."""
    return f"retry: {milissegundos}\n\n"


def resposta_sse(gerador) -> StreamingHttpResponse:
    resposta = StreamingHttpResponse(gerador, content_type="text/event-stream; charset=utf-8")
    resposta["Cache-Control"] = "no-cache"
    resposta["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return resposta


class EventStreamRenderer(BaseRenderer):
    """Lets content negotiation accept an EventSource's 'Accept: text/event-stream'."""

    media_type = "text/event-stream"
    format = "sse"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data, default=str).encode()


def conninfo() -> str:
    """libpq conninfo of Django's database, for a connection of its own that LISTENs
    (a LISTEN needs autocommit and outlives any request's transaction)."""
    dados = connection.settings_dict
    partes = {
        "dbname": dados["NAME"],
        "user": dados.get("USER") or "",
        "password": dados.get("PASSWORD") or "",
        "host": dados.get("HOST") or "",
        "port": str(dados.get("PORT") or ""),
    }
    return " ".join(f"{chave}='{valor}'" for chave, valor in partes.items() if valor)
