"""Change events for live screens: one PostgreSQL NOTIFY per affected product, after commit.

The delta itself is already committed with the source change; an event lost with a
crashed process only delays a screen refresh, never a number (docs/arquitetura.md seção 2).
"""

from django.conf import settings
from django.db import connections, transaction


def publicar(codigos, using="default"):
    conexao = connections[using]
    if conexao.vendor != "postgresql" or not codigos:
        return
    estado = conexao.__dict__.setdefault("_estoque_eventos", {"pendentes": set(), "enviar": None})
    registrado = estado["enviar"] is not None and any(
        entrada[1] is estado["enviar"] for entrada in conexao.run_on_commit
    )
    if not registrado:
        # A new transaction (or the previous one rolled back): start a fresh set and register
        # one callback that drains it, so each product gets one event per transaction.
        estado["pendentes"] = set()
        estado["enviar"] = lambda: _enviar(conexao, estado)
        transaction.on_commit(estado["enviar"], using=using)
    estado["pendentes"].update(codigos)


def _enviar(conexao, estado):
    codigos = sorted(estado["pendentes"])
    estado["pendentes"] = set()
    estado["enviar"] = None
    if not codigos:
        return
    with conexao.cursor() as cursor:
        cursor.execute(
            "SELECT pg_notify(%s, codigo) FROM unnest(%s::text[]) AS codigo",
            [settings.ESTOQUE_CANAL_NOTIFY, codigos],
        )
