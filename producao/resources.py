"""Spreadsheet import/export of the production plan."""

from core.importacao import ImportacaoResource
from producao.models import ProgramacaoProducao


class ProgramacaoProducaoResource(ImportacaoResource):
    restricoes = {
        "qtd_programada_positiva": ("qtd_programada", "A quantidade programada deve ser maior que zero."),
    }

    class Meta(ImportacaoResource.Meta):
        model = ProgramacaoProducao
        name = "Programação de produção"
        import_id_fields = ["id"]
        fields = (
            "id",
            "data_programacao",
            "cod_produto",
            "nome_produto",
            "qtd_programada",
            "linha_producao",
            "cliente_produto",
            "observacao_pcp",
        )
