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
