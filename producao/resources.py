"""Spreadsheet import/export of the product master and the production plan."""
from estoque.resources import ImportacaoResource
from producao.models import CadastroPalletizacao, ProgramacaoProducao


class CadastroPalletizacaoResource(ImportacaoResource):
    restricoes = {
        "palletizacao_positiva": ("palletizacao", "A palletização deve ser maior que zero."),
        "peso_bruto_nao_negativo": ("peso_bruto", "O peso bruto não pode ser negativo."),
    }

    class Meta(ImportacaoResource.Meta):
        model = CadastroPalletizacao
        name = "Cadastro de palletização"
        # The product code is the key: re-importing the master updates, never duplicates.
        import_id_fields = ["cod_produto"]
        fields = (
            "cod_produto", "nome_produto", "palletizacao", "peso_bruto", "categoria", "subcategoria",
            "linha_producao", "ativo",
        )


class ProgramacaoProducaoResource(ImportacaoResource):
    restricoes = {
        "qtd_programada_positiva": ("qtd_programada", "A quantidade programada deve ser maior que zero."),
    }

    class Meta(ImportacaoResource.Meta):
        model = ProgramacaoProducao
        name = "Programação de produção"
        import_id_fields = ["id"]
        fields = (
            "id", "data_programacao", "cod_produto", "nome_produto", "qtd_programada", "linha_producao",
            "cliente_produto", "observacao_pcp",
        )
