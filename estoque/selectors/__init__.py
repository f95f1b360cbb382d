"""Reads of the real-time stock for the API, screens and reports.

Every number comes from the derived tables (EstoqueTempoReal, MovimentacaoPrevista) and
the projection rule in estoque.projecao; nothing here sums the ledger. A read of N
products costs one query whatever N is (ler): unification groups, stock rows, forecast
rows and the catalog of all the products at once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Context as DecimalContext
from decimal import Decimal
from functools import cached_property

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from core import preparadas
from estoque.models import (
    CadastroPalletizacao,
    CodigoUnificado,
    EstoqueTempoReal,
    MovimentacaoPrevista,
    ReconciliacaoExecucao,
    ReparoEstoque,
)
from estoque.projecao import (
    DIAS_D7,
    DIAS_MAX,
    DiaProjecao,
    Saldos,
    StatusEstoque,
    calcular_saldos,
    projetar,
    status_projecao,
)

ZERO = Decimal("0")
MAX_PRODUTOS_CONSULTA = 500
REPAROS_MOSTRADOS = 100


@dataclass
class EstoqueProduto:
    """One product as the screens see it: the group's numbers, whichever code was asked."""

    cod_produto: str  # as asked
    cod_principal: str
    codigos_unificados: list[str]
    nome_produto: str
    estoque_atual: Decimal
    menor_estoque_d7: Decimal
    dia_ruptura: date | None
    status: str
    atualizado_em: datetime | None
    saldos: Saldos  # D0..D28 always (the status needs D28); cut to `dias` for output
    palletizacao: Decimal | None = None
    peso_bruto: Decimal | None = None

    @cached_property
    def projecao(self) -> list[DiaProjecao]:
        """One object per day, built when a screen iterates them (the API writes from `saldos`)."""
        return self.saldos.dias()


@dataclass
class Leitura:
    """Everything the derived tables hold for a set of asked codes (one query)."""

    principal_de: dict[str, str]
    membros: dict[str, list[str]]
    estoques: dict[str, tuple]  # principal -> (saldo_atual, nome_produto, atualizado_em)
    previstas: dict[str, list]  # principal -> [(data, entrada, saida)]
    cadastro: dict[str, tuple]  # code -> (nome_produto, palletizacao, peso_bruto)
    unificados: set[str] = field(default_factory=set)  # codes that belong to a non-trivial group


# ---------------------------------------------------------------- building blocks
# The read of a consultation goes through plain SQL: it is the hot path of the workspace,
# and building ORM querysets costs more than their database time.

CU = CodigoUnificado._meta.db_table
ETR = EstoqueTempoReal._meta.db_table
MP = MovimentacaoPrevista._meta.db_table
CATALOGO = CadastroPalletizacao._meta.db_table
MILESIMO = Decimal("0.001")
_decimal_do_float = DecimalContext(prec=15).create_decimal_from_float


