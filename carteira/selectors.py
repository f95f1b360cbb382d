"""Reads of the order book: the order assembly workspace, the free quantity of a line, the dashboard.

Free quantity of an order line (qtd_saldo) = its open balance in the carteira
(qtd_saldo_produto_pedido) minus its active pré-separações (PreSeparacaoItem.objects.ativas())
minus its separações not yet invoiced (Separacao.objects.pendentes()): the same rows the
engine counts as forecast outflows, so the line and the projection agree. Allocations a
carteira sync cancelled are in neither: they free the line.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connections
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone

from carteira.models import (
    AlertaSeparacaoCotada,
    CarteiraPrincipal,
    PreSeparacaoItem,
    Separacao,
    SincronizacaoCarteira,
)
from estoque import selectors as estoque_selectors
from estoque.projecao import DIAS_D7

ZERO = Decimal("0")
MILESIMO = Decimal("0.001")
CENTAVO = Decimal("0.01")
DIAS_MINI_PROJECAO = 14  # the workspace's mini projection: D0..D13


def linha_carteira(num_pedido: str, cod_produto: str, travar: bool = False) -> CarteiraPrincipal | None:
    qs = CarteiraPrincipal.objects.filter(num_pedido=num_pedido, cod_produto=cod_produto, ativo=True)
    if travar:
        qs = qs.select_for_update()
    return qs.first()


def saldo_livre(
    linha: CarteiraPrincipal, excluir_pre_separacao: int | None = None, excluir_separacao: int | None = None
) -> Decimal:
    """The line's free quantity, optionally as if one pré-separação or separação did not exist (when editing it)."""
    pre = PreSeparacaoItem.objects.ativas().filter(num_pedido=linha.num_pedido, cod_produto=linha.cod_produto)
    if excluir_pre_separacao is not None:
        pre = pre.exclude(pk=excluir_pre_separacao)
    sep = Separacao.objects.pendentes().filter(num_pedido=linha.num_pedido, cod_produto=linha.cod_produto)
    if excluir_separacao is not None:
        sep = sep.exclude(pk=excluir_separacao)
    pre_total = pre.aggregate(total=Sum("qtd_selecionada_usuario"))["total"] or ZERO
    sep_total = sep.aggregate(total=Sum("qtd_saldo"))["total"] or ZERO
    return linha.qtd_saldo_produto_pedido - pre_total - sep_total


def nao_alocado_por_produto(codigos=None, using: str = "default") -> dict[str, Decimal]:
    """raw code -> what its open order lines hold not yet allocated: the sum over the lines of
    max(free quantity, 0), the free quantity being saldo_livre's rule (the line's open balance
    minus its active pré-separações minus its separações not yet invoiced).

    Set-based in one statement: the two QuerySet rules grouped per (pedido, produto) and
    joined to the lines (CarteiraPrincipal.objects.com_saldo_livre() is the per-line
    annotation; a join of grouped rows is what stays fast over the whole carteira).
    """
    linhas = CarteiraPrincipal.objects.using(using).abertas()
    pre = PreSeparacaoItem.objects.using(using).ativas()
    sep = Separacao.objects.using(using).pendentes()
    if codigos is not None:
        codigos = list(codigos)
        if not codigos:
            return {}
        linhas, pre, sep = (qs.filter(cod_produto__in=codigos) for qs in (linhas, pre, sep))
    sql_linhas, p_linhas = (
        linhas.order_by().values("num_pedido", "cod_produto", "qtd_saldo_produto_pedido").query.sql_with_params()
    )
    por_linha = ("cod_produto", "num_pedido")  # the order of their indexes: grouped and joined without sorting
    sql_pre, p_pre = (
        pre.order_by().values(*por_linha).annotate(total=Sum("qtd_selecionada_usuario")).query.sql_with_params()
    )
    sql_sep, p_sep = sep.order_by().values(*por_linha).annotate(total=Sum("qtd_saldo")).query.sql_with_params()
    livre = "c.qtd_saldo_produto_pedido - COALESCE(p.total, 0) - COALESCE(s.total, 0)"
    sql = (
        f"SELECT c.cod_produto, SUM(CASE WHEN {livre} > 0 THEN {livre} ELSE 0 END) FROM ({sql_linhas}) c "
        f"LEFT JOIN ({sql_pre}) p ON p.num_pedido = c.num_pedido AND p.cod_produto = c.cod_produto "
        f"LEFT JOIN ({sql_sep}) s ON s.num_pedido = c.num_pedido AND s.cod_produto = c.cod_produto "
        f"GROUP BY c.cod_produto"
    )
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [*p_linhas, *p_pre, *p_sep])
        return {cod: _decimal(total) for cod, total in cursor.fetchall()}


