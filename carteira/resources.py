"""Spreadsheet export (admin) of the order book; lines come from the sync (Odoo or its spreadsheet) or the admin form."""

from carteira.models import CarteiraPrincipal
from core.importacao import ImportacaoResource


class CarteiraPrincipalResource(ImportacaoResource):
    class Meta(ImportacaoResource.Meta):
        model = CarteiraPrincipal
        name = "Carteira de pedidos"
        # One line per (pedido, produto): re-importing updates the line, never duplicates it.
        import_id_fields = ["num_pedido", "cod_produto"]
        # origem and odoo_line_id belong to the Odoo sync: a spreadsheet never writes them
        # (new lines are MANUAL; an Odoo line keeps its origin and id).
        exclude = ("id", "criado_em", "atualizado_em", "origem", "odoo_line_id")
