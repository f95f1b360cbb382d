"""pt-BR number formats for the pages, the same as the pages' scripts (Intl.NumberFormat("pt-BR")).

`{{ valor|qtd }}`: a quantity with up to 3 decimals, trailing zeros dropped, "." for thousands and
"," for decimals (1.234,5), whatever the browser's language; empty for None. The live scripts
(static/js/formatos.js) print the same text, so a row looks the same before and after an update.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

MILESIMO = Decimal("0.001")


def _partes(valor) -> tuple[str, str, str] | None:
    """(sign, integer digits, decimals without trailing zeros) of a quantity rounded to 3 places;
    None when it is not a number. Zero has no sign (no "-0")."""
    try:
        numero = Decimal(str(valor)).quantize(MILESIMO, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return None
    inteiro, _, fracao = f"{abs(numero):f}".partition(".")
    return ("-" if numero < 0 else "", inteiro, fracao.rstrip("0"))


def formatar_qtd(valor) -> str:
    if valor is None or valor == "":
        return ""
    partes = _partes(valor)
    if partes is None:
        return str(valor)
    sinal, inteiro, fracao = partes
    grupos: list[str] = []
    while len(inteiro) > 3:
        grupos.insert(0, inteiro[-3:])
        inteiro = inteiro[:-3]
    grupos.insert(0, inteiro)
    return sinal + ".".join(grupos) + ("," + fracao if fracao else "")


@register.filter
def qtd(valor) -> str:
    return formatar_qtd(valor)


@register.filter
def negativo(valor) -> bool:
    """True for a number below zero (the pages show it in red)."""
    try:
        return valor is not None and Decimal(str(valor)) < 0
    except (InvalidOperation, ValueError):
        return False


@register.filter
def get_item(dicionario, chave):
    """{{ d|get_item:k }}: a dict's value by a key held in a variable."""
    return dicionario.get(chave) if hasattr(dicionario, "get") else None


def valor_de_input(valor) -> str:
    """A quantity as the value of an <input type="number">: "." decimal (the element's own syntax),
    no thousands separator, trailing zeros dropped ("5", not "5.000", which a pt-BR reader takes for
    five thousand); empty for None."""
    if valor is None or valor == "":
        return ""
    partes = _partes(valor)
    if partes is None:
        return str(valor)
    sinal, inteiro, fracao = partes
    return sinal + inteiro + ("." + fracao if fracao else "")


@register.filter
def qtd_input(valor) -> str:
    return valor_de_input(valor)
