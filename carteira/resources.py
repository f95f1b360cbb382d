"""Spreadsheet import/export of the order book (manual lines; Odoo lines come from the sync)."""

from carteira.models import CarteiraPrincipal
from core.importacao import ImportacaoResource


class CarteiraPrincipalResource(ImportacaoResource):
    restricoes = {
        "carteira_qtd_nao_negativa": ("qtd_produto_pedido", "A quantidade pedida não pode ser negativa."),
        "carteira_saldo_nao_negativo": ("qtd_saldo_produto_pedido", "O saldo do pedido não pode ser negativo."),
        "carteira_cancelada_nao_negativa": (
            "qtd_cancelada_produto_pedido",
            "A quantidade cancelada não pode ser negativa.",
        ),
        "carteira_preco_nao_negativo": ("preco_produto_pedido", "O preço não pode ser negativo."),
    }

    class Meta(ImportacaoResource.Meta):
        model = CarteiraPrincipal
        name = "Carteira de pedidos"
        # One line per (pedido, produto): re-importing updates the line, never duplicates it.
        import_id_fields = ["num_pedido", "cod_produto"]
        # origem and odoo_line_id belong to the Odoo sync: a spreadsheet never writes them
        # (new lines are MANUAL; an Odoo line keeps its origin and id).
        exclude = ("id", "criado_em", "atualizado_em", "origem", "odoo_line_id")
