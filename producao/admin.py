"""Operator screens for the production plan (xlsx/csv import)."""

from django.contrib import admin

from core.admin import ImportacaoAdmin
from producao.models import ProgramacaoProducao
from producao.resources import ProgramacaoProducaoResource


@admin.register(ProgramacaoProducao)
class ProgramacaoProducaoAdmin(ImportacaoAdmin):
    resource_classes = [ProgramacaoProducaoResource]
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
