"""Reads for the Excel exports (the dashboards read through carteira and producao selectors).

Exports stream: the main query is read in chunks (a server-side cursor on PostgreSQL) and
each chunk is completed with a few keyed look-ups (order lines, catalog, Pedido status),
so memory depends on the chunk size, not on the size of the carteira. On PostgreSQL an
export reads one snapshot (REPEATABLE READ, READ ONLY): an order line and its
pré-separações and separações are never seen at different moments.

"Pending" pré-separações and separações are the ones the projection counts (carteira's
selectors): pré-separações CRIADO/RECOMPOSTO, separações not yet invoiced. The carteira
detalhada nets those from the line's open balance, like the order workspace does.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import F

from carteira.models import CarteiraPrincipal, Pedido, PreSeparacaoItem, Separacao
from core.periodo import Periodo
from estoque import selectors as estoque_selectors
from estoque.models import CadastroPalletizacao, CodigoUnificado, EstoqueTempoReal, MovimentacaoPrevista

LOTE = 2000  # rows per chunk: one look-up query per kind per chunk

CAMPOS_CLIENTE = ("cnpj_cpf", "raz_social", "raz_social_red", "municipio", "estado", "vendedor", "equipe_vendas")


@dataclass(frozen=True)
class Cadastro:
    nome_produto: str
    peso_bruto: Decimal | None
    palletizacao: Decimal | None
    categoria: str


def em_lotes(iteravel, tamanho=LOTE):
    lote = []
    for item in iteravel:
        lote.append(item)
        if len(lote) >= tamanho:
            yield lote
            lote = []
    if lote:
        yield lote


@contextmanager
def leitura_consistente():
    """One snapshot for the whole export on PostgreSQL (outside any open transaction).

    SQLite is left in autocommit: a transaction there would hold the write lock
    (transaction_mode IMMEDIATE) for as long as the export runs.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def cadastro(codigos) -> dict[str, Cadastro]:
    """Catalog data per code; a code missing from the catalog takes its group principal's (2 queries)."""
    codigos = set(codigos)
    principal_de = dict(
        CodigoUnificado.objects.filter(cod_produto__in=codigos).values_list("cod_produto", "cod_principal")
    )
    linhas = CadastroPalletizacao.objects.filter(cod_produto__in=codigos | set(principal_de.values())).values_list(
        "cod_produto", "nome_produto", "peso_bruto", "palletizacao", "categoria"
    )
    por_codigo = {cod: Cadastro(nome, peso, pallet, categoria) for cod, nome, peso, pallet, categoria in linhas}
    resultado = {}
    for cod in codigos:
        achado = por_codigo.get(cod) or por_codigo.get(principal_de.get(cod))
        if achado:
            resultado[cod] = achado
    return resultado


def _linhas_dos_pedidos(pedidos) -> dict[tuple[str, str], dict]:
    """Order lines (active or not) of some orders, keyed (num_pedido, cod_produto)."""
    campos = ("num_pedido", "cod_produto", "nome_produto", "preco_produto_pedido", "pedido_cliente", *CAMPOS_CLIENTE)
    linhas = CarteiraPrincipal.objects.filter(num_pedido__in=set(pedidos)).values(*campos)
    return {(linha["num_pedido"], linha["cod_produto"]): linha for linha in linhas}


def _cliente_do_pedido(linhas: dict[tuple[str, str], dict]) -> dict[str, dict]:
    return {num_pedido: linha for (num_pedido, _), linha in linhas.items()}


def _completar(lote: list[dict]) -> list[dict]:
    """Add the order line, the order's customer and the catalog data to pré-separação/separação rows."""
    linhas = _linhas_dos_pedidos(item["num_pedido"] for item in lote)
    clientes = _cliente_do_pedido(linhas)
    catalogo = cadastro(item["cod_produto"] for item in lote)
    for item in lote:
        item["linha"] = linhas.get((item["num_pedido"], item["cod_produto"]))
        item["cliente"] = clientes.get(item["num_pedido"])
        item["cadastro"] = catalogo.get(item["cod_produto"])
    return lote


# ---------------------------------------------------------------- the four carteira exports


def pre_separacoes(periodo: Periodo):
    """Pré-separações CRIADO/RECOMPOSTO, by expedição date, with their order line and catalog data."""
    qs = periodo.filtrar(PreSeparacaoItem.objects.ativas(), "data_expedicao_editada").order_by(
        "data_expedicao_editada", "num_pedido", "cod_produto", "id"
    )
    for lote in em_lotes(qs.values().iterator(chunk_size=LOTE)):
        yield from _completar(lote)


def separacoes(periodo: Periodo):
    """Every separação (invoiced or not; not the ones a carteira sync cancelled), by expedição date,
    with its Pedido (lote) status."""
    qs = periodo.filtrar(Separacao.objects.nao_canceladas(), "expedicao").order_by(
        F("expedicao").asc(nulls_last=True), "separacao_lote_id", "cod_produto", "id"
    )
    for lote in em_lotes(qs.values().iterator(chunk_size=LOTE)):
        status = dict(
            Pedido.objects.filter(separacao_lote_id__in={item["separacao_lote_id"] for item in lote}).values_list(
                "separacao_lote_id", "status"
            )
        )
        for item in lote:
            item["status_pedido"] = status.get(item["separacao_lote_id"], "")
        yield from _completar(lote)


