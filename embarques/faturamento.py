"""Registering and cancelling the invoice (NF) of a lote on an embarque: the one service the
page, the API, the spreadsheet import and the admin call.

Registering, in one transaction with the item and the lote's separações locked:
- a FATURAMENTO movement per product (negative, with NF, lote and pedido): stock goes down once;
- the EmbarqueItem gets the NF and an empty erro_validacao (the invoice is matched: the engine
  marks the lote invoiced) and the separações go FATURADO: the forecast outflow leaves once
  (a separação's contribution is a function of its state, so both changes together still
  remove it exactly once);
- the carteira line's open balance goes down by what was invoiced (carteira.baixas);
- a FaturamentoLote/FaturamentoItem record of all of it.
The same NF again for the same lote changes nothing and says so; another NF is refused while
one is in force. Cancelling reverses the record exactly: movements ativo=False (never
deleted), the item pending again, separações EMBARCADO, the carteira given back what was taken.
A partial invoice leaves the rest to the order line's free quantity: the separação no longer
counts as outflow and the line went down only by the invoiced quantity.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from carteira import baixas
from embarques import ciclo
from embarques.models import ERRO_NF_PENDENTE, Embarque, EmbarqueItem, FaturamentoItem, FaturamentoLote
from embarques.services import _texto
from estoque.models import MovimentacaoEstoque
from estoque.services import operacoes
from estoque.services.transacao import atomico_com_retentativa

S = ciclo.S
ZERO = Decimal("0")
MILESIMO = Decimal("0.001")


@dataclass
class Resultado:
    faturamento: FaturamentoLote
    criado: bool  # False: the same NF was already registered for the lote, nothing changed
    mensagem: str


def _item_do_lote(lote: str) -> EmbarqueItem:
    item = (
        EmbarqueItem.objects.select_for_update()
        .filter(separacao_lote_id=lote, status=EmbarqueItem.Status.ATIVO)
        .order_by("pk")
        .first()
    )
    if item is None or Embarque.objects.filter(pk=item.embarque_id, status=Embarque.Status.ATIVO).count() == 0:
        raise ValidationError({"separacao_lote_id": f"O lote {lote} não está em nenhum embarque ativo."})
    return item


def _ativo(lote: str) -> FaturamentoLote | None:
    return FaturamentoLote.objects.select_for_update().filter(separacao_lote_id=lote, status="ATIVO").first()


def _produtos(lote: str, separacoes) -> dict[str, tuple[str, Decimal]]:
    """cod_produto -> (num_pedido, qtd separada) of the lote."""
    produtos: dict[str, tuple[str, Decimal]] = {}
    for sep in separacoes:
        pedido, qtd = produtos.get(sep.cod_produto, (sep.num_pedido, ZERO))
        if pedido != sep.num_pedido:
            raise ValidationError(
                {"separacao_lote_id": f"O lote {lote} tem o produto {sep.cod_produto} em mais de um pedido."}
            )
        produtos[sep.cod_produto] = (pedido, qtd + sep.qtd_saldo)
    return produtos


def _quantidades(lote: str, produtos, quantidades: dict[str, Decimal] | None) -> dict[str, Decimal]:
    """Invoiced quantity per product: the given one, else the separação's."""
    quantidades = dict(quantidades or {})
    estranhos = sorted(set(quantidades) - set(produtos))
    if estranhos:
        raise ValidationError({"itens": f"Produto(s) fora do lote {lote}: {', '.join(estranhos)}."})
    resultado = {}
    for cod, (_, separada) in sorted(produtos.items()):
        qtd = quantidades.get(cod, separada)
        if not isinstance(qtd, Decimal) or not qtd.is_finite():
            raise ValidationError({"itens": f"Quantidade inválida para o produto {cod}."})
        if qtd < 0:
            raise ValidationError({"itens": f"A quantidade faturada do produto {cod} não pode ser negativa."})
        if qtd != qtd.quantize(MILESIMO):
            raise ValidationError({"itens": f"A quantidade do produto {cod} tem mais de 3 casas decimais."})
        if qtd > separada:
            raise ValidationError(
                {"itens": f"O produto {cod} tem {separada} separado(s) no lote {lote}: não se fatura {qtd}."}
            )
        resultado[cod] = qtd
    if not any(resultado.values()):
        raise ValidationError({"itens": "Nenhuma quantidade faturada: informe ao menos um produto."})
    return resultado


