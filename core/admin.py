"""Admin bases every app shares: read-only screens for derived tables, and xlsx/csv export with a link to the import."""

from django.contrib import admin
from django.urls import reverse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import XLSX

from core.importacao import CSVBrasil
from core.importacoes import importador


class SomenteLeituraMixin:
    """Viewable with the model's view permission (Django's rule), never added, edited or deleted by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SomenteLeituraAdmin(SomenteLeituraMixin, admin.ModelAdmin):
    actions = None


class SomenteLeituraTabularInline(SomenteLeituraMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class PlanilhaAdmin(ExportMixin, admin.ModelAdmin):
    """xlsx/csv export, and a button to the model's spreadsheet import (core.importacoes).

    Imports go through /importacoes/ — preview with totals, confirmation of exactly what was
    previewed, no double imports, undo — never through django-import-export's own import,
    which wrote rows around the services' rules.
    """

    formats = [XLSX, CSVBrasil]
    import_export_change_list_template = "admin/planilha_change_list.html"
    importacao_tipo: str = ""  # the core.importacoes kind of this model ("" when it has none)

    def changelist_view(self, request, extra_context=None):
        tipo = importador(self.importacao_tipo) if self.importacao_tipo else None
        extra_context = {
            **(extra_context or {}),
            "url_importacao": (
                reverse("importacoes:enviar", args=[tipo.tipo])
                if tipo is not None and request.user.has_perm(tipo.permissao)
                else None
            ),
        }
        return super().changelist_view(request, extra_context)
