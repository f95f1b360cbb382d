"""Units of measure: from the unit of an Odoo sale line to the product's own unit.

Odoo keeps a sale line's quantities (product_uom_qty, qty_delivered) and its price_unit in
the line's unit (sale.order.line.product_uom, e.g. a box of 12); the stock here is kept in
the product's unit (product.product.uom_id). The conversion is Odoo's own
(uom.uom._compute_quantity): qty / factor(line unit) * factor(product unit), and only
between units of one category (units, weight, volume...). A price per line unit becomes a
price per product unit the inverse way (a box of 12 at 120 is 10 per unit).

`factor` is how many of the unit make the category's reference unit (a dozen: 1/12); for a
unit bigger than the reference the number the user typed in Odoo is `factor_inv` (12).
Each unit becomes an exact fraction of the reference from the number the user typed, so a
box of 12 converts exactly; the carteira rounds the result to its field (3 places for
quantities, 2 for prices).
"""

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

CAMPOS_UNIDADE = ["id", "name", "category_id", "factor", "factor_inv", "uom_type"]


class ErroUnidade(Exception):
    """A line's unit cannot be converted to its product's unit; the message says why."""


def _id(valor):
    return valor[0] if isinstance(valor, (list, tuple)) and valor else None


def _nome(valor) -> str:
    return str(valor[1]) if isinstance(valor, (list, tuple)) and len(valor) > 1 and valor[1] else ""


def _fracao(valor) -> Fraction | None:
    if valor in (None, False, "") or isinstance(valor, bool):
        return None
    try:
        fracao = Fraction(str(valor))
    except (ValueError, ZeroDivisionError):
        return None
    return fracao if fracao > 0 else None


@dataclass(frozen=True)
class Conversao:
    razao: Fraction  # product units in one line unit

    def _vezes(self, valor: Decimal, fator: Fraction) -> Decimal:
        if fator == 1:
            return valor
        return Decimal(valor) * fator.numerator / fator.denominator

    def quantidade(self, valor: Decimal) -> Decimal:
        return self._vezes(valor, self.razao)

    def preco(self, valor: Decimal) -> Decimal:
        return self._vezes(valor, 1 / self.razao)


MESMA_UNIDADE = Conversao(Fraction(1))


class Unidades:
    """The uom.uom records read from Odoo ({id: record}) and the conversions between them."""

    def __init__(self, registros: dict):
        self.registros = registros

    def _descrever(self, registro: dict) -> str:
        categoria = _nome(registro.get("category_id"))
        return f"“{registro.get('name')}”" + (f" (categoria {categoria})" if categoria else "")

    def _na_referencia(self, registro: dict) -> Fraction:
        """How many of the category's reference unit one of this unit is."""
        if registro.get("uom_type") == "bigger":
            inverso = _fracao(registro.get("factor_inv"))
            if inverso is not None:
                return inverso
        fator = _fracao(registro.get("factor"))
        if fator is None:
            raise ErroUnidade(f"a unidade {self._descrever(registro)} não tem fator de conversão válido no Odoo")
        return 1 / fator

    def _registro(self, valor, de_quem: str) -> dict:
        registro = self.registros.get(_id(valor))
        if registro is None:
            nome = _nome(valor) or f"id {_id(valor)}"
            raise ErroUnidade(f"a unidade de medida {de_quem} “{nome}” não foi encontrada no Odoo (uom.uom)")
        return registro

    def conversao(self, unidade_linha, unidade_produto) -> Conversao:
        """From the line's unit to the product's (many2one values as Odoo sends them)."""
        if _id(unidade_produto) is None:
            raise ErroUnidade("o produto não tem unidade de medida no Odoo (uom_id)")
        if _id(unidade_linha) is None:
            raise ErroUnidade("a linha não tem unidade de medida no Odoo (product_uom)")
        if _id(unidade_linha) == _id(unidade_produto):
            return MESMA_UNIDADE
        linha = self._registro(unidade_linha, "da linha")
        produto = self._registro(unidade_produto, "do produto")
        if _id(linha.get("category_id")) is None or _id(linha.get("category_id")) != _id(produto.get("category_id")):
            raise ErroUnidade(
                f"a unidade da linha {self._descrever(linha)} não converte para a unidade do produto "
                f"{self._descrever(produto)}: categorias diferentes"
            )
        return Conversao(self._na_referencia(linha) / self._na_referencia(produto))
