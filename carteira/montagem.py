"""Order assembly by lote: several products of one order allocated, simulated, cancelled and
confirmed together (docs/arquitetura.md, "Montagem de carga").

A lote is the set of pré-separações sharing one `separacao_lote_id` (carteira.services.novo_lote).
Its rules are the per-item ones of carteira.services (free quantity of the line, dates in the
window, known product, only CRIADO/RECOMPOSTO by hand), applied to every line at once:
- creating is all-or-nothing: the order lines are locked in code order (two users allocating
  the same lines queue up instead of deadlocking), then each line's free quantity is read
  (carteira.selectors.saldo_livre) and the whole lote is refused, naming each line that does
  not fit, or that changed since the page showed it (`vistos`);
- cancelling deletes its active items (FonteQuerySet.delete applies the stock delta of all of
  them; CANCELADO is reserved for the carteira sync);
- confirming turns every active item into ENVIADO_SEPARACAO and creates one separação per item
  under the lote's own id, in one transaction (the forecast outflow moves, never doubles).
Simulating writes nothing: it projects each product with the lote's outflows added, by the
projection rule of estoque.projecao over the derived tables (estoque.selectors.ler).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from carteira import selectors, services
from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from core.limites import exigir_datas_na_janela
from core.templatetags.formatos import formatar_qtd as qtd_br
from estoque import selectors as estoque_selectors
from estoque.models import CadastroPalletizacao
from estoque.projecao import DIAS_MAX, projetar, resumo_d7
from estoque.services.operacoes import exigir_produto

Status = PreSeparacaoItem.Status
ZERO = Decimal("0")


@dataclass(frozen=True)
class ItemLote:
    """One line of a lote as the form sends it."""

    cod_produto: str
    qtd: Decimal
    data_expedicao: date
    agendamento: date | None = None
    protocolo: str = ""


def _exigir_itens(itens: list[ItemLote]):
    if not itens:
        raise ValidationError({"itens": "Escolha ao menos um produto com quantidade para o lote."})
    vistos: set[str] = set()
    for item in itens:
        if item.cod_produto in vistos:
            raise ValidationError({"itens": f"O produto {item.cod_produto} aparece duas vezes no lote."})
        vistos.add(item.cod_produto)
        if item.qtd <= 0:
            raise ValidationError({"itens": f"Produto {item.cod_produto}: a quantidade deve ser maior que zero."})


def _pre_separacao(num_pedido: str, item: ItemLote, lote: str, usuario: str) -> PreSeparacaoItem:
    pre = PreSeparacaoItem(
        num_pedido=num_pedido,
        cod_produto=item.cod_produto,
        separacao_lote_id=lote,
        qtd_selecionada_usuario=item.qtd,
        data_expedicao_editada=item.data_expedicao,
        data_agendamento_editada=item.agendamento,
        protocolo_editado=item.protocolo,
        tipo_envio=PreSeparacaoItem.TipoEnvio.PARCIAL,
        criado_por=usuario,
    )
    try:
        exigir_datas_na_janela(pre)
        exigir_produto(item.cod_produto)
    except ValidationError as erro:
        mensagens = "; ".join(m for lista in erro.message_dict.values() for m in lista)
        raise ValidationError({"itens": f"Produto {item.cod_produto}: {mensagens}"}) from None
    return pre


def criar_lote_pre_separacao(
    num_pedido: str, itens: list[ItemLote], usuario: str = "", vistos: dict[str, Decimal] | None = None
) -> tuple[str, list[PreSeparacaoItem]]:
    """One new lote holding every item, or nothing (ValidationError naming the lines)."""
    _exigir_itens(itens)
    lote = services.novo_lote()
    pres = [_pre_separacao(num_pedido, item, lote, usuario) for item in itens]
    with transaction.atomic():
        livres: dict[str, Decimal] = {}
        ausentes = []
        for item in sorted(itens, key=lambda i: i.cod_produto):  # lock order: code
            linha = selectors.linha_carteira(num_pedido, item.cod_produto, travar=True)
            if linha is None:
                ausentes.append(item.cod_produto)
                continue
            livres[item.cod_produto] = selectors.saldo_livre(linha)
        if ausentes:
            raise ValidationError(
                {"itens": [f"O pedido {num_pedido} não tem o produto {cod} na carteira." for cod in ausentes]}
            )
        mudados = [
            f"produto {cod}: saldo livre {qtd_br(vistos[cod])} na tela, {qtd_br(livres[cod])} agora"
            for cod in sorted(livres)
            if vistos is not None and cod in vistos and vistos[cod] != livres[cod]
        ]
        if mudados:
            raise ValidationError(
                {
                    "vistos": "Os números do pedido mudaram desde que a página foi aberta: "
                    + "; ".join(mudados)
                    + ". Nada foi gravado: recarregue a página e confira as quantidades."
                }
            )
        excedidos = [
            f"Produto {item.cod_produto}: quantidade {qtd_br(item.qtd)} maior que o saldo livre da linha do "
            f"pedido ({qtd_br(livres[item.cod_produto])})."
            for item in itens
            if item.qtd > livres[item.cod_produto]
        ]
        if excedidos:
            raise ValidationError({"itens": excedidos})
        for pre in pres:
            pre.save()
    return lote, pres


def itens_ativos(lote_id: str, travar: bool = False):
    qs = PreSeparacaoItem.objects.ativas().filter(separacao_lote_id=lote_id).order_by("id")
    if not lote_id:
        return qs.none()
    return qs.select_for_update() if travar else qs


def _exigir_lote(lote_id: str, ativos: list[PreSeparacaoItem], acao: str):
    if not ativos:
        raise ValidationError({"lote": f"O lote {lote_id or '(sem lote)'} não tem pré-separações ativas para {acao}."})


def cancelar_lote(lote_id: str) -> int:
    """Deletes the lote's active items (their outflows leave the forecast); returns how many."""
    with transaction.atomic():
        ativos = list(itens_ativos(lote_id, travar=True))
        _exigir_lote(lote_id, ativos, "cancelar")
        PreSeparacaoItem.objects.filter(pk__in=[pre.pk for pre in ativos]).delete()
    return len(ativos)


