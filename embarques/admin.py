"""Operator screens for truck loads. Item saves/deletes go through save()/delete() (engine)."""

from django.contrib import admin
from django.db.models import Count

from embarques.models import Embarque, EmbarqueItem


class EmbarqueItemInline(admin.TabularInline):
    model = EmbarqueItem
    extra = 0
    fields = ("separacao_lote_id", "num_pedido", "cliente", "nota_fiscal", "status", "erro_validacao")


@admin.register(Embarque)
class EmbarqueAdmin(admin.ModelAdmin):
    list_display = ("numero", "data_prevista_embarque", "data_embarque", "transportadora", "status", "qtd_itens")
    list_filter = ("status", "data_prevista_embarque", "data_embarque")
    search_fields = ("=numero", "transportadora", "itens__separacao_lote_id", "itens__nota_fiscal")
    date_hierarchy = "data_prevista_embarque"
    readonly_fields = ("criado_em",)
    inlines = (EmbarqueItemInline,)

    def get_queryset(self, request):
        # GROUP BY drops Meta.ordering: order again, or the autocomplete pages an unordered list.
        return super().get_queryset(request).annotate(_qtd_itens=Count("itens", distinct=True)).order_by("-numero")

    @admin.display(description="itens", ordering="_qtd_itens")
    def qtd_itens(self, obj):
        return obj._qtd_itens


@admin.register(EmbarqueItem)
class EmbarqueItemAdmin(admin.ModelAdmin):
    list_display = ("embarque", "separacao_lote_id", "num_pedido", "cliente", "nota_fiscal", "status", "faturado")
    list_filter = ("status", "embarque__status")
    search_fields = ("separacao_lote_id", "num_pedido", "cliente", "nota_fiscal", "=embarque__numero")
    list_select_related = ("embarque",)
    autocomplete_fields = ("embarque",)

    @admin.display(boolean=True, description="faturado")
    def faturado(self, obj):
        return obj.faturamento_vinculado
