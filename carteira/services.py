"""Writes of the order assembly: pré-separações and their confirmation into a separação.

Rules checked before anything is written (ValidationError naming the field):
- the product is known (catalog or unification group) and the order line is in the carteira;
- the quantity is positive and fits the line's free quantity (carteira.selectors.saldo_livre);
- only CRIADO/RECOMPOSTO can be set by hand; ENVIADO_SEPARACAO comes only from confirming,
  and a confirmed pré-separação is no longer edited or deleted (its separação is);
  CANCELADO comes only from the carteira sync, and a cancelled one is kept as it is.
The order line is locked first, so two users allocating the same line queue up.
Confirming changes the status and creates the separação in one transaction: the forecast
outflow moves from one to the other and is never counted twice.
"""

import uuid
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from carteira import selectors
from carteira.models import AlertaSeparacaoCotada, PreSeparacaoItem, Separacao
from core.limites import exigir_datas_na_janela
from estoque.models import CadastroPalletizacao
from estoque.services.operacoes import exigir_produto

Status = PreSeparacaoItem.Status
MILESIMO = Decimal("0.001")
CENTAVO = Decimal("0.01")

CAMPOS_EDITAVEIS = (
    "qtd_selecionada_usuario",
    "data_expedicao_editada",
    "data_agendamento_editada",
    "protocolo_editado",
    "observacoes_usuario",
    "status",
    "tipo_envio",
)


def validar_status(status: str):
    if status == Status.ENVIADO_SEPARACAO:
        raise ValidationError({"status": "ENVIADO_SEPARACAO só por confirmação da pré-separação (endpoint confirmar)."})
    if status == Status.CANCELADO:
        raise ValidationError({"status": "CANCELADO só pela sincronização da carteira."})
    if status not in PreSeparacaoItem.ATIVOS:
        raise ValidationError({"status": f"Status desconhecido: '{status}'. Use CRIADO ou RECOMPOSTO."})


def _exigir_ativa(pre: PreSeparacaoItem, acao: str):
    if pre.status == Status.CANCELADO:
        raise ValidationError(
            {"status": f"Pré-separação cancelada pela sincronização da carteira não pode ser {acao}."}
        )
    if pre.status not in PreSeparacaoItem.ATIVOS:
        raise ValidationError({"status": f"Pré-separação já enviada para separação não pode ser {acao}."})


def _validar_quantidade(pre: PreSeparacaoItem, excluir: int | None):
    if pre.qtd_selecionada_usuario <= 0:
        raise ValidationError({"qtd_selecionada_usuario": "A quantidade deve ser maior que zero."})
    linha = selectors.linha_carteira(pre.num_pedido, pre.cod_produto, travar=True)
    if linha is None:
        raise ValidationError(
            {"num_pedido": f"O pedido '{pre.num_pedido}' não tem o produto '{pre.cod_produto}' na carteira."}
        )
    livre = selectors.saldo_livre(linha, excluir_pre_separacao=excluir)
    if pre.qtd_selecionada_usuario > livre:
        raise ValidationError(
            {"qtd_selecionada_usuario": f"Quantidade maior que o saldo livre da linha do pedido ({livre})."}
        )


def criar_pre_separacao(
    *,
    num_pedido: str,
    cod_produto: str,
    qtd_selecionada_usuario: Decimal,
    data_expedicao_editada: date,
    usuario: str = "",
    **extra,
) -> PreSeparacaoItem:
    desconhecidos = set(extra) - set(CAMPOS_EDITAVEIS)
    if desconhecidos:
        raise ValidationError(dict.fromkeys(sorted(desconhecidos), "Campo não editável."))
    pre = PreSeparacaoItem(
        num_pedido=num_pedido,
        cod_produto=cod_produto,
        qtd_selecionada_usuario=qtd_selecionada_usuario,
        data_expedicao_editada=data_expedicao_editada,
        criado_por=usuario,
        **extra,
    )
    validar_status(pre.status)
    exigir_datas_na_janela(pre)
    exigir_produto(cod_produto)
    with transaction.atomic():
        _validar_quantidade(pre, excluir=None)
        pre.save()
    return pre


def editar_pre_separacao(pk: int, dados: dict) -> PreSeparacaoItem:
    desconhecidos = set(dados) - set(CAMPOS_EDITAVEIS)
    if desconhecidos:
        raise ValidationError(dict.fromkeys(sorted(desconhecidos), "Campo não editável."))
    with transaction.atomic():
        pre = PreSeparacaoItem.objects.select_for_update().get(pk=pk)
        _exigir_ativa(pre, "alterada")
        for campo, valor in dados.items():
            setattr(pre, campo, valor)
        validar_status(pre.status)
        exigir_datas_na_janela(pre)
        _validar_quantidade(pre, excluir=pre.pk)
        pre.save()
    return pre


def excluir_pre_separacao(pk: int):
    with transaction.atomic():
        pre = PreSeparacaoItem.objects.select_for_update().get(pk=pk)
        _exigir_ativa(pre, "excluída")
        pre.delete()


def novo_lote() -> str:
    return f"LOTE-{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:10].upper()}"


def campos_da_separacao(pre: PreSeparacaoItem, linha, cadastro) -> dict:
    """The separação a confirmed pré-separação becomes: same product, date and quantity; value, weight
    and pallets from the order line's price and the catalog (one rule for one item and for a lote)."""
    qtd = pre.qtd_selecionada_usuario
    return {
        "num_pedido": pre.num_pedido,
        "cod_produto": pre.cod_produto,
        "qtd_saldo": qtd,
        "valor_saldo": (qtd * linha.preco_produto_pedido).quantize(CENTAVO) if linha else Decimal("0"),
        "peso": (qtd * cadastro.peso_bruto).quantize(MILESIMO) if cadastro else Decimal("0"),
        "pallet": (qtd / cadastro.palletizacao).quantize(MILESIMO) if cadastro else Decimal("0"),
        "expedicao": pre.data_expedicao_editada,
        "agendamento": pre.data_agendamento_editada,
        "protocolo": pre.protocolo_editado,
        "tipo_envio": pre.tipo_envio,
        "status": Separacao.Status.ABERTO,
    }


def confirmar_pre_separacao(pk: int) -> tuple[PreSeparacaoItem, Separacao]:
    """CRIADO/RECOMPOSTO -> ENVIADO_SEPARACAO plus a separação (new lote) of the same product, date and quantity."""
    with transaction.atomic():
        pre = PreSeparacaoItem.objects.select_for_update().get(pk=pk)
        _exigir_ativa(pre, "enviada para separação")
        linha = selectors.linha_carteira(pre.num_pedido, pre.cod_produto)
        cadastro = CadastroPalletizacao.objects.filter(cod_produto=pre.cod_produto).first()
        pre.status = Status.ENVIADO_SEPARACAO
        pre.save(update_fields=["status"])
        separacao = Separacao.objects.create(separacao_lote_id=novo_lote(), **campos_da_separacao(pre, linha, cadastro))
    return pre, separacao


def reconhecer_alertas(pks, usuario: str) -> int:
    """Marks open COTADA alerts as seen by `usuario` (the page's button and the admin action)."""
    return AlertaSeparacaoCotada.objects.filter(pk__in=list(pks), reconhecido=False).update(
        reconhecido=True, reconhecido_por=usuario, reconhecido_em=timezone.now()
    )
