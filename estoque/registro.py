"""The registry of stock sources: what each source row contributes, declared by its own app.

The engine (estoque.services) knows no domain app. Each app that owns a source table
registers, from its AppConfig.ready, one `RegraFonte`:

- `contribuicao(estado, lote_faturado)`: the per-row rule, a pure function of the row's
  fields (`campos`), used by the incremental path (a change applies
  contribution(new) - contribution(old), docs/arquitetura.md section 2);
- `agregado(codigos, using)`: its set-based twin, the same rule as one grouped query,
  used by the recomputation (reconciliation, rebuild, unification changes); `codigos`
  None means the whole catalog (one grouped pass over the table, `dos_codigos`).

Both must agree on every state of the table; a property test per source checks it, and
`manage.py check` refuses to start when a source model has no rule or no twin.

Two sources are special cases the engine handles itself: `UnificacaoCodigos` (regroups
codes; estoque's own) and the invoicing source (`RegraFaturamento`, registered by
embarques): it contributes nothing by itself but flips its lote's invoiced flag, which
the sources registered with `campo_lote` read.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models

from estoque.models import UnificacaoCodigos

SALDO = "saldo"
ENTRADA = "entrada"
SAIDA = "saida"


@dataclass(frozen=True)
class Contribuicao:
    """(cod_produto, tipo, data, qtd): tipo SALDO (data None), ENTRADA or SAIDA. Raw codes."""

    cod_produto: str
    tipo: str
    data: date | None
    qtd: Decimal


PorLinha = Callable[[dict, bool], Iterable[Contribuicao]]
Agregado = Callable[[Sequence[str] | None, str], Iterable[Contribuicao]]


@dataclass(frozen=True)
class RegraFonte:
    model: type[models.Model]
    campos: tuple[str, ...]  # the fields `contribuicao` reads ("pk" is always read)
    contribuicao: PorLinha
    agregado: Agregado | None  # None only to be refused by the system check
    campo_produto: str = "cod_produto"
    campo_lote: str | None = None  # the contribution depends on whether this lote is invoiced


@dataclass(frozen=True)
class RegraFaturamento:
    """The source whose rows say which separação lotes are invoiced."""

    model: type[models.Model]
    campos: tuple[str, ...]
    campo_lote: str
    faturados: Callable[[str], models.QuerySet]  # using -> rows whose lote is invoiced now


def dos_codigos(qs: models.QuerySet, codigos: Sequence[str] | None, campo: str = "cod_produto") -> models.QuerySet:
    """The rows of these raw codes, or every row when codigos is None (the whole-catalog pass)."""
    return qs if codigos is None else qs.filter(**{f"{campo}__in": codigos})


_fontes: dict[type[models.Model], RegraFonte] = {}
_faturamento: list[RegraFaturamento] = []


def registrar(regra: RegraFonte) -> RegraFonte:
    _fontes[regra.model] = regra
    return regra


def registrar_faturamento(regra: RegraFaturamento) -> RegraFaturamento:
    _faturamento[:] = [regra]
    return regra


def regra(model) -> RegraFonte:
    try:
        return _fontes[model]
    except KeyError:
        raise LookupError(f"{model.__name__} não registrou sua contribuição ao estoque (estoque.registro).") from None


def regras() -> list[RegraFonte]:
    """Every registered per-row source, in a stable order."""
    return sorted(_fontes.values(), key=lambda r: r.model._meta.label)


def regras_por_lote() -> list[RegraFonte]:
    return [r for r in regras() if r.campo_lote]


def faturamento() -> RegraFaturamento | None:
    return _faturamento[0] if _faturamento else None


def campos(model) -> tuple[str, ...]:
    """The fields the engine reads of a source row (its own rule, or a special case's)."""
    if model in _fontes:
        return _fontes[model].campos
    fat = faturamento()
    if fat is not None and fat.model is model:
        return fat.campos
    if model is UnificacaoCodigos:
        return ("codigo_origem", "codigo_destino", "ativo")
    raise LookupError(f"{model.__name__} não é uma fonte de estoque registrada.")


def contribuicoes(model, estado: dict, lotes_faturados: frozenset = frozenset()) -> list[Contribuicao]:
    r = regra(model)
    faturado = bool(r.campo_lote) and estado[r.campo_lote] in lotes_faturados
    return list(r.contribuicao(estado, faturado))


# ---------------------------------------------------------------- what the stock screens read of each source
# The product page lists the rows behind each forecast day and the stock list shows how much
# of each product is ordered or allocated. Those rows live in the domain apps, which the
# stock app never imports: each app registers its readers here, next to its contribution.


@dataclass(frozen=True)
class LinhaComposicao:
    """One source row behind the forecast, as the product page lists it."""

    origem: str  # the registering Composicao's chave
    cod_produto: str  # raw code (any code of the group)
    data: date  # the row's own date; estoque.projecao says which day it counts on
    qtd: Decimal
    detalhes: dict  # what the page shows of the row, keyed like the Composicao's colunas


@dataclass(frozen=True)
class Composicao:
    """A source's rows behind the forecast inflows (ENTRADA) or outflows (SAIDA).

    `linhas(codigos, ate, using)`: every row of these raw codes, dated up to `ate`, that the
    source's registered contribution counts (the same QuerySet rule as its `agregado`).
    """

    chave: str
    titulo: str
    tipo: str  # ENTRADA or SAIDA
    permissao: str  # the Django permission to see its rows
    colunas: tuple[tuple[str, str], ...]  # (key of LinhaComposicao.detalhes, column title)
    linhas: Callable[[Sequence[str], date, str], Iterable[LinhaComposicao]]


@dataclass(frozen=True)
class Alocacao:
    """A per-product quantity a domain app adds to the stock list (em carteira, em pré-separação...).

    `totais(codigos, using)`: {raw code: total} for these raw codes (None: every code), one
    grouped query; the stock list adds up the codes of each group.
    """

    chave: str
    titulo: str
    permissao: str
    totais: Callable[[Sequence[str] | None, str], dict[str, Decimal]]


@dataclass(frozen=True)
class Pedidos:
    """The open order lines of some raw codes, for the product page:
    `linhas(codigos, limite, using)` -> (up to `limite` lines, how many there are)."""

    permissao: str
    linhas: Callable[[Sequence[str], int, str], tuple[list[dict], int]]


_composicoes: dict[str, Composicao] = {}
_alocacoes: dict[str, Alocacao] = {}
_pedidos: list[Pedidos] = []


def registrar_composicao(composicao: Composicao) -> Composicao:
    _composicoes[composicao.chave] = composicao
    return composicao


def registrar_alocacao(alocacao: Alocacao) -> Alocacao:
    _alocacoes[alocacao.chave] = alocacao
    return alocacao


def registrar_pedidos(pedidos: Pedidos) -> Pedidos:
    _pedidos[:] = [pedidos]
    return pedidos


def composicoes() -> list[Composicao]:
    """Inflows first, then outflows, each in registration order."""
    return sorted(_composicoes.values(), key=lambda c: c.tipo != ENTRADA)


def alocacoes() -> list[Alocacao]:
    return list(_alocacoes.values())


def alocacao(chave: str) -> Alocacao | None:
    return _alocacoes.get(chave)


def pedidos() -> Pedidos | None:
    return _pedidos[0] if _pedidos else None
