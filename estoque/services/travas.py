"""Lock order for every writer of the derived tables (PostgreSQL; SQLite serializes writers).

1. unification (shared for ordinary writers, exclusive for a change of groups),
2. separação lotes (sorted), because a lote's invoicing flag feeds its separações,
3. EstoqueTempoReal rows, sorted by principal code (estoque.services.derivacao).
Taking them always in this order is what keeps concurrent writers free of deadlocks.
"""
import zlib

from django.db import connections

CLASSE_UNIFICACAO = 7301
CLASSE_LOTE = 7302


def _pg(using):
    conexao = connections[using]
    return conexao if conexao.vendor == "postgresql" else None


def travar_unificacao(using="default", exclusivo=False):
    conexao = _pg(using)
    if conexao is None:
        return
    funcao = "pg_advisory_xact_lock" if exclusivo else "pg_advisory_xact_lock_shared"
    with conexao.cursor() as cursor:
        cursor.execute(f"SELECT {funcao}(%s, 0)", [CLASSE_UNIFICACAO])


def chave_lote(lote: str) -> int:
    return zlib.crc32(lote.encode()) & 0x7FFFFFFF


def travar_lotes(lotes, using="default"):
    conexao = _pg(using)
    chaves = sorted({chave_lote(lote) for lote in lotes if lote})
    if conexao is None or not chaves:
        return
    with conexao.cursor() as cursor:
        for chave in chaves:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CLASSE_LOTE, chave])
