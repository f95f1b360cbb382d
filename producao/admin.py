"""Operator screens for the product master and the production plan (xlsx/csv import)."""
from django.contrib import admin

from estoque.admin import ImportacaoAdmin
from producao.models import CadastroPalletizacao, ProgramacaoProducao
from producao.resources import CadastroPalletizacaoResource, ProgramacaoProducaoResource


@admin.register(CadastroPalletizacao)
class CadastroPalletizacaoAdmin(ImportacaoAdmin):
    resource_classes = [CadastroPalletizacaoResource]
    list_display = (
        "cod_produto", "nome_produto", "palletizacao", "peso_bruto", "categoria", "subcategoria",
        "linha_producao", "ativo",
    )
    list_filter = ("ativo", "categoria", "subcategoria", "linha_producao")
    search_fields = ("cod_produto", "nome_produto", "categoria", "subcategoria")
    list_per_page = 100


@admin.register(ProgramacaoProducao)
class ProgramacaoProducaoAdmin(ImportacaoAdmin):
    resource_classes = [ProgramacaoProducaoResource]
    list_display = (
        "data_programacao", "cod_produto", "nome_produto", "qtd_programada", "linha_producao", "cliente_produto",
    )
    list_filter = ("linha_producao", "data_programacao")
    search_fields = ("cod_produto", "nome_produto", "cliente_produto", "observacao_pcp")
    date_hierarchy = "data_programacao"
    list_per_page = 100
