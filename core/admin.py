"""Admin bases every app shares: read-only screens for derived tables, and xlsx/csv import."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX

from core.importacao import CSVBrasil


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
