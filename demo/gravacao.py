"""The database side of the demo: write the generated rows, then rebuild the derived tables.

Rows go straight to the tables (binary COPY on PostgreSQL, executemany on SQLite), generated as
a stream in constant memory: the models' bulk_create would run every row through the derivation
engine. The derived tables are then rebuilt once, set-based, by estoque.services.reconstrucao.
"""

import time
from dataclasses import dataclass, field

from django.db import connections, transaction

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from embarques.models import Embarque, EmbarqueItem, FaturamentoItem, FaturamentoLote
from estoque.models import (
    CadastroPalletizacao,
    CodigoUnificado,
    EstoqueTempoReal,
    MovimentacaoEstoque,
    MovimentacaoPrevista,
    UnificacaoCodigos,
)
from estoque.services import reconstrucao
from producao.models import ProgramacaoProducao

# The tables the demo writes; children before parents (EmbarqueItem, Embarque): limpar deletes in this order.
FONTES = (
    CadastroPalletizacao,
    UnificacaoCodigos,
    MovimentacaoEstoque,
    CarteiraPrincipal,
    PreSeparacaoItem,
    Separacao,
    ProgramacaoProducao,
    EmbarqueItem,
    Embarque,
)
DERIVADAS = (EstoqueTempoReal, MovimentacaoPrevista, CodigoUnificado)
# The history of the demo tables (core.historico): cleared with them, as it tells of rows that are gone.
# The generated rows themselves get none: they are the starting point, not anybody's change.
HISTORICOS = tuple(model.history.model for model in FONTES)
# Not generated, but they point at the demo's rows (an invoice at its movements, lote and embarque):
# cleared first (children before parents) and counted as data already there.
REGISTROS = (FaturamentoItem, FaturamentoLote)
COMMIT = "confirmação da transação (COMMIT)"

# PostgreSQL type names for COPY (FORMAT BINARY), from the columns' Django db_type.
TIPOS_COPY = {
    "varchar": "varchar",
    "text": "text",
    "numeric": "numeric",
    "date": "date",
    "boolean": "bool",
    "timestamp with time zone": "timestamptz",
    "integer": "int4",
    "bigint": "int8",
    "smallint": "int2",
}


class BancoComDados(Exception):
    """The database already holds rows in the demo tables and limpar was not asked for."""


@dataclass
class Resumo:
    linhas: dict = field(default_factory=dict)  # table -> rows inserted
    tempos: dict = field(default_factory=dict)  # phase -> seconds
    produtos_reconstruidos: int = 0
    produtos_com_ruptura: int = 0


def gravar(escrever, using, limpar_antes, progresso, resumo):
    """Clear (or refuse a database with data), then escrever(Escritor): one transaction, so a
    failure leaves nothing behind."""
    with transaction.atomic(using=using):
        if limpar_antes:
            executar_fase(resumo, progresso, "limpeza", [lambda: limpar(using)])
        else:
            ocupadas = tem_dados(using)
            if ocupadas:
                raise BancoComDados(
                    "O banco já tem dados nas tabelas de demonstração (" + ", ".join(ocupadas) + "). "
                    "Use --limpar para apagá-las e gerar os dados de demonstração do zero."
                )
        escrever(Escritor(using, progresso, resumo))
        inicio = time.monotonic()
        progresso(COMMIT, 0, 1)
    progresso(COMMIT, 1, 1)
    resumo.tempos[COMMIT] = time.monotonic() - inicio


def tem_dados(using="default") -> list[str]:
    """The demo (and derived) tables that already hold rows (existence only: cheap on big tables)."""
    ocupadas = []
    with connections[using].cursor() as cursor:
        for model in REGISTROS + FONTES + DERIVADAS:
            cursor.execute(f"SELECT 1 FROM {model._meta.db_table} LIMIT 1")
            if cursor.fetchone():
                ocupadas.append(model._meta.db_table)
    return sorted(ocupadas)


def limpar(using="default"):
    """Empty the demo tables and the derived tables (TRUNCATE on PostgreSQL, DELETE on SQLite)."""
    conexao = connections[using]
    tabelas = [model._meta.db_table for model in REGISTROS + FONTES + DERIVADAS + HISTORICOS]
    with conexao.cursor() as cursor:
        if conexao.vendor == "postgresql":
            # Deferred FK checks queued earlier in this transaction would make TRUNCATE fail.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tabelas)} RESTART IDENTITY")
            return
        for tabela in tabelas:  # children (EmbarqueItem) before parents (Embarque)
            cursor.execute(f"DELETE FROM {tabela}")
        marcas = ", ".join(["%s"] * len(tabelas))
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({marcas})", tabelas)


