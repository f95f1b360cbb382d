"""Lock order for every writer of the derived tables (PostgreSQL; SQLite serializes writers).

1. unification (shared for ordinary writers, exclusive for a change of groups),
2. separação lotes (sorted), because a lote's invoicing flag feeds its separações,
3. EstoqueTempoReal rows, sorted by principal code (travar_produtos).
Taking them always in this order is what keeps concurrent writers free of deadlocks.
"""

import zlib
from decimal import Decimal

from django.db import connections
from django.utils import timezone

from estoque.models import CadastroPalletizacao, EstoqueTempoReal
from estoque.projecao import StatusEstoque

ETR = EstoqueTempoReal._meta.db_table
CATALOGO = CadastroPalletizacao._meta.db_table

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


def sql_criar_produtos(codigos: list[str], postgresql: bool = False) -> tuple[str, list]:
    """The statement that creates the missing EstoqueTempoReal rows of these (sorted) codes (on
    PostgreSQL the codes go as one array: a short statement, estoque.services.massa)."""
    valores = "SELECT unnest(%s::text[]) AS column1" if postgresql else "VALUES " + ", ".join(["(%s)"] * len(codigos))
    return (
        f"INSERT INTO {ETR} (cod_produto, nome_produto, saldo_atual, menor_estoque_d7, dia_ruptura, "
        f"menor_estoque_d28, dia_ruptura_d28, status, atualizado_em) "
        f"SELECT v.column1, COALESCE(c.nome_produto, ''), 0, 0, NULL, 0, NULL, %s, %s FROM ({valores}) AS v "
        f"LEFT JOIN {CATALOGO} c ON c.cod_produto = v.column1 WHERE 1 = 1 "
        f"ON CONFLICT (cod_produto) DO NOTHING",
        [StatusEstoque.OK, timezone.now(), *([codigos] if postgresql else codigos)],
    )


def travar_produtos(codigos: list[str], using="default") -> dict[str, Decimal]:
    """Create missing EstoqueTempoReal rows, then lock them in sorted order; returns saldo_atual."""
    codigos = sorted(set(codigos))
    conexao = connections[using]
    with conexao.cursor() as cursor:
        # Insert first (sorted), lock second (sorted): see the module docstring for why this order cannot deadlock.
        cursor.execute(*sql_criar_produtos(codigos, conexao.vendor == "postgresql"))
        if conexao.vendor == "postgresql":
            # One array parameter: a rebuild batch locks 2,000 rows, and an IN list of 2,000
            # placeholders cost more to compile and parse than the lock itself.
            cursor.execute(
                f"SELECT cod_produto, saldo_atual FROM {ETR} WHERE cod_produto = ANY(%s) ORDER BY cod_produto FOR UPDATE",
                [codigos],
            )
            return dict(cursor.fetchall())
    linhas = (
        EstoqueTempoReal.objects.using(using)
        .select_for_update()
        .filter(cod_produto__in=codigos)
        .order_by("cod_produto")
        .values_list("cod_produto", "saldo_atual")
    )
    return dict(linhas)