def _linhas_carteira(periodo: Periodo):
    qs = periodo.filtrar(CarteiraPrincipal.objects.filter(ativo=True), "data_pedido")
    return qs.order_by("num_pedido", "cod_produto")


def carteira(periodo: Periodo):
    """The open order book (active lines), by order date, with catalog data."""
    for lote in em_lotes(_linhas_carteira(periodo).values().iterator(chunk_size=LOTE)):
        catalogo = cadastro(linha["cod_produto"] for linha in lote)
        for linha in lote:
            linha["cadastro"] = catalogo.get(linha["cod_produto"])
        yield from lote


CAMPOS_DETALHADA = (
    "num_pedido",
    "pedido_cliente",
    "data_pedido",
    "status_pedido",
    *CAMPOS_CLIENTE,
    "cod_produto",
    "nome_produto",
    "qtd_produto_pedido",
    "qtd_saldo_produto_pedido",
    "qtd_cancelada_produto_pedido",
    "preco_produto_pedido",
    "data_entrega_pedido",
    "observ_ped_1",
    "origem",
    "criado_em",
)  # every field of the order line but the delivery address


def carteira_detalhada(periodo: Periodo):
    """(order line, its pending pré-separações, its pending separações) for each active line.

    The date range selects order lines by order date; each selected line brings all of its
    pending pré-separações and separações, so the line always reconciles.
    """
    linhas_carteira = _linhas_carteira(periodo).values(*CAMPOS_DETALHADA)
    for lote in em_lotes(linhas_carteira.iterator(chunk_size=LOTE)):
        pedidos = {linha["num_pedido"] for linha in lote}
        catalogo = cadastro(linha["cod_produto"] for linha in lote)
        pres, seps = defaultdict(list), defaultdict(list)
        for pre in (
            PreSeparacaoItem.objects.ativas()
            .filter(num_pedido__in=pedidos)
            .order_by("data_expedicao_editada", "id")
            .values()
        ):
            pres[(pre["num_pedido"], pre["cod_produto"])].append(pre)
        pendentes = (
            Separacao.objects.pendentes()
            .filter(num_pedido__in=pedidos)
            .order_by(F("expedicao").asc(nulls_first=True), "separacao_lote_id", "id")
            .values()
        )
        for sep in pendentes:
            seps[(sep["num_pedido"], sep["cod_produto"])].append(sep)
        status = dict(
            Pedido.objects.filter(
                separacao_lote_id__in={sep["separacao_lote_id"] for lista in seps.values() for sep in lista}
            ).values_list("separacao_lote_id", "status")
        )
        for linha in lote:
            chave = (linha["num_pedido"], linha["cod_produto"])
            linha["cadastro"] = catalogo.get(linha["cod_produto"])
            for sep in seps.get(chave, ()):
                sep["status_pedido"] = status.get(sep["separacao_lote_id"], "")
            yield linha, pres.get(chave, []), seps.get(chave, [])


# ---------------------------------------------------------------- production workbook


def estoque_e_previstas():
    """Per principal product (EstoqueTempoReal): (row, unified codes, catalog, forecast rows by date)."""
    qs = EstoqueTempoReal.objects.order_by("cod_produto").values(
        "cod_produto", "nome_produto", "saldo_atual", "atualizado_em"
    )
    for lote in em_lotes(qs.iterator(chunk_size=LOTE)):
        codigos = [produto["cod_produto"] for produto in lote]
        _, membros, _ = estoque_selectors.grupos_de(codigos)
        catalogo = cadastro(codigos)
        previstas = defaultdict(list)
        linhas = (
            MovimentacaoPrevista.objects.filter(cod_produto__in=codigos)
            .order_by("cod_produto", "data_prevista")
            .values_list("cod_produto", "data_prevista", "entrada_prevista", "saida_prevista")
        )
        for cod, dia, entrada, saida in linhas:
            previstas[cod].append((dia, entrada, saida))
        for produto in lote:
            cod = produto["cod_produto"]
            grupo = membros.get(cod, [cod])
            yield produto, grupo if len(grupo) > 1 else [], catalogo.get(cod), previstas.get(cod, [])


# ---------------------------------------------------------------- row counts (exports.contar)


def _contar_detalhada(periodo: Periodo) -> int:
    linhas = _linhas_carteira(periodo)
    pedidos = linhas.values("num_pedido")
    return (
        linhas.count()
        + PreSeparacaoItem.objects.ativas().filter(num_pedido__in=pedidos).count()
        + Separacao.objects.pendentes().filter(num_pedido__in=pedidos).count()
    )


contagens = {
    "pre-separacoes": lambda periodo: periodo.filtrar(
        PreSeparacaoItem.objects.ativas(), "data_expedicao_editada"
    ).count(),
    "separacoes": lambda periodo: periodo.filtrar(Separacao.objects.nao_canceladas(), "expedicao").count(),
    "carteira": lambda periodo: _linhas_carteira(periodo).count(),
    "carteira-detalhada": _contar_detalhada,
    "producao": lambda periodo: EstoqueTempoReal.objects.count() + MovimentacaoPrevista.objects.count(),
}