class Escritor:
    """Streams rows into a table: binary COPY on PostgreSQL, executemany in chunks on SQLite.
    Datetimes come aware (UTC); SQLite gets them naive in UTC, as Django stores them there."""

    LOTE = 10000

    def __init__(self, using, progresso, resumo):
        self.conexao = connections[using]
        self.progresso = progresso
        self.resumo = resumo

    def inserir(self, fase, model, colunas, linhas, total) -> int:
        _conferir_colunas(model, colunas)
        inicio, feitos = time.monotonic(), 0
        self.progresso(fase, 0, total)
        for feitos in self._gravar(model, colunas, linhas):
            self.progresso(fase, feitos, max(total, feitos))
        self.progresso(fase, feitos, feitos)
        self.resumo.linhas[model._meta.db_table] = self.resumo.linhas.get(model._meta.db_table, 0) + feitos
        self.resumo.tempos[fase] = time.monotonic() - inicio
        return feitos

    def ids_por(self, model, coluna) -> dict:
        """{coluna: id} of the rows written: children are generated with the parent's key, not its id."""
        with self.conexao.cursor() as cursor:
            cursor.execute(f"SELECT {coluna}, id FROM {model._meta.db_table}")
            return dict(cursor.fetchall())

    def _gravar(self, model, colunas, linhas):
        """Yields the running row count every LOTE rows, and once more when the table is written."""
        por_coluna = {f.column: f for f in model._meta.concrete_fields}
        campos = [por_coluna[c] for c in colunas]
        sql_colunas = f"{model._meta.db_table} ({', '.join(colunas)})"
        with self.conexao.cursor() as cursor:
            if self.conexao.vendor == "postgresql":
                feitos = yield from self._copiar(cursor, sql_colunas, campos, linhas)
            else:
                feitos = yield from self._inserir_em_blocos(cursor, sql_colunas, campos, linhas)
        yield feitos

    def _copiar(self, cursor, sql_colunas, campos, linhas):
        tipos = [TIPOS_COPY[campo.db_type(self.conexao).split("(")[0].strip()] for campo in campos]
        feitos = 0
        with cursor.cursor.copy(f"COPY {sql_colunas} FROM STDIN (FORMAT BINARY)") as copia:
            copia.set_types(tipos)
            for linha in linhas:
                copia.write_row(linha)
                feitos += 1
                if feitos % self.LOTE == 0:
                    yield feitos
        return feitos

    def _inserir_em_blocos(self, cursor, sql_colunas, campos, linhas):
        sql = f"INSERT INTO {sql_colunas} VALUES ({', '.join(['%s'] * len(campos))})"
        instantes = [i for i, campo in enumerate(campos) if campo.get_internal_type() == "DateTimeField"]
        feitos, bloco = 0, []
        for linha in linhas:
            if instantes:
                linha = list(linha)
                for i in instantes:
                    linha[i] = linha[i] and linha[i].replace(tzinfo=None)
            bloco.append(linha)
            if len(bloco) == self.LOTE:
                cursor.executemany(sql, bloco)
                feitos += len(bloco)
                bloco.clear()
                yield feitos
        if bloco:
            cursor.executemany(sql, bloco)
            feitos += len(bloco)
        return feitos


def _conferir_colunas(model, colunas):
    """Fail loudly when a model gained a required column this generator does not fill."""
    faltando = [
        f.column
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.null and f.column not in colunas and not f.has_db_default()
    ]
    if faltando:
        raise RuntimeError(
            f"gerar_dados_demo desatualizado: {model.__name__} tem colunas obrigatórias não preenchidas: {faltando}"
        )


def analisar(using, progresso, resumo):
    """PostgreSQL: fresh statistics (and a visibility map, for index-only scans) before the rebuild."""
    conexao = connections[using]
    if conexao.vendor != "postgresql":
        return
    # VACUUM cannot run inside a transaction (e.g. a test's): plain ANALYZE there.
    comando = "ANALYZE" if conexao.in_atomic_block else "VACUUM (ANALYZE)"
    passos = [_executar(conexao, f"{comando} {model._meta.db_table}") for model in FONTES]
    executar_fase(resumo, progresso, f"estatísticas ({comando})", passos)


def reconstruir_derivadas(using, progresso, resumo):
    """Rebuild the derived tables from the rows just written, in the engine's own locked batches."""
    # The rebuild reads the catalog once (one snapshot); its batches only apply the differences.
    fase, inicio = "reconstrução das tabelas derivadas", time.monotonic()
    progresso(fase, 0, 1)
    try:
        resumo.produtos_reconstruidos = reconstrucao.reconstruir(
            using=using, progresso=lambda feitos, total: progresso(fase, feitos, total)
        )
    except Exception as erro:
        raise RuntimeError(
            "Dados de demonstração gravados, mas a reconstrução das tabelas derivadas falhou: "
            "corrija a causa e rode manage.py estoque_rebuild."
        ) from erro
    resumo.tempos[fase] = time.monotonic() - inicio
    resumo.produtos_com_ruptura = EstoqueTempoReal.objects.using(using).filter(dia_ruptura__isnull=False).count()


def _executar(conexao, sql):
    def executar():
        with conexao.cursor() as cursor:
            cursor.execute(sql)

    return executar


def executar_fase(resumo, progresso, fase, passos):
    """Run the steps as one progress phase, timed in resumo.tempos."""
    inicio = time.monotonic()
    progresso(fase, 0, len(passos))
    for feitos, passo in enumerate(passos, 1):
        passo()
        progresso(fase, feitos, len(passos))
    resumo.tempos[fase] = time.monotonic() - inicio
