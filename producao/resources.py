"""Spreadsheet export (admin) of the production plan; its import is producao/importadores.py."""

from core.importacao import ImportacaoResource
from producao.models import ProgramacaoProducao


class ProgramacaoProducaoResource(ImportacaoResource):
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
