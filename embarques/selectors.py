"""Reads of the embarques page: embarques with their lotes, pedidos, weights and pallets."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Exists, OuterRef

from carteira.models import Separacao
from embarques.models import Embarque, EmbarqueItem, FaturamentoLote

ZERO = Decimal("0")
MAX_CANCELADOS = 20
MAX_LOTES_LIVRES = 300


def _separacoes_por_lote(lotes) -> dict[str, list]:
    por_lote: dict[str, list] = defaultdict(list)
    linhas = (
        Separacao.objects.nao_canceladas()
        .filter(separacao_lote_id__in=list(lotes))
        .order_by("separacao_lote_id", "cod_produto", "pk")
        .values("separacao_lote_id", "cod_produto", "qtd_saldo", "peso", "pallet", "status")
    )
    for linha in linhas:
        por_lote[linha["separacao_lote_id"]].append(linha)
    return por_lote


def _produtos(separacoes) -> list[dict]:
    produtos: dict[str, Decimal] = {}
    for sep in separacoes:
        produtos[sep["cod_produto"]] = produtos.get(sep["cod_produto"], ZERO) + sep["qtd_saldo"]
    return [{"cod_produto": cod, "qtd": qtd} for cod, qtd in produtos.items()]


def painel() -> list[dict]:
    """Active embarques (newest first), then the latest cancelled ones; each with its active items."""
    ativos = list(Embarque.objects.filter(status=Embarque.Status.ATIVO).order_by("-numero"))
    cancelados = list(Embarque.objects.filter(status=Embarque.Status.CANCELADO).order_by("-numero")[:MAX_CANCELADOS])
    embarques = ativos + cancelados
    itens = list(
        EmbarqueItem.objects.filter(embarque__in=[e.pk for e in ativos], status=EmbarqueItem.Status.ATIVO).order_by(
            "separacao_lote_id"
        )
    )
    separacoes = _separacoes_por_lote({i.separacao_lote_id for i in itens})
    faturas = {
        f.item_id: f
        for f in FaturamentoLote.objects.filter(item__in=[i.pk for i in itens], status=FaturamentoLote.Status.ATIVO)
    }
    por_embarque: dict[int, list] = defaultdict(list)
    for item in itens:
        seps = separacoes.get(item.separacao_lote_id, [])
        por_embarque[item.embarque_id].append(
            {
                "item": item,
                "faturamento": faturas.get(item.pk),
                "faturado": item.faturamento_vinculado,
                "status": ", ".join(sorted({s["status"] for s in seps})) or "—",
                "peso": sum((s["peso"] for s in seps), ZERO),
                "pallet": sum((s["pallet"] for s in seps), ZERO),
                "produtos": _produtos(seps),
            }
        )
    resultado = []
    for embarque in embarques:
        linhas = por_embarque.get(embarque.pk, [])
        resultado.append(
            {
                "embarque": embarque,
                "itens": linhas,
                "peso": sum((linha["peso"] for linha in linhas), ZERO),
                "pallet": sum((linha["pallet"] for linha in linhas), ZERO),
                "pedidos": sorted({linha["item"].num_pedido for linha in linhas}),
            }
        )
    return resultado


def lotes_livres() -> list[str]:
    """Lotes that may go on an embarque: ABERTO separações not cancelled, not on an active item."""
    em_embarque = EmbarqueItem.objects.filter(
        separacao_lote_id=OuterRef("separacao_lote_id"), status=EmbarqueItem.Status.ATIVO
    )
    return list(
        Separacao.objects.nao_canceladas()
        .filter(status=Separacao.Status.ABERTO)
        .exclude(Exists(em_embarque))
        .order_by("separacao_lote_id")
        .values_list("separacao_lote_id", flat=True)
        .distinct()[:MAX_LOTES_LIVRES]
    )


def produtos_do_lote(lote: str) -> list[dict]:
    """[{cod_produto, qtd}] separated in the lote (the invoicing forms' defaults)."""
    return _produtos(_separacoes_por_lote([lote]).get(lote, []))