@atomico_com_retentativa
def registrar_faturamento(
    *,
    separacao_lote_id: str,
    nota_fiscal: str,
    quantidades: dict[str, Decimal] | None = None,
    usuario: str = "",
    importacao=None,
) -> Resultado:
    lote = _texto(separacao_lote_id, "separacao_lote_id", 50, obrigatorio=True)
    nf = _texto(nota_fiscal, "nota_fiscal", 20, obrigatorio=True)
    item = _item_do_lote(lote)
    atual = _ativo(lote)
    if atual is not None:
        if atual.nota_fiscal == nf:
            return Resultado(atual, False, f"A NF {nf} já está registrada para o lote {lote}: nada foi alterado.")
        raise ValidationError(
            {"nota_fiscal": f"O lote {lote} já está faturado com a NF {atual.nota_fiscal}: cancele-a antes."}
        )
    if item.faturamento_vinculado:
        raise ValidationError({"separacao_lote_id": f"O lote {lote} já consta como faturado no embarque."})
    separacoes = ciclo.separacoes_do_lote(lote)
    if not separacoes:
        raise ValidationError({"separacao_lote_id": f"O lote {lote} não tem separações."})
    for sep in separacoes:
        if sep.status != S.EMBARCADO:
            raise ValidationError(
                {"separacao_lote_id": f"O lote {lote} está {sep.status}: só se fatura um lote EMBARCADO."}
            )
    produtos = _produtos(lote, separacoes)
    qtds = _quantidades(lote, produtos, quantidades)
    try:
        with transaction.atomic():
            faturamento = FaturamentoLote.objects.create(
                item=item,
                separacao_lote_id=lote,
                num_pedido=item.num_pedido,
                nota_fiscal=nf,
                registrado_por=usuario,
                importacao=importacao,
            )
    except IntegrityError:
        # Another transaction registered this lote's invoice between our read and write (no row lock to wait on
        # when no invoice existed yet): PostgreSQL's unique index decided; retried, we see theirs.
        raise ValidationError({"nota_fiscal": f"O lote {lote} acabou de ser faturado por outra operação."}) from None
    embarque = Embarque.objects.get(pk=item.embarque_id)
    for cod, qtd in qtds.items():
        pedido, separada = produtos[cod]
        mov = None
        if qtd > 0:
            mov = operacoes.criar_movimentacao(
                cod_produto=cod,
                tipo_movimentacao=MovimentacaoEstoque.Tipo.FATURAMENTO,
                qtd_movimentacao=-qtd,
                usuario=usuario[:100],
                numero_nf=nf,
                separacao_lote_id=lote,
                num_pedido=pedido,
                observacao=f"Faturamento NF {nf}, lote {lote}, pedido {pedido}, embarque {embarque.numero}.",
            )
        baixada = baixas.baixar(pedido, cod, qtd)
        FaturamentoItem.objects.create(
            faturamento=faturamento,
            num_pedido=pedido,
            cod_produto=cod,
            qtd_separada=separada,
            qtd_faturada=qtd,
            qtd_baixada_carteira=baixada,
            movimentacao=mov,
        )
    item.nota_fiscal = nf
    item.erro_validacao = ""
    item.save(update_fields=["nota_fiscal", "erro_validacao"])
    ciclo.mudar_status(lote, S.FATURADO, separacoes, numero_nf=nf)
    return Resultado(faturamento, True, f"NF {nf} registrada para o lote {lote}.")


@atomico_com_retentativa
def cancelar_faturamento(*, separacao_lote_id: str, nota_fiscal: str = "", usuario: str = "") -> FaturamentoLote:
    """Reverse the lote's invoice in force exactly (nota_fiscal, when given, must be it)."""
    lote = _texto(separacao_lote_id, "separacao_lote_id", 50, obrigatorio=True)
    nf = _texto(nota_fiscal, "nota_fiscal", 20)
    itens_embarque = list(
        EmbarqueItem.objects.select_for_update().filter(separacao_lote_id=lote, status="ATIVO").order_by("pk")
    )
    faturamento = _ativo(lote)
    if faturamento is None:
        raise ValidationError({"separacao_lote_id": f"O lote {lote} não tem NF registrada."})
    if nf and nf != faturamento.nota_fiscal:
        raise ValidationError(
            {"nota_fiscal": f"O lote {lote} está faturado com a NF {faturamento.nota_fiscal}, não com a {nf}."}
        )
    separacoes = ciclo.separacoes_do_lote(lote)
    for fat_item in faturamento.itens.select_related("movimentacao").order_by("pk"):
        if fat_item.movimentacao_id is not None:
            operacoes.cancelar_movimentacao(fat_item.movimentacao_id, usuario=usuario[:100], pelo_dono=True)
        baixas.estornar(fat_item.num_pedido, fat_item.cod_produto, fat_item.qtd_baixada_carteira)
    faturamento.status = FaturamentoLote.Status.CANCELADO
    faturamento.cancelado_em = timezone.now()
    faturamento.cancelado_por = usuario[:150]
    faturamento.save(update_fields=["status", "cancelado_em", "cancelado_por"])
    item = next((i for i in itens_embarque if i.pk == faturamento.item_id), None) or EmbarqueItem.objects.get(
        pk=faturamento.item_id
    )
    item.nota_fiscal = ""
    item.erro_validacao = ERRO_NF_PENDENTE
    item.save(update_fields=["nota_fiscal", "erro_validacao"])
    if separacoes:
        ciclo.mudar_status(lote, S.EMBARCADO, separacoes, numero_nf="")
    return faturamento


def vinculos(pks) -> dict[int, str]:
    """Movements recorded by an invoice (estoque.services.operacoes.registrar_vinculo)."""
    linhas = FaturamentoItem.objects.filter(movimentacao_id__in=list(pks)).values_list(
        "movimentacao_id", "faturamento__nota_fiscal", "faturamento__separacao_lote_id"
    )
    return {
        pk: f"Movimentação da NF {nf} do lote {lote}: cancele a NF em Embarques, não a movimentação."
        for pk, nf, lote in linhas
    }
