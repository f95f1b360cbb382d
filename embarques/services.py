"""Writes of the embarques: create, add a lote, remove it, ship, cancel.

Every rule lives here, and the page, the admin and the API call these functions. Each runs in
one transaction (retried whole if PostgreSQL picks it as a deadlock victim) with the embarque
and the lote's separações locked; the separações move only by the lifecycle table
(embarques.ciclo), so the stock engine sees every change in the same transaction.
Invoicing (registering and cancelling an NF) is in embarques.faturamento.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils import timezone

from carteira.models import CarteiraPrincipal
from core.limites import erro_de_data, tem_controle
from embarques import ciclo
from embarques.models import ERRO_NF_PENDENTE, Embarque, EmbarqueItem
from estoque.services.transacao import atomico_com_retentativa

S = ciclo.S


def _texto(valor: str, campo: str, maximo: int, obrigatorio: bool = False) -> str:
    valor = (valor or "").strip()
    if obrigatorio and not valor:
        raise ValidationError({campo: "Informe este campo."})
    if len(valor) > maximo:
        raise ValidationError({campo: f"No máximo {maximo} caracteres."})
    if tem_controle(valor):
        raise ValidationError({campo: "Texto com caracteres de controle."})
    return valor


def _data(valor: date | None, campo: str):
    erro = erro_de_data(valor)
    if erro:
        raise ValidationError({campo: erro})


def _embarque_travado(embarque_id: int) -> Embarque:
    try:
        return Embarque.objects.select_for_update().get(pk=embarque_id)
    except Embarque.DoesNotExist:
        raise ValidationError({"embarque": "Embarque não encontrado."}) from None


def _exigir_ativo(embarque: Embarque):
    if embarque.status != Embarque.Status.ATIVO:
        raise ValidationError({"embarque": f"{embarque} está cancelado."})


def item_faturado(item: EmbarqueItem) -> bool:
    """Invoiced: an NF registered for it, or its erro_validacao already empty (the engine's rule)."""
    return item.faturamento_vinculado or item.faturamentos.filter(status="ATIVO").exists()


@atomico_com_retentativa
def criar_embarque(
    *, numero: int | None = None, transportadora: str = "", data_prevista_embarque: date | None = None
) -> Embarque:
    transportadora = _texto(transportadora, "transportadora", 255)
    _data(data_prevista_embarque, "data_prevista_embarque")
    if numero is None:
        numero = (Embarque.objects.aggregate(maior=Max("numero"))["maior"] or 0) + 1
    elif numero <= 0 or numero > 2_147_483_647:
        raise ValidationError({"numero": "Informe um número positivo."})
    if Embarque.objects.filter(numero=numero).exists():
        raise ValidationError({"numero": f"Já existe o embarque {numero}."})
    return Embarque.objects.create(
        numero=numero, transportadora=transportadora, data_prevista_embarque=data_prevista_embarque
    )


@atomico_com_retentativa
def adicionar_lote(embarque_id: int, lote: str) -> EmbarqueItem:
    """A lote on the truck: one EmbarqueItem (invoice pending); its separações go COTADO."""
    lote = _texto(lote, "separacao_lote_id", 50, obrigatorio=True)
    embarque = _embarque_travado(embarque_id)
    _exigir_ativo(embarque)
    if embarque.data_embarque is not None:
        raise ValidationError({"embarque": f"{embarque} já foi embarcado: não recebe lotes."})
    separacoes = ciclo.separacoes_do_lote(lote)
    outro = (
        EmbarqueItem.objects.filter(separacao_lote_id=lote, status=EmbarqueItem.Status.ATIVO)
        .select_related("embarque")
        .first()
    )
    if outro is not None:
        raise ValidationError({"separacao_lote_id": f"O lote {lote} já está no {outro.embarque}."})
    if not separacoes:
        raise ValidationError({"separacao_lote_id": f"O lote {lote} não tem separações (ou foram canceladas)."})
    for sep in separacoes:
        if sep.status != S.ABERTO:
            raise ValidationError(
                {"separacao_lote_id": f"O lote {lote} está {sep.status}: só um lote ABERTO entra em um embarque."}
            )
    ciclo.mudar_status(lote, S.COTADO, separacoes)
    pedido = separacoes[0].num_pedido
    cliente = (
        CarteiraPrincipal.objects.filter(num_pedido=pedido)
        .exclude(raz_social="")
        .values_list("raz_social", flat=True)
        .first()
        or ""
    )
    return EmbarqueItem.objects.create(
        embarque=embarque,
        separacao_lote_id=lote,
        num_pedido=pedido,
        cliente=cliente[:255],
        erro_validacao=ERRO_NF_PENDENTE,
    )


def _item_ativo_travado(item_id: int) -> EmbarqueItem:
    try:
        item = EmbarqueItem.objects.select_for_update().get(pk=item_id)
    except EmbarqueItem.DoesNotExist:
        raise ValidationError({"item": "Item de embarque não encontrado."}) from None
    if item.status != EmbarqueItem.Status.ATIVO:
        raise ValidationError({"item": f"O lote {item.separacao_lote_id} já foi removido deste embarque."})
    return item


def _liberar_item(item: EmbarqueItem):
    """Item CANCELADO (kept for the record), its separações back to ABERTO. Refused if invoiced."""
    if item_faturado(item):
        raise ValidationError(
            {"item": f"O lote {item.separacao_lote_id} já foi faturado (NF {item.nota_fiscal}): cancele a NF antes."}
        )
    separacoes = ciclo.separacoes_do_lote(item.separacao_lote_id)
    if separacoes:
        ciclo.mudar_status(item.separacao_lote_id, S.ABERTO, separacoes)
    item.status = EmbarqueItem.Status.CANCELADO
    item.save(update_fields=["status"])


@atomico_com_retentativa
def remover_lote(item_id: int) -> EmbarqueItem:
    item = _item_ativo_travado(item_id)
    _embarque_travado(item.embarque_id)
    _liberar_item(item)
    return item


@atomico_com_retentativa
def marcar_embarcado(embarque_id: int, data_embarque: date | None = None) -> Embarque:
    """The truck left: data_embarque set, every active lote's separações EMBARCADO."""
    embarque = _embarque_travado(embarque_id)
    _exigir_ativo(embarque)
    if embarque.data_embarque is not None:
        raise ValidationError({"embarque": f"{embarque} já foi embarcado em {embarque.data_embarque:%d/%m/%Y}."})
    data_embarque = data_embarque or timezone.localdate()
    _data(data_embarque, "data_embarque")
    itens = list(embarque.itens.filter(status=EmbarqueItem.Status.ATIVO).select_for_update().order_by("pk"))
    if not itens:
        raise ValidationError({"embarque": f"{embarque} não tem lotes."})
    for item in itens:
        ciclo.mudar_status(item.separacao_lote_id, S.EMBARCADO)
    embarque.data_embarque = data_embarque
    embarque.save(update_fields=["data_embarque"])
    return embarque


@atomico_com_retentativa
def cancelar_embarque(embarque_id: int) -> Embarque:
    """Every lote back to ABERTO (items CANCELADO); refused when any lote is invoiced."""
    embarque = _embarque_travado(embarque_id)
    _exigir_ativo(embarque)
    itens = list(embarque.itens.filter(status=EmbarqueItem.Status.ATIVO).select_for_update().order_by("pk"))
    faturados = [i.separacao_lote_id for i in itens if item_faturado(i)]
    if faturados:
        raise ValidationError(
            {"embarque": f"{embarque} tem lotes faturados ({', '.join(faturados)}): cancele as NFs antes."}
        )
    for item in itens:
        _liberar_item(item)
    embarque.status = Embarque.Status.CANCELADO
    embarque.save(update_fields=["status"])
    return embarque