def _decimal(valor) -> Decimal:
    """A SUM read without the ORM: PostgreSQL gives a Decimal, SQLite an int or float."""
    if isinstance(valor, Decimal):
        return valor
    return Decimal(str(valor or 0)).quantize(MILESIMO)


def _por_produto(linhas, campo_qtd) -> dict[str, Decimal]:
    totais = defaultdict(lambda: ZERO)
    for linha in linhas:
        totais[linha.cod_produto] += getattr(linha, campo_qtd)
    return totais


def workspace(num_pedido: str, hoje: date | None = None) -> dict | None:
    """What the order assembly screen needs, per line; None when the order is not in the carteira.

    A fixed number of queries whatever the number of lines: lines, pré-separações,
    separações, then the stock read (groups, stock, forecast, catalog).
    """
    hoje = hoje or timezone.localdate()
    linhas = list(CarteiraPrincipal.objects.filter(num_pedido=num_pedido, ativo=True).order_by("cod_produto"))
    if not linhas:
        return None
    pres = list(
        PreSeparacaoItem.objects.ativas().filter(num_pedido=num_pedido).order_by("data_expedicao_editada", "id")
    )
    seps = list(
        Separacao.objects.pendentes().filter(num_pedido=num_pedido).order_by("expedicao", "separacao_lote_id", "id")
    )
    pre_total = _por_produto(pres, "qtd_selecionada_usuario")
    sep_total = _por_produto(seps, "qtd_saldo")
    leitura = estoque_selectors.ler([linha.cod_produto for linha in linhas], hoje)

    itens = []
    for linha in linhas:
        produto = estoque_selectors.montar(linha.cod_produto, leitura, hoje)
        qtd_saldo = linha.qtd_saldo_produto_pedido - pre_total[linha.cod_produto] - sep_total[linha.cod_produto]
        livre = max(qtd_saldo, ZERO)
        itens.append(
            {
                "cod_produto": linha.cod_produto,
                "nome_produto": produto.nome_produto or linha.nome_produto,
                "cod_principal": produto.cod_principal,
                "codigos_unificados": produto.codigos_unificados,
                "qtd_pedido": linha.qtd_produto_pedido,
                "qtd_saldo_carteira": linha.qtd_saldo_produto_pedido,
                "qtd_pre_separada": pre_total[linha.cod_produto],
                "qtd_separada": sep_total[linha.cod_produto],
                "qtd_saldo": qtd_saldo,
                "preco": linha.preco_produto_pedido,
                "valor": (livre * linha.preco_produto_pedido).quantize(CENTAVO),
                "peso": (livre * produto.peso_bruto).quantize(MILESIMO) if produto.peso_bruto is not None else None,
                "pallets": (livre / produto.palletizacao).quantize(MILESIMO) if produto.palletizacao else None,
                "estoque_atual": produto.estoque_atual,
                "menor_estoque_d7": produto.menor_estoque_d7,
                "dia_ruptura": produto.dia_ruptura,
                "status": produto.status,
                "disponivel_em": estoque_selectors.primeiro_dia_disponivel(produto.projecao, livre),
                "projecao": produto.projecao[:DIAS_MINI_PROJECAO],
            }
        )
    cabecalho = linhas[0]
    return {
        "num_pedido": num_pedido,
        "data_referencia": hoje,
        "cnpj_cpf": cabecalho.cnpj_cpf,
        "raz_social": cabecalho.raz_social,
        "raz_social_red": cabecalho.raz_social_red,
        "municipio": cabecalho.municipio,
        "estado": cabecalho.estado,
        "vendedor": cabecalho.vendedor,
        "data_pedido": cabecalho.data_pedido,
        "data_entrega_pedido": cabecalho.data_entrega_pedido,
        "valor_saldo": sum((item["valor"] for item in itens), ZERO),
        "peso_saldo": sum((item["peso"] or ZERO for item in itens), ZERO),
        "pallets_saldo": sum((item["pallets"] or ZERO for item in itens), ZERO),
        "itens": itens,
        "pre_separacoes": pres,
        "separacoes": seps,
    }


