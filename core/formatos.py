"""pt-BR text of dates, moments and counts for messages and file headers.

Pages format through the `pt-br` locale in templates, and spreadsheet cells keep real
dates with a number format; these are for text built in Python.
"""

from datetime import date, datetime

from django.utils import timezone


def formatar_data(valor: date | None) -> str:
    """dd/mm/aaaa; empty for no date."""
    return valor.strftime("%d/%m/%Y") if valor else ""


def formatar_momento(valor: datetime | None) -> str:
    """dd/mm/aaaa hh:mm:ss in São Paulo time (TIME_ZONE); empty for no moment."""
    return f"{timezone.localtime(valor):%d/%m/%Y %H:%M:%S}" if valor else ""


def milhar(n: int) -> str:
    """An integer with the pt-BR thousands separator: 1234567 -> "1.234.567"."""
    return f"{n:,}".replace(",", ".")
