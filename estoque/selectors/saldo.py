"""The Saldo de estoque list: every product group's real-time position, over the whole catalog.

Every number comes from the derived tables: EstoqueTempoReal holds, per principal code, the
stock now and the summary of its D0..D28 projection (estoque.projecao.resumir: menor D+7,
ruptura day, "disponível" = lowest balance D0..D28, status), so status, ruptura day and
"disponível" filter and sort the whole catalog in SQL. Severity then ruptura day is simply
dia_ruptura_d28 ascending with the OK products (no ruptura day) last: an index walk.

The quantities the domain apps own (em carteira, em pré-separação, em separação) come from
their registered readers (estoque.registro.Alocacao), one grouped query per kind for the
whole page, grouped by principal code through CodigoUnificado; production D0..D28 is the sum
of the forecast inflows (MovimentacaoPrevista). A page costs the same queries for 50 or 200
rows. Sorting by a domain quantity (or "só com carteira") computes it for the whole catalog
in one grouped query.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import NullIf

from estoque import registro
from estoque.models import CadastroPalletizacao, CodigoUnificado, EstoqueTempoReal, MovimentacaoPrevista
from estoque.projecao import DIAS_MAX, ROTULOS_STATUS
from estoque.selectors import grupos_de

ZERO = Decimal("0")
POR_PAGINA = (50, 100, 200)
MAX_PRODUTOS = 500  # codes one request may ask for (the live refresh of a page's rows)
PRODUCAO = "producao"  # the production column: forecast inflows D0..D28 (derived), stock permission

# Sort keys the database orders by (stored columns, base() annotations); the domain quantities and
# production are computed over the whole catalog (_codigos_ordenados).
ORDENS_SQL = {
    "status": ("dia_ruptura_d28",),  # severity, then ruptura day (see the module docstring)
    "codigo": ("cod_produto",),
    "produto": ("nome_produto",),
    "estoque": ("saldo_atual",),
    "menor_d7": ("menor_estoque_d7",),
    "ruptura": ("dia_ruptura_d28",),
    "disponivel": ("menor_estoque_d28",),
    "linha": ("linha_producao",),  # annotations of base()
    "categoria": ("categoria",),
}
ORDEM_PADRAO = "status"


@dataclass
class LinhaSaldo:
    """One product group as the list shows it."""

    cod_produto: str  # principal
    codigos_unificados: list[str]
    nome_produto: str
    linha_producao: str
    categoria: str
    estoque_atual: Decimal  # D0's opening balance
    menor_estoque_d7: Decimal
    dia_ruptura: date | None  # first day below zero within D0..D28
    dias_ate_ruptura: int | None
    disponivel: Decimal  # lowest projected balance D0..D28
    status: str
    producao_prevista: Decimal  # production D0..D28
    alocacoes: dict[str, Decimal | None] = field(default_factory=dict)  # chave -> total (None: not permitted)
    atualizado_em: datetime | None = None
    url: str = ""  # the product page (set by the view)

    @property
    def status_rotulo(self) -> str:
        return ROTULOS_STATUS[self.status]

    @property
    def outros_codigos(self) -> list[str]:
        return [cod for cod in self.codigos_unificados if cod != self.cod_produto]


# ---------------------------------------------------------------- filters (the FilterSet calls these)


def _catalogo(campo: str) -> Subquery:
    return Subquery(CadastroPalletizacao.objects.filter(cod_produto=OuterRef("cod_produto")).values(campo)[:1])


def base() -> QuerySet:
    """Every product group, with its principal code's catalog line and category (None when blank)."""
    return EstoqueTempoReal.objects.annotate(
        linha_producao=NullIf(_catalogo("linha_producao"), Value("")),
        categoria=NullIf(_catalogo("categoria"), Value("")),
    )


def filtrar_texto(qs: QuerySet, texto: str) -> QuerySet:
    """Any code of the group, or the catalog name of any code of the group, contains the text
    (case-insensitive)."""
    texto = texto.strip()
    if not texto:
        return qs
    por_nome = CadastroPalletizacao.objects.filter(nome_produto__icontains=texto).values("cod_produto")
    unificados = CodigoUnificado.objects.filter(Q(cod_produto__icontains=texto) | Q(cod_produto__in=por_nome))
    return qs.filter(
        Q(cod_produto__icontains=texto)
        | Q(nome_produto__icontains=texto)
        | Q(cod_produto__in=Subquery(por_nome))
        | Q(cod_produto__in=Subquery(unificados.values("cod_principal")))
    )


def filtrar_catalogo(qs: QuerySet, campo: str, valor: str) -> QuerySet:
    """Products whose principal code's catalog line has this production line / category."""
    codigos = CadastroPalletizacao.objects.filter(**{campo: valor}).values("cod_produto")
    return qs.filter(cod_produto__in=Subquery(codigos))


def filtrar_produtos(qs: QuerySet, codigos: list[str]) -> QuerySet:
    """The groups of these codes (any code of a group)."""
    principal_de, _, _ = grupos_de(codigos)
    return qs.filter(cod_produto__in=sorted(set(principal_de.values())))


