"""Operator screens for the production plan (xlsx/csv export; the import is core.importacoes)."""

from django.contrib import admin

from core.admin import HistoricoAdminMixin, PlanilhaAdmin
from producao.models import ProgramacaoProducao
from producao.resources import ProgramacaoProducaoResource


@admin.register(ProgramacaoProducao)
class ProgramacaoProducaoAdmin(HistoricoAdminMixin, PlanilhaAdmin):
    resource_classes = [ProgramacaoProducaoResource]
    importacao_tipo = "producao"
    list_display = (
        "data_programacao",
        "cod_produto",
        "nome_produto",
        "qtd_programada",
        "linha_producao",
        "cliente_produto",
    )
    list_filter = ("linha_producao", "data_programacao")
    search_fields = ("cod_produto", "nome_produto", "cliente_produto", "observacao_pcp")
    date_hierarchy = "data_programacao"
    list_per_page = 100
