"""The product page: one group's numbers, its D0..D28 projection and the source rows behind each day.

The numbers and the projection come from the derived tables (estoque.selectors.produto).
The rows behind each day come from the domain apps' registered readers
(estoque.registro.Composicao), dated by the projection's own rules (estoque.projecao:
an outflow dated before today counts on D0, marked overdue; production dated before today
does not count), so a day's rows add up to exactly that day's entrada and saída.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from estoque import registro
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque, TipoMovimentacao
from estoque.projecao import DIAS_MAX, ROTULOS_STATUS, DiaProjecao, dia_da_entrada, dia_da_saida, resumir
from estoque.selectors import EstoqueProduto
from estoque.selectors import produto as ler_produto

ZERO = Decimal("0")
MOVIMENTACOES_MOSTRADAS = 50
PEDIDOS_MOSTRADOS = 100


@dataclass
class ItemComposicao:
    """One source row behind a day."""

    origem: str
    cod_produto: str
    data: date  # the row's own date
    qtd: Decimal
    atrasada: bool  # an overdue outflow counted on D0
    detalhes: dict


@dataclass
class DiaComposicao:
    dia: DiaProjecao
    indice: int  # k of D+k
    itens: dict[str, list[ItemComposicao]] = field(default_factory=dict)  # origem -> rows

    @property
    def total_itens(self) -> int:
        return sum(len(itens) for itens in self.itens.values())


@dataclass
class Composicao:
    produto: EstoqueProduto
    hoje: date
    dias: list[DiaComposicao]
    origens: list[registro.Composicao]  # the ones this user may see, in order
    ocultas: list[registro.Composicao]  # the ones hidden for lack of permission


def composicao(produto: EstoqueProduto, usuario, dias: int = DIAS_MAX, hoje: date | None = None) -> Composicao:
    """The rows behind each day D0..D(dias) of a product's projection, for the sources this user may see.

    One query per source. A source the user may not see is listed in `ocultas`: its rows are
    left out, so the day's totals (from the derived tables) are then more than its rows.
    """
    hoje = hoje or timezone.localdate()
    fim = hoje + timedelta(days=dias)
    permitidas = [c for c in registro.composicoes() if usuario.has_perm(c.permissao)]
    ocultas = [c for c in registro.composicoes() if c not in permitidas]
    resultado = [DiaComposicao(dia, k, {c.chave: [] for c in permitidas}) for k, dia in enumerate(produto.projecao)]
    resultado = resultado[: dias + 1]
    for origem in permitidas:
        for linha in origem.linhas(produto.codigos_unificados, fim, "default"):
            if origem.tipo == registro.ENTRADA:
                dia = dia_da_entrada(linha.data, hoje)
                if dia is None:
                    continue
            else:
                dia = dia_da_saida(linha.data, hoje)
            indice = (dia - hoje).days
            if indice > dias:
                continue
            item = ItemComposicao(
                origem.chave, linha.cod_produto, linha.data, linha.qtd, linha.data < hoje, linha.detalhes
            )
            resultado[indice].itens[origem.chave].append(item)
    return Composicao(produto, hoje, resultado, permitidas, ocultas)


# ---------------------------------------------------------------- the page


@dataclass
class PaginaProduto:
    produto: EstoqueProduto
    resumo_status: str  # label of the status (with accents)
    disponivel: Decimal  # lowest balance D0..D28
    dia_ruptura: date | None  # first day below zero within D0..D28
    dias_ate_ruptura: int | None
    catalogo: dict
    composicao: Composicao
    movimentacoes: list[dict] | None  # None: no permission
    pedidos: list[dict] | None  # None: no permission
    total_pedidos: int


def pagina(cod: str, usuario, hoje: date | None = None) -> PaginaProduto | None:
    """Everything the product page shows; None when the code is unknown. Sections the user may not
    see come back as None (the page hides them instead of refusing the whole page)."""
    hoje = hoje or timezone.localdate()
    produto = ler_produto(cod, hoje)
    if produto is None:
        return None
    resumo = resumir(produto.projecao)
    comp = composicao(produto, usuario, DIAS_MAX, hoje)
    movimentacoes = None
    if usuario.has_perm("estoque.view_movimentacaoestoque"):
        movimentacoes = ultimas_movimentacoes(produto.codigos_unificados)
    pedidos, total_pedidos = None, 0
    leitor = registro.pedidos()
    if leitor is not None and usuario.has_perm(leitor.permissao):
        pedidos, total_pedidos = leitor.linhas(produto.codigos_unificados, PEDIDOS_MOSTRADOS, "default")
    return PaginaProduto(
        produto=produto,
        resumo_status=ROTULOS_STATUS[resumo.status],
        disponivel=resumo.menor_estoque_d28,
        dia_ruptura=resumo.dia_ruptura_d28,
        dias_ate_ruptura=(resumo.dia_ruptura_d28 - hoje).days if resumo.dia_ruptura_d28 else None,
        catalogo=catalogo(produto),
        composicao=comp,
        movimentacoes=movimentacoes,
        pedidos=pedidos,
        total_pedidos=total_pedidos,
    )


def catalogo(produto: EstoqueProduto) -> dict[str, Any]:
    """The catalog line of the principal code (else of the code asked): line, category..."""
    linhas: dict[str, dict[str, Any]] = {
        linha["cod_produto"]: dict(linha)
        for linha in CadastroPalletizacao.objects.filter(
            cod_produto__in={produto.cod_principal, produto.cod_produto}
        ).values("cod_produto", "linha_producao", "categoria", "subcategoria", "ativo")
    }
    return linhas.get(produto.cod_principal) or linhas.get(produto.cod_produto) or {}


CAMPOS_MOVIMENTACAO = (
    "id",
    "data_movimentacao",
    "tipo_movimentacao",
    "cod_produto",
    "qtd_movimentacao",
    "local_movimentacao",
    "numero_nf",
    "num_pedido",
    "separacao_lote_id",
    "criado_por",
    "ativo",
)


def ultimas_movimentacoes(codigos, limite: int = MOVIMENTACOES_MOSTRADAS) -> list[dict]:
    """The latest movements of these codes (cancelled ones too, marked), newest first.

    One short index walk per code of the group (mov_produto_data_idx), merged: a single query with
    IN would sort every movement of the group, and a long-lived product has tens of thousands.
    """
    movimentos = []
    for cod in sorted(set(codigos)):
        movimentos += (
            MovimentacaoEstoque.objects.filter(cod_produto=cod)
            .order_by("-data_movimentacao", "-id")
            .values(*CAMPOS_MOVIMENTACAO)[:limite]
        )
    movimentos.sort(key=lambda m: (m["data_movimentacao"], m["id"]), reverse=True)
    rotulos = dict(TipoMovimentacao.choices)
    for mov in movimentos[:limite]:
        mov["tipo_rotulo"] = rotulos.get(mov["tipo_movimentacao"], mov["tipo_movimentacao"])
    return movimentos[:limite]