def _linhas(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _linhas_preparadas(nome: str, sql: str, tipos: tuple[str, ...], params) -> list[tuple]:
    """_linhas of a hot read: on PostgreSQL prepared once per connection (core.preparadas)."""
    with connection.cursor() as cursor:
        preparadas.executar(connection, cursor, nome, sql, tipos, params)
        return cursor.fetchall()


def _marcas(valores) -> str:
    return ", ".join(["%s"] * len(valores))


def _qtd(valor) -> Decimal:
    """A NUMERIC column read without the ORM: PostgreSQL gives a Decimal, SQLite an int or float."""
    if isinstance(valor, Decimal):
        return valor
    return _decimal_do_float(valor).quantize(MILESIMO)


def _momento(valor) -> datetime | None:
    """A datetime column read without the ORM: SQLite gives text (with or without its UTC
    offset, depending on who wrote it) or a naive datetime, in UTC."""
    if valor is None:
        return None
    if not isinstance(valor, datetime):
        valor = parse_datetime(valor)
        assert valor is not None  # a datetime column always parses
    return valor if timezone.is_aware(valor) else timezone.make_aware(valor, UTC)


def _data(valor) -> date:
    if isinstance(valor, date):
        return valor
    data = parse_date(valor)
    assert data is not None, valor  # a DATE column always reads as YYYY-MM-DD
    return data


def grupos_de(codigos) -> tuple[dict[str, str], dict[str, list[str]], set[str]]:
    """(code -> principal, principal -> sorted group, codes in a group), in one query."""
    codigos = sorted(set(codigos))
    principal_de: dict[str, str] = {}
    membros: defaultdict[str, set[str]] = defaultdict(set)
    if codigos:
        linhas = _linhas(
            f"SELECT cod_produto, cod_principal FROM {CU} WHERE cod_principal IN "
            f"(SELECT cod_principal FROM {CU} WHERE cod_produto IN ({_marcas(codigos)}))",
            codigos,
        )
        for cod, principal in linhas:
            principal_de[cod] = principal
            membros[principal].update((cod, principal))
    mapa = {cod: principal_de.get(cod, cod) for cod in codigos}
    grupos = {principal: sorted(membros.get(principal) or {principal}) for principal in set(mapa.values())}
    return mapa, grupos, set(principal_de)


# One statement for the whole read (a workspace asks it on every change): the groups of the
# asked codes, the stock and forecast rows of their principals and the catalog rows, as
# UNION ALL branches told apart by their first column. Each round trip to the database costs
# more than the rows it brings, and the principals are resolved in SQL (CTE `principais`).
_LEITURA = f"""
WITH pedidos(cod) AS ({{pedidos}}),
grupo AS (
    SELECT cod_produto, cod_principal FROM {CU}
    WHERE cod_principal IN (SELECT u.cod_principal FROM {CU} u JOIN pedidos p ON p.cod = u.cod_produto)
),
principais AS (SELECT DISTINCT COALESCE(g.cod_principal, p.cod) AS cod FROM pedidos p LEFT JOIN grupo g ON g.cod_produto = p.cod)
SELECT 1, cod_produto, cod_principal, CAST(NULL AS numeric), CAST(NULL AS numeric),
    CAST(NULL AS {{tipo_momento}}), CAST(NULL AS date) FROM grupo
UNION ALL
SELECT 2, cod_produto, nome_produto, saldo_atual, NULL, {{momento}}, NULL FROM {ETR}
WHERE cod_produto IN (SELECT cod FROM principais)
UNION ALL
SELECT 3, cod_produto, NULL, entrada_prevista, saida_prevista, NULL, data_prevista FROM {MP}
WHERE cod_produto IN (SELECT cod FROM principais) AND data_prevista <= %s
UNION ALL
SELECT 4, cod_produto, nome_produto, palletizacao, peso_bruto, NULL, NULL FROM {CATALOGO}
WHERE cod_produto IN (SELECT cod FROM pedidos UNION SELECT cod FROM principais)
"""
# atualizado_em in microseconds since the epoch on PostgreSQL (EXTRACT gives an exact numeric):
# an integer is read in C, a timestamptz through Django's time-zone loader, in Python, which was a
# quarter of the read's row loading.
_LEITURA_POSTGRESQL = _LEITURA.format(
    pedidos="SELECT unnest(%s::text[])",
    momento="CAST(EXTRACT(EPOCH FROM atualizado_em) * 1000000 AS bigint)",
    tipo_momento="bigint",
)
EPOCA = datetime(1970, 1, 1, tzinfo=UTC)
GRUPO, ESTOQUE, PREVISTA, CADASTRO = 1, 2, 3, 4


def ler(codigos, hoje: date) -> Leitura:
    """Groups, stock rows, forecast rows up to D28 and catalog rows of these codes: one query."""
    codigos = sorted(set(codigos))
    if not codigos:
        return Leitura({}, {}, {}, {}, {}, set())
    # PostgreSQL gives the forecast rows' dates and Decimals as they are; SQLite needs converting.
    nativo = connection.vendor == "postgresql"
    if nativo:
        # The asked codes as one array: the statement's text is the same for any list, so psycopg
        # converts it once per process instead of on every read (a long text is not cached).
        sql, parametros = _LEITURA_POSTGRESQL, [codigos]
    else:
        pedidos = "VALUES " + ", ".join(["(%s)"] * len(codigos))
        sql = _LEITURA.format(pedidos=pedidos, momento="atualizado_em", tipo_momento="timestamp with time zone")
        parametros = codigos
    principal_de: dict[str, str] = {}
    grupos: defaultdict[str, set[str]] = defaultdict(set)
    estoques = {}
    previstas = defaultdict(list)
    cadastro = {}
    fim = hoje + timedelta(days=DIAS_MAX)
    linhas = (
        _linhas_preparadas("estoque_ler", sql, ("text[]", "date"), [*parametros, fim])
        if nativo
        else _linhas(sql, [*parametros, fim])
    )
    for tipo, cod, texto, qtd, qtd2, momento, data in linhas:
        if tipo == PREVISTA:
            previstas[cod].append((data, qtd, qtd2) if nativo else (_data(data), _qtd(qtd), _qtd(qtd2)))
        elif tipo == ESTOQUE:
            if nativo:  # a Decimal, and atualizado_em as microseconds since the epoch
                estoques[cod] = (qtd, texto, None if momento is None else EPOCA + timedelta(microseconds=momento))
            else:
                estoques[cod] = (_qtd(qtd), texto, _momento(momento))
        elif tipo == CADASTRO:
            cadastro[cod] = (texto, _qtd(qtd), _qtd(qtd2))
        else:
            principal_de[cod] = texto
            grupos[texto].update((cod, texto))
    # The same shapes as grupos_de(): asked code -> principal, principal -> sorted group.
    mapa = {cod: principal_de.get(cod, cod) for cod in codigos}
    membros = {principal: sorted(grupos.get(principal) or {principal}) for principal in set(mapa.values())}
    return Leitura(mapa, membros, estoques, previstas, cadastro, set(principal_de))


def conhecido(cod: str, leitura: Leitura) -> bool:
    """For reads: the write rule (codigos_conhecidos), or a code that has derived rows to show."""
    return cod in leitura.cadastro or cod in leitura.unificados or leitura.principal_de[cod] in leitura.estoques


def montar(cod: str, leitura: Leitura, hoje: date) -> EstoqueProduto:
    principal = leitura.principal_de[cod]
    saldo, nome_etr, atualizado = leitura.estoques.get(principal, (ZERO, "", None))
    saldos = calcular_saldos(saldo, leitura.previstas.get(principal, ()), hoje, DIAS_MAX)
    menor, ruptura = saldos.resumo_d7()
    cadastro = leitura.cadastro.get(cod) or leitura.cadastro.get(principal)
    return EstoqueProduto(
        cod_produto=cod,
        cod_principal=principal,
        codigos_unificados=leitura.membros[principal],
        nome_produto=cadastro[0] if cadastro else nome_etr,
        estoque_atual=saldo,
        menor_estoque_d7=menor,
        dia_ruptura=ruptura,
        status=saldos.status(),
        atualizado_em=atualizado,
        saldos=saldos,
        palletizacao=cadastro[1] if cadastro else None,
        peso_bruto=cadastro[2] if cadastro else None,
    )


# ---------------------------------------------------------------- per product


def estoques(codigos, hoje: date | None = None) -> tuple[dict[str, EstoqueProduto], list[str]]:
    """({asked code: product}, unknown codes), keeping the asked order; D0..D28 projections."""
    hoje = hoje or timezone.localdate()
    pedidos = list(dict.fromkeys(codigos))
    leitura = ler(pedidos, hoje)
    encontrados, nao_encontrados = {}, []
    for cod in pedidos:
        if conhecido(cod, leitura):
            encontrados[cod] = montar(cod, leitura, hoje)
        else:
            nao_encontrados.append(cod)
    return encontrados, nao_encontrados


def produto(cod: str, hoje: date | None = None) -> EstoqueProduto | None:
    encontrados, _ = estoques([cod], hoje)
    return encontrados.get(cod)


def codigos_conhecidos(codigos, using: str = "default") -> set[str]:
    """The rule for writes: a product code is known when it is in the catalog or in a
    unification group. Every write path (API, admin, imports, sync) asks this."""
    conhecidos, lista = set(), sorted(set(codigos))
    for inicio in range(0, len(lista), 1000):
        parte = lista[inicio : inicio + 1000]
        conhecidos |= set(
            CadastroPalletizacao.objects.using(using)
            .filter(cod_produto__in=parte)
            .values_list("cod_produto", flat=True)
        )
        conhecidos |= set(
            CodigoUnificado.objects.using(using).filter(cod_produto__in=parte).values_list("cod_produto", flat=True)
        )
    return conhecidos


def primeiro_dia_disponivel(projecao: list[DiaProjecao], quantidade: Decimal) -> date | None:
    """First day d whose min(saldo_final from d to the end) >= quantidade: shipping it then breaks nothing."""
    resultado = None
    menor = None
    for dia in reversed(projecao):
        menor = dia.saldo_final if menor is None else min(menor, dia.saldo_final)
        if menor < quantidade:
            break
        resultado = dia.data
    return resultado


# ---------------------------------------------------------------- across the catalog


def _candidatos_ruptura(fim: date) -> RawSQL:
    """Principals that can go below zero by `fim`: saldo minus every outflow up to then is negative.

    A necessary condition (inflows only raise the balance), one set-based join; the
    projection rule then decides for these few.
    """
    etr, mp = EstoqueTempoReal._meta.db_table, MovimentacaoPrevista._meta.db_table
    return RawSQL(
        f"SELECT e.cod_produto FROM {etr} e LEFT JOIN ("
        f"SELECT cod_produto, SUM(saida_prevista) AS saidas FROM {mp} WHERE data_prevista <= %s GROUP BY cod_produto"
        f") m ON m.cod_produto = e.cod_produto WHERE e.saldo_atual < COALESCE(m.saidas, 0)",
        [fim],
    )


def _projecoes_candidatas(fim: date, hoje: date) -> dict[str, list[DiaProjecao]]:
    saldos = dict(
        EstoqueTempoReal.objects.filter(cod_produto__in=_candidatos_ruptura(fim)).values_list(
            "cod_produto", "saldo_atual"
        )
    )
    previstas = defaultdict(list)
    linhas = MovimentacaoPrevista.objects.filter(
        cod_produto__in=_candidatos_ruptura(fim), data_prevista__lte=fim
    ).values_list("cod_produto", "data_prevista", "entrada_prevista", "saida_prevista")
    for cod, data, entrada, saida in linhas:
        previstas[cod].append((data, entrada, saida))
    return {cod: projetar(saldo, previstas.get(cod, ()), hoje, DIAS_MAX) for cod, saldo in saldos.items()}


@dataclass
class Ruptura:
    cod_produto: str  # principal
    estoque_atual: Decimal
    menor_estoque: Decimal  # min saldo_final within D0..D(dias)
    dia_ruptura: date  # first day below zero within D0..D(dias)
    dias_ate_ruptura: int
    status: str
    nome_produto: str = ""
    codigos_unificados: list[str] = field(default_factory=list)


def rupturas(dias: int = DIAS_D7, hoje: date | None = None) -> list[Ruptura]:
    """Products whose projection goes below zero within D0..D(dias), soonest first."""
    hoje = hoje or timezone.localdate()
    resultado = []
    for cod, projecao in _projecoes_candidatas(hoje + timedelta(days=DIAS_MAX), hoje).items():
        janela = projecao[: dias + 1]
        dia = next((d for d in janela if d.saldo_final < 0), None)
        if dia is None:
            continue
        resultado.append(
            Ruptura(
                cod_produto=cod,
                estoque_atual=projecao[0].saldo_inicial,
                menor_estoque=min(d.saldo_final for d in janela),
                dia_ruptura=dia.data,
                dias_ate_ruptura=(dia.data - hoje).days,
                status=status_projecao(projecao),
            )
        )
    resultado.sort(key=lambda r: (r.dia_ruptura, r.menor_estoque, r.cod_produto))
    return resultado


def detalhar_rupturas(itens: list[Ruptura]) -> list[Ruptura]:
    """Names and groups for one page of stock-outs (two queries)."""
    codigos = [item.cod_produto for item in itens]
    _, membros, _ = grupos_de(codigos)
    nomes = dict(
        CadastroPalletizacao.objects.filter(cod_produto__in=codigos).values_list("cod_produto", "nome_produto")
    )
    faltando = [cod for cod in codigos if cod not in nomes]
    if faltando:
        nomes.update(
            EstoqueTempoReal.objects.filter(cod_produto__in=faltando).values_list("cod_produto", "nome_produto")
        )
    for item in itens:
        item.nome_produto = nomes.get(item.cod_produto, "")
        item.codigos_unificados = membros[item.cod_produto]
    return itens


def estatisticas(hoje: date | None = None) -> dict:
    """Totals by status, stock-outs and the last reconciliation with the drift it found."""
    hoje = hoje or timezone.localdate()
    total = EstoqueTempoReal.objects.count()
    negativos = EstoqueTempoReal.objects.filter(saldo_atual__lt=0).count()
    projecoes = _projecoes_candidatas(hoje + timedelta(days=DIAS_MAX), hoje)
    por_status = {StatusEstoque.CRITICO: 0, StatusEstoque.ATENCAO: 0}
    for projecao in projecoes.values():
        status = status_projecao(projecao)
        if status in por_status:
            por_status[status] += 1
    por_status[StatusEstoque.OK] = total - por_status[StatusEstoque.CRITICO] - por_status[StatusEstoque.ATENCAO]
    return {
        "data_referencia": hoje,
        "total_produtos": total,
        "por_status": por_status,
        "em_ruptura_d7": por_status[StatusEstoque.CRITICO],
        "em_ruptura_d28": por_status[StatusEstoque.CRITICO] + por_status[StatusEstoque.ATENCAO],
        "estoque_negativo": negativos,
        "ultima_reconciliacao": ultima_reconciliacao(),
    }


def ultima_reconciliacao() -> dict | None:
    execucao = ReconciliacaoExecucao.objects.order_by("-iniciado_em", "-id").first()
    if execucao is None:
        return None
    reparos = ReparoEstoque.objects.filter(execucao=execucao).order_by("cod_produto", "id")
    return {
        "execucao": execucao,
        "total_reparos": reparos.count(),
        "reparos": list(reparos[:REPAROS_MOSTRADOS]),
    }
