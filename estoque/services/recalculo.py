"""Recomputation from the sources (set-based) and replacement of derived rows.

What the sources say is each registered source's set-based rule (estoque.registro), the
twin of the per-row rule the incremental path applies.

Used by the unification change, the reconciliation sweep, the rebuild command and the
per-product "recalcular" endpoint. Callers hold the product locks (travas.travar_produtos).
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connections, transaction
from django.utils import timezone

from estoque import registro
from estoque.models import CadastroPalletizacao, CodigoUnificado, EstoqueTempoReal, MovimentacaoPrevista
from estoque.projecao import DIAS_MAX, RESUMO_VAZIO, ResumoProjecao, calcular_resumo
from estoque.registro import ENTRADA, SALDO
from estoque.services import massa

ZERO = Decimal("0")
ETR = EstoqueTempoReal._meta.db_table
MP = MovimentacaoPrevista._meta.db_table


# (field of EstoqueTempoReal, attribute of ResumoProjecao): the stored summary, compared and written alike.
CAMPOS_RESUMO = (
    ("menor_estoque_d7", "menor_estoque_d7"),
    ("dia_ruptura", "dia_ruptura"),
    ("menor_estoque_d28", "menor_estoque_d28"),
    ("dia_ruptura_d28", "dia_ruptura_d28"),
    ("status", "status"),
)


def _texto(valor) -> str:
    return "" if valor is None else str(valor)


@dataclass
class EstadoProduto:
    saldo: Decimal = ZERO
    previstas: dict = field(default_factory=dict)  # date -> (entrada, saida), non-zero rows only
    resumo: ResumoProjecao = RESUMO_VAZIO  # the stored D0..D28 summary (D+7, D+28, status)

    def diferencas(self, outro: "EstadoProduto") -> list[tuple[str, str, str]]:
        """(campo, antes=self, depois=outro) for every field that differs."""
        difs = []
        if self.saldo != outro.saldo:
            difs.append(("saldo_atual", str(self.saldo), str(outro.saldo)))
        for data in sorted(set(self.previstas) | set(outro.previstas)):
            antes = self.previstas.get(data, (ZERO, ZERO))
            depois = outro.previstas.get(data, (ZERO, ZERO))
            if antes != depois:
                difs.append((f"prevista {data:%d/%m/%Y}", f"+{antes[0]} -{antes[1]}", f"+{depois[0]} -{depois[1]}"))
        for campo, atributo in CAMPOS_RESUMO:
            antes, depois = getattr(self.resumo, atributo), getattr(outro.resumo, atributo)
            if antes != depois:
                difs.append((campo, _texto(antes), _texto(depois)))
        return difs


def grupos(principais, using="default") -> dict[str, set[str]]:
    """principal -> every code of its group (the principal itself included)."""
    resultado = {cod: {cod} for cod in principais}
    membros = CodigoUnificado.objects.using(using).filter(cod_principal__in=list(principais))
    for cod, principal in membros.values_list("cod_produto", "cod_principal"):
        resultado[principal].add(cod)
    return resultado


def calcular_esperado(principais, using="default", hoje=None) -> dict[str, EstadoProduto]:
    """What the derived rows of these principal codes must hold, from the sources alone."""
    hoje = hoje or timezone.localdate()
    membros = grupos(principais, using)
    principal_de = {cod: principal for principal, codigos in membros.items() for cod in codigos}
    codigos = list(principal_de)
    saldos: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    previstas: defaultdict[str, defaultdict[date, list[Decimal]]] = defaultdict(
        lambda: defaultdict(lambda: [ZERO, ZERO])
    )

    for regra in registro.regras():
        assert regra.agregado is not None  # manage.py check refuses a source without its twin
        for c in regra.agregado(codigos, using):
            principal = principal_de[c.cod_produto]
            if c.tipo == SALDO:
                saldos[principal] += c.qtd
            else:
                assert c.data is not None  # forecast rows are dated (NOT NULL columns)
                previstas[principal][c.data][0 if c.tipo == ENTRADA else 1] += c.qtd

    resultado = {}
    for principal in principais:
        linhas = {data: tuple(par) for data, par in previstas[principal].items() if any(par)}
        saldo = saldos[principal]
        resumo = calcular_resumo(saldo, ((d, e, s) for d, (e, s) in linhas.items()), hoje)
        resultado[principal] = EstadoProduto(saldo, linhas, resumo)
    return resultado


def ler_atual(principais, using="default") -> dict[str, EstadoProduto | None]:
    """What the derived tables hold now for these principal codes (None: no row)."""
    resultado: dict[str, EstadoProduto | None] = dict.fromkeys(principais)
    etr = EstoqueTempoReal.objects.using(using).filter(cod_produto__in=list(principais))
    for cod, saldo, *resumo in etr.values_list("cod_produto", "saldo_atual", *(campo for campo, _ in CAMPOS_RESUMO)):
        resultado[cod] = EstadoProduto(saldo, {}, ResumoProjecao(*resumo))
    mp = MovimentacaoPrevista.objects.using(using).filter(cod_produto__in=list(principais))
    for cod, data, entrada, saida in mp.values_list(
        "cod_produto", "data_prevista", "entrada_prevista", "saida_prevista"
    ):
        estado = resultado[cod]
        if estado is None:
            estado = resultado[cod] = EstadoProduto(ZERO, {}, SEM_LINHA)
        estado.previstas[data] = (entrada, saida)
    return resultado


def equivalentes(atual: EstadoProduto | None, esperado: EstadoProduto) -> bool:
    """A missing row is the same as a product with nothing at all."""
    if atual is None:
        return esperado.saldo == 0 and not esperado.previstas and esperado.resumo == RESUMO_VAZIO
    return not atual.diferencas(esperado)


# What a missing EstoqueTempoReal row shows in a repair record: no stored summary at all.
SEM_LINHA = ResumoProjecao(None, None, None, None, "")  # type: ignore[arg-type]


def diferencas(atual: EstadoProduto | None, esperado: EstadoProduto):
    if equivalentes(atual, esperado):
        return []
    return (atual or EstadoProduto(ZERO, {}, SEM_LINHA)).diferencas(esperado)


def gravar(esperados: dict[str, EstadoProduto], remover=(), using="default"):
    """Replace the derived rows of these (locked) principals; drop rows of codes no longer principal."""
    conexao = connections[using]
    agora = timezone.now()
    codigos = sorted(esperados)
    remover = sorted(set(remover) - set(esperados))
    with conexao.cursor() as cursor:
        for lote in _fatias(remover):
            marcas = ", ".join(["%s"] * len(lote))
            cursor.execute(f"DELETE FROM {MP} WHERE cod_produto IN ({marcas})", lote)
            cursor.execute(f"DELETE FROM {ETR} WHERE cod_produto IN ({marcas})", lote)
        for lote in _fatias(codigos):
            marcas = ", ".join(["%s"] * len(lote))
            cursor.execute(f"DELETE FROM {MP} WHERE cod_produto IN ({marcas})", lote)
        linhas = [
            (cod, data, entrada, saida)
            for cod in codigos
            for data, (entrada, saida) in sorted(esperados[cod].previstas.items())
        ]
        if linhas:
            cursor.executemany(
                f"INSERT INTO {MP} (cod_produto, data_prevista, entrada_prevista, saida_prevista) VALUES (%s, %s, %s, %s)",
                linhas,
            )
        if codigos:
            cursor.executemany(
                f"UPDATE {ETR} SET saldo_atual = %s, {ATRIBUICOES_RESUMO}, atualizado_em = %s WHERE cod_produto = %s",
                [(e.saldo, *valores_resumo(e.resumo), agora, cod) for cod, e in sorted(esperados.items())],
            )


ATRIBUICOES_RESUMO = ", ".join(f"{campo} = %s" for campo, _ in CAMPOS_RESUMO)


def valores_resumo(resumo: ResumoProjecao) -> tuple:
    return tuple(getattr(resumo, atributo) for _, atributo in CAMPOS_RESUMO)


def recalcular_d7(principais, using="default", hoje=None):
    """Store the D+7/D+28 summary again from the stored saldo and forecast rows (the window moved at midnight)."""
    hoje = hoje or timezone.localdate()
    saldos = dict(
        EstoqueTempoReal.objects.using(using)
        .select_for_update()
        .filter(cod_produto__in=list(principais))
        .order_by("cod_produto")
        .values_list("cod_produto", "saldo_atual")
    )
    previstas = previstas_por_produto(saldos, hoje + timedelta(days=DIAS_MAX), using)
    parametros = []
    for cod in sorted(saldos):
        resumo = calcular_resumo(saldos[cod], previstas.get(cod, ()), hoje)
        parametros.append((*valores_resumo(resumo), cod))
    return _gravar_resumos(parametros, using)


def colunas_resumo(conexao) -> list[tuple[str, str]]:
    """(column, SQL type) of the stored summary, for estoque.services.massa.tabela."""
    return [(campo, str(EstoqueTempoReal._meta.get_field(campo).db_type(conexao))) for campo, _ in CAMPOS_RESUMO]


def atualizar_em_massa(cursor, parametros: list[tuple], *, saldo: bool, momento: bool):
    """One UPDATE of EstoqueTempoReal on PostgreSQL from rows ([saldo delta], summary values...,
    [atualizado_em], cod), one array per column (estoque.services.massa)."""
    colunas = colunas_resumo(cursor.db)
    tipos = [*colunas, ("cod", "text")]
    atribuicoes = [f"{campo} = v.{campo}" for campo, _ in colunas]
    if saldo:
        tipos.insert(0, ("delta", "numeric"))
        atribuicoes.insert(0, f"saldo_atual = {ETR}.saldo_atual + v.delta")
    if momento:
        tipos.insert(-1, ("agora", "timestamp with time zone"))
        atribuicoes.append("atualizado_em = v.agora")
    valores, arrays = massa.tabela(tipos, parametros)
    cursor.execute(f"UPDATE {ETR} SET {', '.join(atribuicoes)} FROM {valores} WHERE {ETR}.cod_produto = v.cod", arrays)


def _gravar_resumos(parametros: list[tuple], using) -> int:
    """UPDATE the stored summaries: (summary values..., cod) rows. One statement on PostgreSQL
    (after a rebuild from empty tables or at midnight, every row may change)."""
    conexao = connections[using]
    with conexao.cursor() as cursor:
        if conexao.vendor != "postgresql":
            cursor.executemany(f"UPDATE {ETR} SET {ATRIBUICOES_RESUMO} WHERE cod_produto = %s", parametros)
        elif parametros:
            atualizar_em_massa(cursor, parametros, saldo=False, momento=False)
    return len(parametros)


def _fatias(itens, tamanho=1000):
    for inicio in range(0, len(itens), tamanho):
        yield itens[inicio : inicio + tamanho]


def previstas_por_produto(codigos, ate, using="default") -> dict[str, list]:
    """(data, entrada, saida) forecast rows up to a date, per principal code."""
    resultado = defaultdict(list)
    conexao = connections[using]
    if conexao.vendor == "postgresql":
        with conexao.cursor() as cursor:
            cursor.execute(
                f"SELECT cod_produto, data_prevista, entrada_prevista, saida_prevista FROM {MP} "
                "WHERE cod_produto = ANY(%s) AND data_prevista <= %s",
                [sorted(codigos), ate],
            )
            linhas = cursor.fetchall()
    else:
        linhas = list(
            MovimentacaoPrevista.objects.using(using)
            .filter(cod_produto__in=list(codigos), data_prevista__lte=ate)
            .values_list("cod_produto", "data_prevista", "entrada_prevista", "saida_prevista")
        )
    for cod, data, entrada, saida in linhas:
        resultado[cod].append((data, entrada, saida))
    return resultado


# ---------------------------------------------------------------- the whole catalog in one snapshot
# The engine writes the derived rows in the same transaction as each source change, so in one
# snapshot the derived tables must equal the recomputation from the sources: whatever differs
# there is drift, never a change in flight. One grouped pass per source over the whole table.


MEMORIA_LEITURA = "64MB"  # work_mem of the whole-catalog read (per worker of its parallel plan)


@contextmanager
def instantaneo(using="default"):
    """One consistent read of the database (REPEATABLE READ, read-only) for the block.

    Inside a caller's transaction (tests) or on SQLite, the block reads in that transaction:
    SET TRANSACTION must be a transaction's first statement."""
    conexao = connections[using]
    if conexao.in_atomic_block or conexao.vendor != "postgresql":
        with transaction.atomic(using=using):
            yield
        return
    with transaction.atomic(using=using):
        with conexao.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            # The grouped pass over the movements (~60k groups at demo scale 100) spilled to disk
            # with the default 4 MB; JIT compiling it cost seconds on a busy machine and won nothing.
            cursor.execute(f"SET LOCAL work_mem = '{MEMORIA_LEITURA}'")
            cursor.execute("SET LOCAL jit = off")
        yield