def canceladas_por_sincronizacao(execucao: SincronizacaoCarteira) -> tuple[list, list]:
    """The pré-separações and separações a sync run cancelled (kept, out of the forecast)."""
    pres = list(
        PreSeparacaoItem.objects.filter(cancelado_por_sincronizacao=execucao).order_by(
            "num_pedido", "cod_produto", "id"
        )
    )
    seps = list(
        Separacao.objects.filter(cancelado_por_sincronizacao=execucao).order_by(
            "separacao_lote_id", "num_pedido", "cod_produto", "id"
        )
    )
    return pres, seps


# ---------------------------------------------------------------- dashboard


def alertas_abertos(num_pedido: str | None = None, limite: int = 100) -> list[AlertaSeparacaoCotada]:
    """COTADA separações a sync reduced or removed, not yet acknowledged (newest first)."""
    qs = AlertaSeparacaoCotada.objects.filter(reconhecido=False).order_by("-atualizado_em", "-id")
    if num_pedido is not None:
        qs = qs.filter(num_pedido=num_pedido)
    return list(qs[:limite])


def total_alertas_abertos() -> int:
    return AlertaSeparacaoCotada.objects.filter(reconhecido=False).count()


def painel_carteira(hoje: date, ruptura_limite: int = 15) -> dict:
    """Open order book totals and the order lines whose product runs out within D0..D7."""
    ativas = CarteiraPrincipal.objects.filter(ativo=True)
    valor = ExpressionWrapper(
        F("qtd_saldo_produto_pedido") * F("preco_produto_pedido"),
        output_field=DecimalField(max_digits=30, decimal_places=5),
    )
    totais = ativas.aggregate(pedidos=Count("num_pedido", distinct=True), linhas=Count("id"), valor=Sum(valor))
    rupturas = estoque_selectors.rupturas(DIAS_D7, hoje)
    _, membros, _ = estoque_selectors.grupos_de([r.cod_produto for r in rupturas])
    principal_de = {cod: principal for principal, grupo in membros.items() for cod in grupo}
    por_codigo = (
        ativas.filter(cod_produto__in=list(principal_de))
        .order_by()
        .values("cod_produto")
        .annotate(linhas=Count("id"), pedidos=Count("num_pedido", distinct=True), qtd=Sum("qtd_saldo_produto_pedido"))
    )
    por_produto = defaultdict(lambda: {"linhas": 0, "pedidos": 0, "qtd": ZERO})
    for item in por_codigo:
        alvo = por_produto[principal_de[item["cod_produto"]]]
        alvo["linhas"] += item["linhas"]
        alvo["pedidos"] += item["pedidos"]  # an order rarely holds two codes of one group
        alvo["qtd"] += item["qtd"] or ZERO
    afetados = [r for r in rupturas if r.cod_produto in por_produto]
    detalhados = estoque_selectors.detalhar_rupturas(afetados[:ruptura_limite])
    return {
        "data_referencia": hoje,
        "pedidos": totais["pedidos"] or 0,
        "linhas": totais["linhas"] or 0,
        "valor": (totais["valor"] or ZERO).quantize(CENTAVO),
        "linhas_ruptura": sum(item["linhas"] for item in por_produto.values()),
        "produtos_ruptura": len(afetados),
        "rupturas": [{"ruptura": r, **por_produto[r.cod_produto]} for r in detalhados],
    }
