"""The carteira side of invoicing: an invoiced quantity leaves the order line's open balance.

`baixar` takes what was invoiced off the line's `qtd_saldo_produto_pedido` (never below zero:
a line the Odoo sync already reduced gives only what it still holds) and says how much it
took; `estornar` gives back exactly that when the invoice is cancelled. The caller (the
invoicing service in embarques) records the returned quantity, so the reversal is exact.

The line is locked first (select_for_update): two invoices of the same order line queue up.
With the separação invoiced (no longer a pending outflow) and the line reduced by the invoiced
quantity, the line's free quantity (carteira.selectors.saldo_livre) is what was not invoiced.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from carteira.models import CarteiraPrincipal

ZERO = Decimal("0")


def _linha(num_pedido: str, cod_produto: str) -> CarteiraPrincipal | None:
    return CarteiraPrincipal.objects.select_for_update().filter(num_pedido=num_pedido, cod_produto=cod_produto).first()


def baixar(num_pedido: str, cod_produto: str, qtd: Decimal) -> Decimal:
    """Reduce the line's open balance by up to `qtd`; returns what was taken (0 without a line)."""
    if qtd < 0:
        raise ValidationError({"qtd": "A quantidade faturada não pode ser negativa."})
    with transaction.atomic():
        linha = _linha(num_pedido, cod_produto)
        if linha is None or qtd == 0:
            return ZERO
        baixada = min(qtd, linha.qtd_saldo_produto_pedido)
        if baixada > 0:
            CarteiraPrincipal.objects.filter(pk=linha.pk).update(
                qtd_saldo_produto_pedido=F("qtd_saldo_produto_pedido") - baixada
            )
        return baixada


def estornar(num_pedido: str, cod_produto: str, qtd: Decimal) -> Decimal:
    """Give back `qtd` (what baixar took) to the line's open balance; returns what was given back."""
    if qtd <= 0:
        return ZERO
    with transaction.atomic():
        linha = _linha(num_pedido, cod_produto)
        if linha is None:
            # The line left the carteira (Odoo sync) after the invoice: nothing to give back to.
            return ZERO
        CarteiraPrincipal.objects.filter(pk=linha.pk).update(
            qtd_saldo_produto_pedido=F("qtd_saldo_produto_pedido") + qtd
        )
        return qtd
