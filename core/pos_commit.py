"""Work that runs after a commit (events for live screens, notifications): it must never
turn a committed write into an error.

By the time an on_commit callback runs the write is durable; an exception escaping from
it would answer 500 for a write that happened, and the client, retrying, would record it
twice. So every callback goes through `no_commit`: a failure is logged at ERROR with its
context (what was being announced) and the request goes on.
"""

import logging
from collections.abc import Callable

from django.db import connections, transaction

logger = logging.getLogger(__name__)


def no_commit(
    funcao: Callable[[], None], descricao: str | Callable[[], str], using: str = "default"
) -> Callable[[], None]:
    """Register `funcao` to run after the current transaction commits (at once in autocommit);
    returns the registered callback. `descricao` (or a callable giving it at failure time)
    says what was being done, for the log."""

    def seguro():
        try:
            funcao()
        except Exception:
            contexto = descricao() if callable(descricao) else descricao
            logger.exception("Falha depois do commit (%s): a gravação foi confirmada e continua valendo", contexto)

    transaction.on_commit(seguro, using=using)
    return seguro


def notificar(canal: str, payloads: list[str], using: str = "default"):
    """One PostgreSQL NOTIFY per payload on `canal` (call it after commit: see `no_commit`)."""
    if not payloads:
        return
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, p) FROM unnest(%s::text[]) AS p", [canal, payloads])
