"""Writes the admin screens make on the order book, on the same rules as the pages and the API
(STYLE.md: one rule, one place). The admin forms call these from their clean(), so a refusal
shows on the form and nothing is written (carteira.admin.FormularioPeloServico).

- Pré-separações: created and edited only through carteira.services (free quantity of the line,
  dates, known product, status CRIADO/RECOMPOSTO; ENVIADO_SEPARACAO only by confirming).
- Separações typed by hand: the product is known, the dates in the window, the order line exists
  and, while the separação is pending (a forecast outflow), its quantity fits the line's free
  quantity without itself. A separação the carteira sync cancelled is kept as it is.
- Order lines: the open balance never goes below what is already allocated to the line
  (active pré-separações + pending separações), and a line holding allocations is neither
  moved to another order/product, deactivated nor deleted.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from carteira import selectors, services
from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao, separacao_pendente
from core.limites import exigir_datas_na_janela
from core.templatetags.formatos import formatar_qtd
from estoque.models import LoteFaturado
from estoque.services.operacoes import exigir_produto


def gravar_pre_separacao(pre: PreSeparacaoItem, usuario: str) -> PreSeparacaoItem:
    dados = {campo: getattr(pre, campo) for campo in services.CAMPOS_EDITAVEIS}
    if pre.pk is None:
        return services.criar_pre_separacao(
            num_pedido=pre.num_pedido, cod_produto=pre.cod_produto, usuario=usuario, **dados
        )
    return services.editar_pre_separacao(pre.pk, dados)


# Set only by the lifecycle (embarques: cotar, embarcar, faturar, cancelar NF), never by hand.
CAMPOS_DO_CICLO = ("status", "numero_nf", "sincronizado_nf")
ERRO_CICLO = (
    "Separação em embarque ou faturada: status, NF e quantidades mudam só pelo embarque e pela NF (página Embarques)."
)


def gravar_separacao(sep: Separacao) -> Separacao:
    exigir_produto(sep.cod_produto)
    exigir_datas_na_janela(sep)
    if sep.qtd_saldo <= 0:
        raise ValidationError({"qtd_saldo": "A quantidade deve ser maior que zero."})
    with transaction.atomic():
        if sep.pk is None:
            if sep.status != Separacao.Status.ABERTO or sep.numero_nf or sep.sincronizado_nf:
                raise ValidationError({"status": "Uma separação nova começa ABERTO, sem NF."})
        else:
            antiga = Separacao.objects.select_for_update().get(pk=sep.pk)
            if antiga.cancelado_em is not None:
                raise ValidationError("Separação cancelada pela sincronização da carteira: fica como está.")
            if antiga.status != Separacao.Status.ABERTO:
                raise ValidationError(ERRO_CICLO)
            if any(getattr(antiga, campo) != getattr(sep, campo) for campo in CAMPOS_DO_CICLO):
                raise ValidationError({"status": ERRO_CICLO})
        linha = selectors.linha_carteira(sep.num_pedido, sep.cod_produto, travar=True)
        if linha is None:
            raise ValidationError(
                {"cod_produto": f"O pedido '{sep.num_pedido}' não tem o produto '{sep.cod_produto}' na carteira."}
            )
        faturado = LoteFaturado.objects.filter(separacao_lote_id=sep.separacao_lote_id).exists()
        if separacao_pendente(sep.status, sep.sincronizado_nf, faturado, sep.cancelado_em):
            livre = selectors.saldo_livre(linha, excluir_separacao=sep.pk)
            if sep.qtd_saldo > livre:
                raise ValidationError(
                    {"qtd_saldo": f"Quantidade maior que o saldo livre da linha do pedido ({formatar_qtd(livre)})."}
                )
        sep.save()
    return sep


def excluir_separacao(pk: int):
    with transaction.atomic():
        sep = Separacao.objects.select_for_update().get(pk=pk)
        if sep.status != Separacao.Status.ABERTO:
            raise ValidationError(ERRO_CICLO)
        sep.delete()


def tem_alocacao(num_pedido: str, cod_produto: str) -> bool:
    return (
        PreSeparacaoItem.objects.ativas().filter(num_pedido=num_pedido, cod_produto=cod_produto).exists()
        or Separacao.objects.pendentes().filter(num_pedido=num_pedido, cod_produto=cod_produto).exists()
    )


def gravar_linha_carteira(linha: CarteiraPrincipal) -> CarteiraPrincipal:
    with transaction.atomic():
        if linha.pk is not None:
            antiga = CarteiraPrincipal.objects.select_for_update().get(pk=linha.pk)
            chave_mudou = (antiga.num_pedido, antiga.cod_produto) != (linha.num_pedido, linha.cod_produto)
            if (chave_mudou or not linha.ativo) and tem_alocacao(antiga.num_pedido, antiga.cod_produto):
                raise ValidationError(
                    "A linha tem pré-separações ou separações pendentes: não pode mudar de pedido ou produto nem "
                    "ser desativada. Cancele ou remova as alocações antes."
                )
        if linha.ativo:
            livre = selectors.saldo_livre(linha)
            if livre < 0:
                alocado = linha.qtd_saldo_produto_pedido - livre
                raise ValidationError(
                    {
                        "qtd_saldo_produto_pedido": f"O saldo do pedido ficaria abaixo do já alocado em "
                        f"pré-separações e separações ({formatar_qtd(alocado)})."
                    }
                )
        linha.save()
    return linha


def excluir_linha_carteira(pk: int):
    with transaction.atomic():
        linha = CarteiraPrincipal.objects.select_for_update().get(pk=pk)
        if tem_alocacao(linha.num_pedido, linha.cod_produto):
            raise ValidationError(
                f"A linha {linha} tem pré-separações ou separações pendentes: cancele ou remova as alocações antes."
            )
        linha.delete()