def confirmar_lote(lote_id: str) -> list[Separacao]:
    """Every active item -> ENVIADO_SEPARACAO and one separação each, all under the lote's id."""
    with transaction.atomic():
        ativos = list(itens_ativos(lote_id, travar=True))
        _exigir_lote(lote_id, ativos, "confirmar")
        codigos = {pre.cod_produto for pre in ativos}
        linhas = {
            linha.cod_produto: linha
            for linha in CarteiraPrincipal.objects.filter(
                num_pedido=ativos[0].num_pedido, cod_produto__in=codigos, ativo=True
            )
        }
        cadastros = {c.cod_produto: c for c in CadastroPalletizacao.objects.filter(cod_produto__in=codigos)}
        PreSeparacaoItem.objects.filter(pk__in=[pre.pk for pre in ativos]).update(status=Status.ENVIADO_SEPARACAO)
        separacoes = Separacao.objects.bulk_create(
            [
                Separacao(
                    separacao_lote_id=lote_id,
                    **services.campos_da_separacao(pre, linhas.get(pre.cod_produto), cadastros.get(pre.cod_produto)),
                )
                for pre in ativos
            ]
        )
    return separacoes


# ---------------------------------------------------------------- simulation (nothing written)


@dataclass
class Simulacao:
    cod_produto: str
    cod_principal: str
    qtd: Decimal
    saldo_livre: Decimal | None  # None: the order has no such line
    menor_estoque_d7_antes: Decimal
    menor_estoque_d7_depois: Decimal
    dia_ruptura_depois: date | None
    cria_ruptura: bool  # D0..D7 did not go below zero before, does after
    em_ruptura: bool  # below zero within D0..D7 after the allocation

    @property
    def avisos(self) -> list[str]:
        avisos = []
        if self.saldo_livre is None:
            avisos.append("o pedido não tem este produto na carteira")
        elif self.qtd > self.saldo_livre:
            avisos.append(f"quantidade maior que o saldo livre ({qtd_br(self.saldo_livre)})")
        if self.cria_ruptura:
            avisos.append("cria ruptura em D0..D7")
        elif self.em_ruptura:
            avisos.append("o produto já está em ruptura em D0..D7")
        return avisos


def simular_lote(num_pedido: str, itens: list[ItemLote], hoje: date | None = None) -> list[Simulacao]:
    """Per item: menor estoque D+7 of its product before and after the lote's outflows (same
    product group summed, each on its ship date). Allocating into a stock-out is allowed: warned."""
    hoje = hoje or timezone.localdate()
    _exigir_itens(itens)
    leitura = estoque_selectors.ler([item.cod_produto for item in itens], hoje)
    linhas = {
        linha.cod_produto: linha
        for linha in CarteiraPrincipal.objects.filter(
            num_pedido=num_pedido, cod_produto__in=[i.cod_produto for i in itens], ativo=True
        ).com_saldo_livre()
    }
    adicionais: defaultdict[str, list] = defaultdict(list)
    for item in itens:
        adicionais[leitura.principal_de[item.cod_produto]].append((item.data_expedicao, ZERO, item.qtd))
    resumos = {}
    for principal, saidas in adicionais.items():
        saldo = leitura.estoques.get(principal, (ZERO,))[0]
        previstas = list(leitura.previstas.get(principal, ()))
        antes = resumo_d7(projetar(saldo, previstas, hoje, DIAS_MAX))
        depois = resumo_d7(projetar(saldo, previstas + saidas, hoje, DIAS_MAX))
        resumos[principal] = (antes, depois)
    resultado = []
    for item in itens:
        principal = leitura.principal_de[item.cod_produto]
        (menor_antes, ruptura_antes), (menor_depois, ruptura_depois) = resumos[principal]
        linha = linhas.get(item.cod_produto)
        resultado.append(
            Simulacao(
                cod_produto=item.cod_produto,
                cod_principal=principal,
                qtd=item.qtd,
                saldo_livre=linha.qtd_livre if linha is not None else None,
                menor_estoque_d7_antes=menor_antes,
                menor_estoque_d7_depois=menor_depois,
                dia_ruptura_depois=ruptura_depois,
                cria_ruptura=ruptura_antes is None and ruptura_depois is not None,
                em_ruptura=ruptura_depois is not None,
            )
        )
    return resultado
