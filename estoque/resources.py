"""Spreadsheet export (django-import-export, in the admin) of estoque's sources and catalog.

The base (pt-BR widgets) is core.importacao; imports are estoque/importadores.py.
"""

from import_export import fields

from core.importacao import ImportacaoResource
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque


class MovimentacaoEstoqueResource(ImportacaoResource):
    criado_por = fields.Field(attribute="criado_por", column_name="criado_por", readonly=True)
    atualizado_por = fields.Field(attribute="atualizado_por", column_name="atualizado_por", readonly=True)

    class Meta(ImportacaoResource.Meta):
        model = MovimentacaoEstoque
        name = "Movimentações de estoque"
        import_id_fields = ["id"]
        fields = (
            "id",
            "cod_produto",
            "nome_produto",
            "data_movimentacao",
            "tipo_movimentacao",
            "local_movimentacao",
            "qtd_movimentacao",
            "ativo",
            "observacao",
            "separacao_lote_id",
            "numero_nf",
            "num_pedido",
            "criado_por",
            "atualizado_por",
        )


class CadastroPalletizacaoResource(ImportacaoResource):
    class Meta(ImportacaoResource.Meta):
        model = CadastroPalletizacao
        name = "Cadastro de palletização"
        import_id_fields = ["cod_produto"]
        fields = (
            "cod_produto",
            "nome_produto",
            "palletizacao",
            "peso_bruto",
            "categoria",
            "subcategoria",
            "linha_producao",
            "ativo",
        )