def filtrar_com_alocacao(qs: QuerySet, chave: str, using="default") -> QuerySet:
    """Products with a positive total of a domain quantity (e.g. em carteira), over the whole catalog."""
    alocacao = registro.alocacao(chave)
    if alocacao is None:
        return qs.none()
    com_total = sorted(cod for cod, total in totais_alocacao(alocacao, using=using).items() if total > 0)
    return qs.filter(cod_produto__in=com_total)


CATALOGO = CadastroPalletizacao._meta.db_table

# The distinct (line, category) pairs by jumping along their index: one probe per pair instead of a
# scan of the whole catalog (PostgreSQL; the catalog of scale 100 has 60,000 codes and ~40 pairs).
PARES_CATALOGO_PG = f"""
WITH RECURSIVE par(linha, categoria) AS (
    (SELECT linha_producao, categoria FROM {CATALOGO} ORDER BY linha_producao, categoria LIMIT 1)
    UNION ALL
    SELECT proximo.linha_producao, proximo.categoria FROM par, LATERAL (
        SELECT linha_producao, categoria FROM {CATALOGO}
        WHERE (linha_producao, categoria) > (par.linha, par.categoria)
        ORDER BY linha_producao, categoria LIMIT 1
    ) AS proximo
)
SELECT linha, categoria FROM par
"""


def opcoes_catalogo(using="default") -> tuple[list[str], list[str]]:
    """(production lines, categories) present in the catalog, sorted: one query."""
    conexao = connections[using]
    if conexao.vendor == "postgresql":
        with conexao.cursor() as cursor:
            cursor.execute(PARES_CATALOGO_PG)
            pares = cursor.fetchall()
    else:
        pares = list(
            CadastroPalletizacao.objects.using(using).order_by().values_list("linha_producao", "categoria").distinct()
        )
    linhas = {linha for linha, _ in pares}
    categorias = {categoria for _, categoria in pares}
    return sorted(linhas - {""}), sorted(categorias - {""})


# ---------------------------------------------------------------- domain quantities per principal


def totais_alocacao(
    alocacao: registro.Alocacao, codigos=None, principal_de: dict[str, str] | None = None, using="default"
) -> dict[str, Decimal]:
    """principal -> total of a registered quantity, summed over the codes of each group.

    `codigos`: the raw codes to read (None: every code); `principal_de`: their principals
    (None: the whole CodigoUnificado map, one more query).
    """
    if codigos is not None and not codigos:
        return {}
    if principal_de is None:
        principal_de = dict(CodigoUnificado.objects.using(using).values_list("cod_produto", "cod_principal"))
    resultado: dict[str, Decimal] = {}
    for cod, total in alocacao.totais(codigos, using).items():
        principal = principal_de.get(cod, cod)
        resultado[principal] = resultado.get(principal, ZERO) + (total or ZERO)
    return resultado


def producao_prevista(principais, hoje: date, using="default") -> dict[str, Decimal]:
    """principal -> forecast inflows D0..D28 (production dated before today does not count)."""
    qs = MovimentacaoPrevista.objects.using(using).filter(
        data_prevista__gte=hoje, data_prevista__lte=hoje + timedelta(days=DIAS_MAX), entrada_prevista__gt=0
    )
    if principais is not None:
        qs = qs.filter(cod_produto__in=list(principais))
    linhas = qs.order_by().values("cod_produto").annotate(total=Sum("entrada_prevista"))
    return {linha["cod_produto"]: linha["total"] for linha in linhas}


# ---------------------------------------------------------------- sorting and paging


def alocacoes_permitidas(usuario) -> list[registro.Alocacao]:
    return [alocacao for alocacao in registro.alocacoes() if usuario.has_perm(alocacao.permissao)]


def ordens_permitidas(usuario) -> list[str]:
    """Sort keys this user may use: the stock columns and the domain quantities it may see."""
    return [*ORDENS_SQL, PRODUCAO, *(alocacao.chave for alocacao in alocacoes_permitidas(usuario))]


def _ordem_sql(chave: str, decrescente: bool):
    """ORDER BY of a stored column. Empty values (no ruptura day, no catalog line) go last either way,
    except for the status: its reverse is OK first (the products without a ruptura day)."""
    campo = F(ORDENS_SQL[chave][0])
    if not decrescente:
        termo = campo.asc(nulls_last=True)
    elif chave == "status":
        termo = campo.desc(nulls_first=True)
    else:
        termo = campo.desc(nulls_last=True)
    return [termo, "-cod_produto" if decrescente and chave == "codigo" else "cod_produto"]


def _codigos_ordenados(qs: QuerySet, chave: str, decrescente: bool, hoje: date) -> list[str]:
    """Filtered principals sorted by a computed quantity (whole catalog, one grouped query)."""
    codigos = list(qs.order_by().values_list("cod_produto", flat=True))
    if chave == PRODUCAO:
        totais = producao_prevista(None, hoje)
    else:
        alocacao = registro.alocacao(chave)
        totais = totais_alocacao(alocacao) if alocacao else {}
    codigos.sort()
    codigos.sort(key=lambda cod: totais.get(cod, ZERO), reverse=decrescente)
    return codigos


