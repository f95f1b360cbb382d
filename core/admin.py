"""Admin bases every app shares: read-only screens for derived tables, and xlsx/csv import."""

from pathlib import Path

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import XLSX
from import_export.forms import ImportForm
from import_export.tmp_storages import TempFolderStorage

from core.importacao import CSVBrasil, XLSXSeguro
from core.limites import validar_tamanho_arquivo
from core.planilhas import ErroPlanilha

ERRO_LEITURA = (
    "Não foi possível ler o arquivo: confira se ele é uma planilha .xlsx ou .csv e se o formato escolhido é o dele."
)


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


class FormularioImportacao(ImportForm):
    def clean_import_file(self):
        arquivo = self.cleaned_data["import_file"]
        validar_tamanho_arquivo(arquivo)
        return arquivo


class ImportacaoAdmin(ImportExportModelAdmin):
    """xlsx/csv import and export. A refused import shows its errors and saves nothing.

    The file is read within bounds (core.planilhas: size, rows, the xlsx declared dimension
    ignored); what cannot be read is a pt-BR error on the form, never a 500.
    """

    formats = [XLSX, CSVBrasil]
    # Exports keep import-export's XLSX (its native cell types depend on that exact class).
    import_formats = [XLSXSeguro, CSVBrasil]
    import_form_class = FormularioImportacao

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error("import_file", str(e) if isinstance(e, ErroPlanilha) else ERRO_LEITURA)

    def _arquivo_temporario(self, nome: str | None) -> Path | None:
        if not nome or not issubclass(self.get_tmp_storage_class(), TempFolderStorage):
            return None
        return Path(TempFolderStorage(name=nome).get_full_path())

    def import_action(self, request, **kwargs):
        resposta = super().import_action(request, **kwargs)
        # import-export keeps the uploaded file for the confirm step even when the preview
        # refused it: with nothing to confirm, it would stay in the temporary folder forever.
        contexto = getattr(resposta, "context_data", None) or {}
        arquivo = request.FILES.get("import_file")
        caminho = self._arquivo_temporario(getattr(arquivo, "tmp_storage_name", None))
        if caminho is not None and not contexto.get("confirm_form"):
            caminho.unlink(missing_ok=True)
        return resposta

    def _confirmacao_invalida(self, request) -> str | None:
        """Why the confirm step cannot run (its hidden fields were altered, or the file of the
        preview is gone), or None. import-export would answer those with a 500."""
        form = self.create_confirm_form(request)
        if not form.is_valid():
            return None  # import-export shows the form's own errors
        formato, recurso = form.cleaned_data["format"], form.cleaned_data.get("resource") or "0"
        if not (formato.isdigit() and int(formato) < len(self.get_import_formats())):
            return "Formato de arquivo inválido."
        if not (recurso.isdigit() and int(recurso) < len(self.get_import_resource_classes(request))):
            return "Tipo de importação inválido."
        caminho = self._arquivo_temporario(form.cleaned_data["import_file_name"])
        if caminho is not None and not caminho.is_file():
            return "O arquivo desta importação não está mais disponível: envie-o de novo."
        return None

    def process_import(self, request, **kwargs):
        motivo = self._confirmacao_invalida(request) if request.method == "POST" else None
        if motivo is None:
            try:
                return super().process_import(request, **kwargs)
            except ErroPlanilha as erro:  # the limits changed between the preview and the confirmation
                motivo = str(erro)
        messages.error(request, f"Importação recusada: nenhuma linha foi gravada. {motivo}")
        opcoes = self.model._meta
        return HttpResponseRedirect(reverse(f"admin:{opcoes.app_label}_{opcoes.model_name}_import"))

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
