"""The unit of work of a writer: one transaction, retried when PostgreSQL picks it as a
deadlock or serialization victim.

Single-row writes take their locks in one global order (estoque/services/travas.py) and
cannot deadlock each other; a transaction that writes several rows takes them operation
by operation, so two of those can. PostgreSQL then aborts one; here that one runs again
from the start instead of the error reaching the caller. Only the outermost transaction
can be retried: inside someone else's atomic block the caller owns the retry.
"""

import logging
import random
import time
from functools import wraps

from django.db import OperationalError, connections, transaction

SQLSTATES_REPETIVEIS = {"40P01", "40001"}  # deadlock_detected, serialization_failure
TENTATIVAS = 6

logger = logging.getLogger(__name__)


def e_repetivel(erro: Exception) -> bool:
    causa = erro.__cause__ or erro
    return getattr(causa, "sqlstate", None) in SQLSTATES_REPETIVEIS


def executar(funcao, *args, using="default", antes_de_repetir=None, **kwargs):
    """Run funcao in a transaction; retry it whole if it is a deadlock victim."""
    if connections[using].in_atomic_block:
        # Inside the caller's transaction: a savepoint keeps the write and its delta
        # together; a retry, if any, is the outer unit's to make.
        with transaction.atomic(using=using):
            return funcao(*args, **kwargs)
    for tentativa in range(1, TENTATIVAS + 1):
        try:
            with transaction.atomic(using=using):
                return funcao(*args, **kwargs)
        except OperationalError as erro:
            if tentativa == TENTATIVAS or not e_repetivel(erro):
                raise
            # Expected under contention and handled here, but a steady stream of them is worth seeing.
            logger.warning(
                "Transação repetida (%s): vítima de deadlock ou de serialização, tentativa %s de %s",
                getattr(funcao, "__qualname__", funcao),
                tentativa,
                TENTATIVAS,
                extra={
                    "funcao": getattr(funcao, "__qualname__", str(funcao)),
                    "tentativa": tentativa,
                    "tentativas": TENTATIVAS,
                    "sqlstate": getattr(erro.__cause__ or erro, "sqlstate", None),
                },
            )
            if antes_de_repetir:
                antes_de_repetir()
            time.sleep(random.uniform(0.005, 0.05) * tentativa)


def atomico_com_retentativa(funcao=None, *, using="default"):
    """Decorator form of executar() for service functions that write several rows."""

    def decorar(f):
        @wraps(f)
        def envolvida(*args, **kwargs):
            return executar(f, *args, using=using, **kwargs)

        return envolvida

    return decorar(funcao) if funcao else decorar
