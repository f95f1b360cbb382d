"""What the stock screens read of the carteira (registered in estoque.registro, which never imports carteira).

- Composição: the pré-separações and separações behind each forecast outflow day of a product,
  read with the very QuerySet rules their contribution's set-based twin uses
  (`PreSeparacaoItem.objects.ativas()`, `Separacao.objects.pendentes().com_data_prevista()`).
- Alocações: how much of each product is in the carteira and not yet allocated (the free
  quantity of carteira.selectors, set-based: `CarteiraPrincipal.objects.com_saldo_livre()`),
  in active pré-separações and in separações not yet invoiced.
- Pedidos: the open order lines of a product, with what is allocated of each.
"""

from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.urls import reverse
from django.utils.http import urlencode

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from carteira.selectors import nao_alocado_por_produto
from estoque.registro import (
    SAIDA,
    Alocacao,
    Composicao,
    LinhaComposicao,
    Pedidos,
    registrar_alocacao,
    registrar_composicao,
    registrar_pedidos,
)

ZERO = Decimal("0")
PERM_CARTEIRA = "carteira.view_carteiraprincipal"
PERM_PRE = "carteira.view_preseparacaoitem"
PERM_SEP = "carteira.view_separacao"


def _cliente(using):
    """The order's customer (short name, else the full one), from any of its carteira lines."""
    linhas = CarteiraPrincipal.objects.using(using).filter(num_pedido=OuterRef("num_pedido")).order_by("id")
    return Coalesce(
        Subquery(linhas.annotate(nome=NullIf("raz_social_red", Value(""))).values("nome")[:1]),
        Subquery(linhas.values("raz_social")[:1]),
        Value(""),
    )


def url_pedido(num_pedido: str) -> str:
    return f"{reverse('carteira-pedidos')}?{urlencode({'q': num_pedido})}"


# ---------------------------------------------------------------- composição of the forecast outflows


def linhas_pre_separacao(codigos, ate, using):
    qs = (
        PreSeparacaoItem.objects.using(using)
        .ativas()
        .filter(cod_produto__in=list(codigos), data_expedicao_editada__lte=ate)
        .annotate(cliente=_cliente(using))
        .order_by("data_expedicao_editada", "num_pedido", "id")
    )
    for pre in qs.values(
        "id", "num_pedido", "cliente", "cod_produto", "qtd_selecionada_usuario", "data_expedicao_editada", "status"
    ):
        yield LinhaComposicao(
            "pre_separacao",
            pre["cod_produto"],
            pre["data_expedicao_editada"],
            pre["qtd_selecionada_usuario"],
            {
                "num_pedido": pre["num_pedido"],
                "cliente": pre["cliente"],
                "status": PreSeparacaoItem.Status(pre["status"]).label,
                "url_pedido": url_pedido(pre["num_pedido"]),
            },
        )


def linhas_separacao(codigos, ate, using):
    qs = (
        Separacao.objects.using(using)
        .pendentes()
        .com_data_prevista()
        .filter(cod_produto__in=list(codigos), data_prevista__lte=ate)
        .annotate(cliente=_cliente(using))
        .order_by("data_prevista", "separacao_lote_id", "id")
    )
    for sep in qs.values(
        "id", "separacao_lote_id", "num_pedido", "cliente", "cod_produto", "qtd_saldo", "data_prevista", "status"
    ):
        yield LinhaComposicao(
            "separacao",
            sep["cod_produto"],
            sep["data_prevista"],
            sep["qtd_saldo"],
            {
                "lote": sep["separacao_lote_id"],
                "num_pedido": sep["num_pedido"],
                "cliente": sep["cliente"],
                "status": Separacao.Status(sep["status"]).label,
                "url_pedido": url_pedido(sep["num_pedido"]),
            },
        )


# ---------------------------------------------------------------- quantities per product for the stock list


def _totais(qs, campo, codigos):
    if codigos is not None:
        qs = qs.filter(cod_produto__in=list(codigos))
    return dict(qs.order_by().values("cod_produto").annotate(total=Sum(campo)).values_list("cod_produto", "total"))


def em_carteira(codigos, using):
    """Ordered and not yet allocated (carteira.selectors.nao_alocado_por_produto)."""
    return nao_alocado_por_produto(codigos, using)


def em_pre_separacao(codigos, using):
    return _totais(PreSeparacaoItem.objects.using(using).ativas(), "qtd_selecionada_usuario", codigos)


def em_separacao(codigos, using):
    return _totais(Separacao.objects.using(using).pendentes(), "qtd_saldo", codigos)


def carteira_livre(using):
    """Open order lines with what each holds not yet allocated (never below zero per line)."""
    return (
        CarteiraPrincipal.objects.using(using)
        .abertas()
        .com_saldo_livre()
        .annotate(qtd_nao_alocada=Greatest("qtd_livre", Value(ZERO)))
    )


# ---------------------------------------------------------------- open order lines of a product


def pedidos_em_aberto(codigos, limite, using) -> tuple[list[dict], int]:
    """(up to `limite` open lines of these codes, soonest delivery first; how many there are)."""
    qs = (
        carteira_livre(using)
        .filter(cod_produto__in=list(codigos), qtd_saldo_produto_pedido__gt=0)
        .order_by("data_entrega_pedido", "num_pedido", "cod_produto")
    )
    linhas = []
    for linha in qs.values(
        "num_pedido",
        "cod_produto",
        "raz_social_red",
        "raz_social",
        "qtd_saldo_produto_pedido",
        "qtd_pre_separada",
        "qtd_separada",
        "qtd_nao_alocada",
        "data_entrega_pedido",
    )[:limite]:
        linhas.append(
            {
                "num_pedido": linha["num_pedido"],
                "cod_produto": linha["cod_produto"],
                "cliente": linha["raz_social_red"] or linha["raz_social"],
                "qtd": linha["qtd_saldo_produto_pedido"],
                "alocado": linha["qtd_pre_separada"] + linha["qtd_separada"],
                "nao_alocado": linha["qtd_nao_alocada"],
                "entrega": linha["data_entrega_pedido"],
                "url": url_pedido(linha["num_pedido"]),
            }
        )
    total = len(linhas) if len(linhas) < limite else qs.count()
    return linhas, total


def registrar():
    registrar_composicao(
        Composicao(
            "pre_separacao",
            "Pré-separações",
            SAIDA,
            PERM_PRE,
            (("num_pedido", "Pedido"), ("cliente", "Cliente"), ("status", "Status")),
            linhas_pre_separacao,
        )
    )
    registrar_composicao(
        Composicao(
            "separacao",
            "Separações",
            SAIDA,
            PERM_SEP,
            (("lote", "Lote"), ("num_pedido", "Pedido"), ("cliente", "Cliente"), ("status", "Status")),
            linhas_separacao,
        )
    )
    registrar_alocacao(Alocacao("carteira", "Em carteira", PERM_CARTEIRA, em_carteira))
    registrar_alocacao(Alocacao("pre_separacao", "Em pré-separação", PERM_PRE, em_pre_separacao))
    registrar_alocacao(Alocacao("separacao", "Em separação", PERM_SEP, em_separacao))
    registrar_pedidos(Pedidos(PERM_CARTEIRA, pedidos_em_aberto))
