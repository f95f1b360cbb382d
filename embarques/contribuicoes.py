"""Embarque items in the real-time stock: the invoicing special case (estoque.registro).

An item contributes nothing by itself. When its invoice is matched (erro_validacao
empty, item active) its lote is invoiced, and the lote's separações stop being forecast
outflows: the engine flips the lote's flag and re-derives those separações.
"""

from embarques.models import EmbarqueItem
from estoque.registro import RegraFaturamento, registrar_faturamento


def faturados(using):
    return EmbarqueItem.objects.using(using).faturados()


def registrar_regras():
    registrar_faturamento(
        RegraFaturamento(
            EmbarqueItem, ("separacao_lote_id", "status", "erro_validacao"), "separacao_lote_id", faturados
        )
    )
