"""The sync's settings: from django.conf.settings, else from the environment (docs/sincronizacao_odoo.md)."""

import os
from decimal import Decimal, InvalidOperation

from django.conf import settings


class ErroConfiguracao(Exception):
    """A sync setting is missing or invalid; the message names it, in Portuguese."""


def configuracao(nome: str, padrao=None):
    """A setting from django.conf.settings, else from the environment."""
    valor = getattr(settings, nome, None)
    if valor is None:
        valor = os.environ.get(nome, padrao)
    return valor


def inteiro(nome: str, padrao: int) -> int:
    valor = configuracao(nome, padrao)
    try:
        return int(valor)
    except (TypeError, ValueError):
        raise ErroConfiguracao(f"Configuração inválida: {nome}={valor!r} não é um número inteiro.") from None


def ligado(nome: str) -> bool:
    """A yes/no setting: 1, true, sim, yes (any case) or True mean yes."""
    valor = configuracao(nome, "")
    if isinstance(valor, bool):
        return valor
    return str(valor).strip().lower() in {"1", "true", "sim", "yes", "on"}


def percentual(nome: str, padrao: str) -> Decimal:
    valor = configuracao(nome, padrao)
    try:
        numero = Decimal(str(valor).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        numero = Decimal("NaN")
    if not numero.is_finite() or not 0 <= numero <= 100:
        raise ErroConfiguracao(f"Configuração inválida: {nome}={valor!r} (use um percentual entre 0 e 100).")
    return numero
