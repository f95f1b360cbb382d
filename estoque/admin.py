"""Operator screens for estoque, and the admin bases the other apps share.

Source tables are edited here through Model.save()/QuerySet writes, which carry the
derivation engine (estoque.fontes). Derived tables are written only by estoque.services:
in the admin they are read-only.
"""
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX

from estoque.models import (
    CadastroPalletizacao,
    CodigoUnificado,
    CursorReconciliacao,
    EstoqueTempoReal,
    LoteFaturado,
    MovimentacaoEstoque,
    MovimentacaoPrevista,
    ReconciliacaoExecucao,
    ReparoEstoque,
    UnificacaoCodigos,
)
from estoque.resources import CadastroPalletizacaoResource, CSVBrasil, MovimentacaoEstoqueResource


class SomenteLeituraMixin:
    """Viewable by staff, never added, edited or deleted by hand."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SomenteLeituraAdmin(SomenteLeituraMixin, admin.ModelAdmin):
    actions = None

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff


class SomenteLeituraTabularInline(SomenteLeituraMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class ImportacaoAdmin(ImportExportModelAdmin):
    """xlsx/csv import and export. A refused import shows its errors and saves nothing."""

    formats = [XLSX, CSVBrasil]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def process_result(self, result, request):
        # The confirm step imports the file again; if it is refused now (the data changed
        # since the preview), the resource rolled everything back: show why, do not log
        # rows that were never saved.
        if result.has_errors() or result.has_validation_errors():
            return self._importacao_recusada(result, request)
        return super().process_result(result, request)

    def _importacao_recusada(self, result, request):
        recursos = self.get_import_resource_classes(request)
        form = self.get_import_form_class(request)(self.get_import_formats(), recursos)
        messages.error(request, "Importação recusada: nenhuma linha foi gravada. Corrija os erros e envie de novo.")
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "title": _("Import"),
            "form": form,
            "opts": self.model._meta,
            "media": self.media + form.media,
            "result": result,
            "fields_list": [
                (recurso.get_display_name(), [campo.column_name for campo in recurso().get_user_visible_fields()])
                for recurso in recursos
            ],
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)


# ---------------------------------------------------------------- sources


@admin.register(MovimentacaoEstoque)
class MovimentacaoEstoqueAdmin(ImportacaoAdmin):
    resource_classes = [MovimentacaoEstoqueResource]
    list_display = (
        "data_movimentacao", "tipo_movimentacao", "cod_produto", "nome_produto", "qtd_movimentacao",
        "local_movimentacao", "ativo", "numero_nf", "num_pedido", "separacao_lote_id",
    )
    list_filter = ("tipo_movimentacao", "ativo", "local_movimentacao", "data_movimentacao")
    search_fields = ("cod_produto", "nome_produto", "numero_nf", "num_pedido", "separacao_lote_id", "observacao")
    date_hierarchy = "data_movimentacao"
    readonly_fields = ("criado_em", "criado_por", "atualizado_em", "atualizado_por")
    show_full_result_count = False  # a big table: no extra COUNT(*) per page
    list_per_page = 100
    actions = ("cancelar", "reativar")
    fieldsets = (
        (None, {"fields": (("cod_produto", "nome_produto"), ("data_movimentacao", "tipo_movimentacao"),
                           ("qtd_movimentacao", "local_movimentacao"), "ativo", "observacao")}),
        ("Origem", {"fields": (("numero_nf", "num_pedido", "separacao_lote_id"),)}),
        ("Auditoria", {"fields": (("criado_em", "criado_por"), ("atualizado_em", "atualizado_por"))}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.criado_por = request.user.get_username()
        obj.atualizado_por = request.user.get_username()
        super().save_model(request, obj, form, change)

    @admin.action(description="Cancelar as movimentações selecionadas", permissions=["change"])
    def cancelar(self, request, queryset):
        # FonteQuerySet.update applies the stock delta in the same transaction.
        linhas = queryset.filter(ativo=True).update(ativo=False, atualizado_por=request.user.get_username())
        self.message_user(request, f"{linhas} movimentação(ões) cancelada(s).", messages.SUCCESS)

    @admin.action(description="Reativar as movimentações selecionadas", permissions=["change"])
    def reativar(self, request, queryset):
        linhas = queryset.filter(ativo=False).update(ativo=True, atualizado_por=request.user.get_username())
        self.message_user(request, f"{linhas} movimentação(ões) reativada(s).", messages.SUCCESS)


@admin.register(UnificacaoCodigos)
class UnificacaoCodigosAdmin(admin.ModelAdmin):
    list_display = ("codigo_origem", "codigo_destino", "ativo", "criado_em")
    list_filter = ("ativo",)
    search_fields = ("codigo_origem", "codigo_destino", "observacao")
    date_hierarchy = "criado_em"
    readonly_fields = ("criado_em",)


# ---------------------------------------------------------------- derived (read-only)


@admin.register(EstoqueTempoReal)
class EstoqueTempoRealAdmin(SomenteLeituraAdmin):
    list_display = ("cod_produto", "nome_produto", "saldo_atual", "menor_estoque_d7", "dia_ruptura", "atualizado_em")
    list_filter = (("dia_ruptura", admin.EmptyFieldListFilter), "dia_ruptura")
    search_fields = ("cod_produto", "nome_produto")
    date_hierarchy = "dia_ruptura"
    list_per_page = 100


@admin.register(MovimentacaoPrevista)
class MovimentacaoPrevistaAdmin(SomenteLeituraAdmin):
    list_display = ("cod_produto", "data_prevista", "entrada_prevista", "saida_prevista")
    list_filter = ("data_prevista",)
    search_fields = ("cod_produto",)
    date_hierarchy = "data_prevista"
    show_full_result_count = False
    list_per_page = 100


@admin.register(CodigoUnificado)
class CodigoUnificadoAdmin(SomenteLeituraAdmin):
    list_display = ("cod_produto", "cod_principal")
    search_fields = ("cod_produto", "cod_principal")
    ordering = ("cod_principal", "cod_produto")


class ReparoEstoqueInline(SomenteLeituraTabularInline):
    model = ReparoEstoque
    fields = ("cod_produto", "campo", "antes", "depois", "criado_em")
    readonly_fields = fields


@admin.register(ReconciliacaoExecucao)
class ReconciliacaoExecucaoAdmin(SomenteLeituraAdmin):
    list_display = (
        "iniciado_em", "finalizado_em", "origem", "produtos_verificados", "produtos_corrigidos",
        "simulacao", "cursor_inicio", "cursor_fim", "com_erro",
    )
    list_filter = ("origem", "simulacao", "iniciado_em")
    search_fields = ("erro", "cursor_inicio", "cursor_fim")
    date_hierarchy = "iniciado_em"
    inlines = (ReparoEstoqueInline,)

    @admin.display(boolean=True, description="erro")
    def com_erro(self, obj):
        return bool(obj.erro)


@admin.register(ReparoEstoque)
class ReparoEstoqueAdmin(SomenteLeituraAdmin):
    list_display = ("criado_em", "cod_produto", "campo", "antes", "depois", "execucao")
    list_filter = ("campo", "criado_em")
    search_fields = ("cod_produto", "campo")
    date_hierarchy = "criado_em"
    list_select_related = ("execucao",)


@admin.register(CursorReconciliacao)
class CursorReconciliacaoAdmin(SomenteLeituraAdmin):
    list_display = ("id", "ultimo_codigo")


@admin.register(LoteFaturado)
class LoteFaturadoAdmin(SomenteLeituraAdmin):
    list_display = ("separacao_lote_id",)
    search_fields = ("separacao_lote_id",)


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
