"""Helpers of the browser tests (plain functions; the fixtures live in conftest.py)."""

import time

SENHA = "senha-forte-123"


def esperar(condicao, segundos=30, passo=0.1):
    fim = time.monotonic() + segundos
    while time.monotonic() < fim:
        resultado = condicao()
        if resultado:
            return resultado
        time.sleep(passo)
    raise AssertionError(f"tempo esgotado esperando: {condicao.__doc__ or condicao}")
