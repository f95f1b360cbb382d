from django.contrib import admin

from carteira.models import AnaliseRuptura, AnaliseRupturaLote
from core.admin import SomenteLeituraAdmin, SomenteLeituraTabularInline


class LoteInline(SomenteLeituraTabularInline):
    model = AnaliseRupturaLote
    fields = ("indice", "pedidos", "concluido_em", "erro")


@admin.register(AnaliseRuptura)
class AnaliseRupturaAdmin(SomenteLeituraAdmin):
    list_display = ("criado_em", "criado_por", "total_pedidos", "total_lotes")
    date_hierarchy = "criado_em"
    search_fields = ("criado_por",)
    inlines = [LoteInline]


@admin.register(AnaliseRupturaLote)
class AnaliseRupturaLoteAdmin(SomenteLeituraAdmin):
    list_display = ("analise", "indice", "concluido_em", "erro")
    list_filter = ("concluido_em",)
    search_fields = ("analise__id",)
