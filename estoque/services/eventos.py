"""Change events for live screens: one PostgreSQL NOTIFY per affected product, after commit.

The delta itself is already committed with the source change; an event lost with a
crashed process, or a NOTIFY that fails, only delays a screen refresh, never a number
(docs/arquitetura.md seção 2): the failure is logged and the write answers as committed
(core.pos_commit). Screens that missed events catch up from the products' atualizado_em
(estoque.eventos_stream.mudancas_desde).
"""

from django.conf import settings
from django.db import connections

from core.pos_commit import no_commit, notificar


def publicar(codigos, using="default"):
    conexao = connections[using]
    if conexao.vendor != "postgresql" or not codigos:
        return
    estado = conexao.__dict__.setdefault("_estoque_eventos", {"pendentes": set(), "enviar": None})
    registrado = estado["enviar"] is not None and any(
        entrada[1] is estado["enviar"] for entrada in conexao.run_on_commit
    )
    if registrado:
        estado["pendentes"].update(codigos)
        return
    # A new transaction (or the previous one rolled back): start a fresh set and register one
    # callback that drains it, so each product gets one event per transaction. (In autocommit
    # the callback runs at once, inside no_commit: the set is filled before.)
    estado["pendentes"] = set(codigos)
    estado["enviando"] = []
    estado["enviar"] = None
    estado["enviar"] = no_commit(lambda: _enviar(estado, using), lambda: _descrever(estado), using)


def _enviar(estado, using):
    estado["enviando"] = codigos = sorted(estado["pendentes"])
    estado["pendentes"] = set()
    estado["enviar"] = None
    notificar(settings.ESTOQUE_CANAL_NOTIFY, codigos, using)


def _descrever(estado) -> str:
    codigos = estado["enviando"]
    amostra = ", ".join(codigos[:10]) + (" ..." if len(codigos) > 10 else "")
    return f"NOTIFY {settings.ESTOQUE_CANAL_NOTIFY} de {len(codigos)} produto(s): {amostra}"
