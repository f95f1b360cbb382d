"""Many rows in one short PostgreSQL statement: one array parameter per column.

A multi-row `VALUES (%s, %s), ...` or `IN (%s, ...)` of thousands of placeholders costs more on
the client than on the server: psycopg parses every long statement again (it only caches short
ones) to turn the placeholders into its own. At scale 100 that parsing was a third of a rebuild
from empty tables. `unnest(%s::tipo[], ...)` and `= ANY(%s)` keep the statement short and fixed.
"""

from collections.abc import Sequence


def tabela(colunas: Sequence[tuple[str, str]], linhas: Sequence[Sequence]) -> tuple[str, list[list]]:
    """(`unnest(%s::tipo[], ...) AS v(coluna, ...)`, its parameters) for rows given as tuples in
    the order of `colunas` ((name, SQL type) pairs)."""
    nomes = ", ".join(nome for nome, _ in colunas)
    arrays = ", ".join(f"%s::{tipo}[]" for _, tipo in colunas)
    return f"unnest({arrays}) AS v({nomes})", [list(coluna) for coluna in zip(*linhas)] or [[] for _ in colunas]


MINIMO_INSERCAO = 100  # below this a bulk_create keeps Django's multi-row VALUES


def inserir(model, objs, campos, retornar, conexao) -> list[tuple] | None:
    """A bulk_create batch as `INSERT ... SELECT FROM unnest(...) RETURNING`, one array per column;
    None when the batch is not one this path takes (SQLite, a small batch, a database default, an
    expression or a returned field with a converter): then Django's own insert runs."""
    if conexao.vendor != "postgresql" or len(objs) < MINIMO_INSERCAO:
        return None
    if any(campo.has_db_default() for campo in campos) or any(
        hasattr(campo, "from_db_value") or campo.get_db_converters(conexao) for campo in retornar or ()
    ):
        return None
    colunas = []
    for campo in campos:
        valores = [campo.get_db_prep_save(campo.pre_save(obj, True), connection=conexao) for obj in objs]
        if any(hasattr(valor, "resolve_expression") for valor in valores):
            return None
        colunas.append(valores)
    tabela = model._meta.db_table
    nomes = ", ".join(conexao.ops.quote_name(campo.column) for campo in campos)
    arrays = ", ".join(f"%s::{campo.db_type(conexao)}[]" for campo in campos)
    retorno = ", ".join(conexao.ops.quote_name(campo.column) for campo in retornar or ())
    sql = (
        f"INSERT INTO {conexao.ops.quote_name(tabela)} ({nomes}) "
        f"SELECT {nomes} FROM unnest({arrays}) WITH ORDINALITY AS v({nomes}, ordem) ORDER BY ordem"
    )
    with conexao.cursor() as cursor:
        if retorno:
            cursor.execute(f"{sql} RETURNING {retorno}", colunas)
            return cursor.fetchall()
        cursor.execute(sql, colunas)
    return []
