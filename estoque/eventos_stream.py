"""Server-Sent Events of stock changes for live screens.

On PostgreSQL the stream LISTENs on the `estoque` channel (one NOTIFY per product, sent
after commit by estoque.services.eventos). SQLite has no NOTIFY, so there the stream polls
EstoqueTempoReal.atualizado_em, which every write moves; both deliver the same events.
The stream ends after a while and the browser's EventSource reconnects by itself.
"""

import time
from datetime import datetime

import psycopg
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.sse import BATIMENTO, BATIMENTO_SEGUNDOS, conninfo, evento, tentar_de_novo
from estoque.models import EstoqueTempoReal

AGRUPAR_SEGUNDOS = 0.2
INTERVALO_SQLITE_SEGUNDOS = 0.5


def mudancas(duracao_segundos: float):
    """Yield SSE text: 'estoque' events with the changed principal codes, heartbeats between."""
    yield tentar_de_novo(2000)
    if connection.vendor == "postgresql":
        yield from _mudancas_postgres(duracao_segundos)
    else:
        yield from _mudancas_por_consulta(duracao_segundos)


def _mudancas_postgres(duracao_segundos):
    fim = time.monotonic() + duracao_segundos
    with psycopg.connect(conninfo(), autocommit=True) as conexao:
        conexao.execute(f"LISTEN {settings.ESTOQUE_CANAL_NOTIFY}")
        yield evento("pronto", {"modo": "notify"})
        while time.monotonic() < fim:
            produtos = set()
            espera = min(BATIMENTO_SEGUNDOS, max(0.1, fim - time.monotonic()))
            for aviso in conexao.notifies(timeout=espera, stop_after=1):
                produtos.add(aviso.payload)
            if produtos:
                # Gather the rest of the burst (one transaction notifies every product it touched).
                for aviso in conexao.notifies(timeout=AGRUPAR_SEGUNDOS):
                    produtos.add(aviso.payload)
                yield evento("estoque", {"produtos": sorted(produtos)})
            else:
                yield BATIMENTO


def _mudancas_por_consulta(duracao_segundos):
    fim = time.monotonic() + duracao_segundos
    ultimo: datetime = timezone.now()
    yield evento("pronto", {"modo": "consulta"})
    ultimo_batimento = time.monotonic()
    while time.monotonic() < fim:
        time.sleep(INTERVALO_SQLITE_SEGUNDOS)
        linhas = list(
            EstoqueTempoReal.objects.filter(atualizado_em__gt=ultimo).values_list("cod_produto", "atualizado_em")
        )
        if linhas:
            ultimo = max(atualizado for _, atualizado in linhas)
            yield evento("estoque", {"produtos": sorted(cod for cod, _ in linhas)})
            ultimo_batimento = time.monotonic()
        elif time.monotonic() - ultimo_batimento > BATIMENTO_SEGUNDOS:
            yield BATIMENTO
            ultimo_batimento = time.monotonic()
        connection.close_if_unusable_or_obsolete()