@dataclass
class Catalogo:
    """The whole catalog as one snapshot saw it: the sources' sums and the stored rows."""

    principal_de: dict[str, str]  # code -> principal, for the codes of a group
    saldos: dict[str, Decimal]  # principal -> saldo the sources say
    previstas: dict[str, dict[date, tuple[Decimal, Decimal]]]  # principal -> non-zero forecast rows they say
    atuais: dict[str, EstadoProduto]  # code -> what the derived tables hold (every code with a row)
    cadastro: set[str] = field(default_factory=set)  # the product catalog's codes

    def principal(self, cod: str) -> str:
        return self.principal_de.get(cod, cod)

    def principais(self) -> set[str]:
        """Every principal the catalog, the sources or the stored rows name."""
        return (
            set(self.saldos)
            | set(self.previstas)
            | {self.principal(c) for c in self.cadastro}
            | {c for c in self.atuais if self.principal(c) == c}
        )

    def nao_principais(self) -> list[str]:
        """Codes with derived rows that are not principal: rows that must not exist."""
        return sorted(c for c in self.atuais if self.principal(c) != c)

    def esperado(self, principal: str, hoje: date) -> EstadoProduto:
        saldo = self.saldos.get(principal, ZERO)
        linhas = self.previstas.get(principal, {})
        if not saldo and not linhas:
            return EstadoProduto(ZERO, {}, RESUMO_VAZIO)
        resumo = calcular_resumo(saldo, ((d, e, s) for d, (e, s) in linhas.items()), hoje)
        return EstadoProduto(saldo, dict(linhas), resumo)


