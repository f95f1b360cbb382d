"""The hot reads as statements PREPAREd once per PostgreSQL connection: planned once, not on
every request.

Planning was most of their time in the database: on the workspace read (POST consultar, 50
products) the session read planned in ~0.19 ms and ran in ~0.10 ms, the stock read planned in
~0.30 ms and ran in ~0.50 ms. With EXECUTE of a prepared statement each round trip measured
0.47-0.52 -> 0.28 ms and 1.34-1.40 -> 0.98 ms (same rows).

A prepared statement belongs to the connection (PREPARE survives a rolled-back transaction), so
each psycopg connection (a persistent one, one of the pool's, a new one after a PostgreSQL
restart) prepares it the first time it runs it. Only outside a transaction (the reads of a
request, in autocommit): there, a connection that lost its statement (DISCARD ALL by a pooler, a
changed table) prepares it again and runs it; inside a transaction that error would abort it,
so the plain statement runs instead. Other databases: the plain statement.
"""

import itertools
import re
import weakref

import psycopg.errors
from django.db import DatabaseError

# psycopg connection -> the names prepared on it (weak: a closed connection takes its entry along).
_preparadas: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()
_MARCA = re.compile(r"%s")
# What a connection answers when the statement it was asked to EXECUTE is gone or no longer fits.
_PERDIDA = (psycopg.errors.InvalidSqlStatementName, psycopg.errors.FeatureNotSupported)


def executar(conexao, cursor, nome: str, sql: str, tipos: tuple[str, ...], parametros: list) -> None:
    """cursor.execute(sql, parametros); on PostgreSQL outside a transaction, as EXECUTE of `sql`
    PREPAREd as `nome` on this connection. `tipos`: the PostgreSQL type of each %s, in order."""
    if conexao.vendor != "postgresql" or conexao.in_atomic_block:
        cursor.execute(sql, parametros)
        return
    assert len(tipos) == len(parametros), nome
    nativa = conexao.connection
    nomes = _preparadas.setdefault(nativa, set())
    execucao = f"EXECUTE {nome}({', '.join(f'%s::{tipo}' for tipo in tipos)})"
    if nome in nomes:
        try:
            cursor.execute(execucao, parametros)
            return
        except DatabaseError as erro:
            if not isinstance(erro.__cause__, _PERDIDA):
                raise
            cursor.execute("DEALLOCATE ALL")  # whatever else is on it is stale too
            nomes.clear()
    cursor.execute(f"PREPARE {nome}({', '.join(tipos)}) AS {_numerar(sql, len(tipos))}")
    nomes.add(nome)
    cursor.execute(execucao, parametros)


def _numerar(sql: str, parametros: int) -> str:
    """%s, %s, ... -> $1, $2, ...: PREPARE's parameters (checked once, when preparing)."""
    assert "%%" not in sql and sql.count("%s") == parametros, sql
    contador = itertools.count(1)
    return _MARCA.sub(lambda _: f"${next(contador)}", sql)