@dataclass
class PaginaSaldo:
    linhas: list[LinhaSaldo]
    pagina: Page
    ordem: str
    data_referencia: date
    alocacoes: list[registro.Alocacao]


CAMPOS_LINHA = (
    "cod_produto",
    "nome_produto",
    "saldo_atual",
    "menor_estoque_d7",
    "dia_ruptura_d28",
    "menor_estoque_d28",
    "status",
    "atualizado_em",
    "linha_producao",
    "categoria",
)


def _chave_ordem(ordem: str, usuario) -> tuple[str, bool]:
    """(sort key, descending) of "chave" / "-chave"; the default for a key the user may not use."""
    chave, decrescente = ordem.lstrip("-"), ordem.startswith("-")
    if chave not in ordens_permitidas(usuario):
        return ORDEM_PADRAO, False
    return chave, decrescente


def paginar(qs: QuerySet, ordem: str, numero, por_pagina: int, usuario, hoje: date, using="default") -> PaginaSaldo:
    """A page of the filtered list, sorted by `ordem` ("chave" or "-chave"), with its rows built."""
    chave, decrescente = _chave_ordem(ordem, usuario)
    alocacoes = alocacoes_permitidas(usuario)
    pagina: Page  # of records (SQL order) or of codes (computed order)
    if chave in ORDENS_SQL:
        ordenado = qs.order_by(*_ordem_sql(chave, decrescente)).values(*CAMPOS_LINHA)
        pagina = Paginator(ordenado, por_pagina).get_page(numero)
        registros = list(pagina.object_list)
    else:
        pagina = Paginator(_codigos_ordenados(qs, chave, decrescente, hoje), por_pagina).get_page(numero)
        registros = _registros(qs, list(pagina.object_list))
    ordem_efetiva = f"-{chave}" if decrescente else chave
    return PaginaSaldo(linhas(registros, hoje, alocacoes, using), pagina, ordem_efetiva, hoje, alocacoes)


def _registros(qs: QuerySet, codigos: list[str]) -> list[dict]:
    """The records of these principals, in the given order."""
    por_codigo = {r["cod_produto"]: r for r in qs.filter(cod_produto__in=codigos).values(*CAMPOS_LINHA)}
    return [por_codigo[cod] for cod in codigos if cod in por_codigo]


def todas(qs: QuerySet, ordem: str, usuario, hoje: date, lote: int = 2000):
    """Every row of the filtered list in the page's order (for the export), built `lote` rows at a time."""
    chave, decrescente = _chave_ordem(ordem, usuario)
    if chave in ORDENS_SQL:
        codigos = list(qs.order_by(*_ordem_sql(chave, decrescente)).values_list("cod_produto", flat=True))
    else:
        codigos = _codigos_ordenados(qs, chave, decrescente, hoje)
    alocacoes = alocacoes_permitidas(usuario)
    for inicio in range(0, len(codigos), lote):
        yield from linhas(_registros(qs, codigos[inicio : inicio + lote]), hoje, alocacoes)


def linhas(registros: list[dict], hoje: date, alocacoes, using="default") -> list[LinhaSaldo]:
    """Rows of these EstoqueTempoReal records: groups, catalog names, production and the permitted
    domain quantities, each one query for all rows."""
    principais = [r["cod_produto"] for r in registros]
    if not principais:
        return []
    _, membros, _ = grupos_de(principais)
    principal_de = {cod: principal for principal in principais for cod in membros[principal]}
    todos = sorted(principal_de)
    nomes = dict(
        CadastroPalletizacao.objects.filter(cod_produto__in=principais).values_list("cod_produto", "nome_produto")
    )
    producao = producao_prevista(principais, hoje, using)
    totais = {alocacao.chave: totais_alocacao(alocacao, todos, principal_de, using) for alocacao in alocacoes}
    resultado = []
    for r in registros:
        cod = r["cod_produto"]
        ruptura = r["dia_ruptura_d28"]
        resultado.append(
            LinhaSaldo(
                cod_produto=cod,
                codigos_unificados=membros[cod],
                nome_produto=nomes.get(cod) or r["nome_produto"],
                linha_producao=r["linha_producao"] or "",
                categoria=r["categoria"] or "",
                estoque_atual=r["saldo_atual"],
                menor_estoque_d7=r["menor_estoque_d7"],
                dia_ruptura=ruptura,
                dias_ate_ruptura=(ruptura - hoje).days if ruptura else None,
                disponivel=r["menor_estoque_d28"],
                status=r["status"],
                producao_prevista=producao.get(cod, ZERO),
                alocacoes={alocacao.chave: totais[alocacao.chave].get(cod, ZERO) for alocacao in alocacoes},
                atualizado_em=r["atualizado_em"],
            )
        )
    return resultado
