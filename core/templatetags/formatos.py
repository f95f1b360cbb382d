"""pt-BR number formats for the pages, the same as the pages' scripts (Intl.NumberFormat("pt-BR")).

`{{ valor|qtd }}`: a quantity with up to 3 decimals, trailing zeros dropped, "." for thousands and
"," for decimals (1.234,5), whatever the browser's language; empty for None. The live scripts
(static/js/formatos.js) print the same text, so a row looks the same before and after an update.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

MILESIMO = Decimal("0.001")


def formatar_qtd(valor) -> str:
    if valor is None or valor == "":
        return ""
    try:
        numero = Decimal(str(valor)).quantize(MILESIMO, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(valor)
    if numero == 0:
        numero = abs(numero)  # no "-0"
    inteiro, _, fracao = f"{abs(numero):f}".partition(".")
    grupos = []
    while len(inteiro) > 3:
        grupos.insert(0, inteiro[-3:])
        inteiro = inteiro[:-3]
    grupos.insert(0, inteiro)
    texto = ".".join(grupos)
    fracao = fracao.rstrip("0")
    if fracao:
        texto += "," + fracao
    return ("-" if numero < 0 else "") + texto


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
    try:
        numero = Decimal(str(valor)).quantize(MILESIMO, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return str(valor)
    texto = f"{abs(numero) if numero == 0 else numero:f}"
    return texto.rstrip("0").rstrip(".") if "." in texto else texto


@register.filter
def qtd_input(valor) -> str:
    return valor_de_input(valor)