def ler_catalogo(using="default", etapa=None) -> Catalogo:
    """Read the whole catalog; run it inside `instantaneo` so every read sees the same moment.
    `etapa()` is called after each of the reads (len(registro.regras()) + 3 of them)."""
    etapa = etapa or (lambda: None)
    principal_de = dict(CodigoUnificado.objects.using(using).values_list("cod_produto", "cod_principal"))
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT cod_produto FROM {CadastroPalletizacao._meta.db_table}")
        cadastro = {cod for (cod,) in cursor.fetchall()}
    etapa()
    saldos: dict[str, Decimal] = defaultdict(lambda: ZERO)
    previstas: dict[str, dict[date, list[Decimal]]] = defaultdict(dict)
    for regra in registro.regras():
        assert regra.agregado is not None  # manage.py check refuses a source without its twin
        for c in regra.agregado(None, using):
            principal = principal_de.get(c.cod_produto, c.cod_produto)
            if c.tipo == SALDO:
                saldos[principal] += c.qtd
            else:
                assert c.data is not None  # forecast rows are dated (NOT NULL columns)
                par = previstas[principal].setdefault(c.data, [ZERO, ZERO])
                par[0 if c.tipo == ENTRADA else 1] += c.qtd
        etapa()
    atuais: dict[str, EstadoProduto] = {}
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT cod_produto, saldo_atual, {', '.join(c for c, _ in CAMPOS_RESUMO)} FROM {ETR}")
        for cod, saldo, *resumo in cursor.fetchall():
            atuais[cod] = EstadoProduto(saldo, {}, ResumoProjecao(*resumo))
        etapa()
        cursor.execute(f"SELECT cod_produto, data_prevista, entrada_prevista, saida_prevista FROM {MP}")
        for cod, data, entrada, saida in cursor.fetchall():
            estado = atuais.get(cod)
            if estado is None:
                estado = atuais[cod] = EstadoProduto(ZERO, {}, SEM_LINHA)
            estado.previstas[data] = (entrada, saida)
        etapa()
    return Catalogo(
        principal_de,
        {cod: saldo for cod, saldo in saldos.items() if saldo},
        {
            cod: linhas
            for cod, dias in previstas.items()
            if (linhas := {data: (par[0], par[1]) for data, par in dias.items() if any(par)})
        },
        atuais,
        cadastro,
    )


def divergentes(catalogo: Catalogo, hoje: date | None = None) -> list[str]:
    """Principals whose stored rows differ from what the sources say (in the catalog's snapshot)."""
    hoje = hoje or timezone.localdate()
    return sorted(
        cod for cod in catalogo.principais() if not equivalentes(catalogo.atuais.get(cod), catalogo.esperado(cod, hoje))
    )


def recalcular_resumos(principais, using="default", hoje=None) -> int:
    """Store the D+7/D+28 summary of these locked principals from their stored rows, writing only
    the rows whose stored summary differs. Returns how many were written."""
    hoje = hoje or timezone.localdate()
    guardados = {}
    conexao = connections[using]
    selecao = f"SELECT cod_produto, saldo_atual, {', '.join(c for c, _ in CAMPOS_RESUMO)} FROM {ETR} "
    if conexao.vendor == "postgresql":
        consultas = [(selecao + "WHERE cod_produto = ANY(%s)", [sorted(principais)])]
    else:
        consultas = [
            (selecao + f"WHERE cod_produto IN ({', '.join(['%s'] * len(lote))})", lote)
            for lote in _fatias(sorted(principais))
        ]
    with conexao.cursor() as cursor:
        for sql, parametros_leitura in consultas:
            cursor.execute(sql, parametros_leitura)
            guardados.update({cod: (saldo, ResumoProjecao(*resumo)) for cod, saldo, *resumo in cursor.fetchall()})
    previstas = previstas_por_produto(guardados, hoje + timedelta(days=DIAS_MAX), using)
    parametros = []
    for cod in sorted(guardados):
        saldo, guardado = guardados[cod]
        resumo = calcular_resumo(saldo, previstas.get(cod, ()), hoje)
        if resumo != guardado:
            parametros.append((*valores_resumo(resumo), cod))
    return _gravar_resumos(parametros, using)
