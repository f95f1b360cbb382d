"""Admin bases every app shares: read-only screens for derived tables, and xlsx/csv export with a link to the import."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import XLSX

from core import historico_leitura
from core.importacao import CSVBrasil
from core.importacoes import importador
from core.models import Trabalho
from core.templatetags.formatos import formatar_qtd


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


class HistoricoAdminMixin(admin.ModelAdmin):
    """The "Histórico" of a row: its own history rows (core.historico: who, from where, each field
    from what to what), not Django's LogEntry, which knows only what was typed in the admin.

    Same door as Django's history_view: an unknown object is the admin's "does not exist" redirect,
    and the view or change permission on the object is required. A ModelAdmin subclass (put first in
    the bases) so its use of the admin's own methods is typed.
    """

    historico_por_pagina = 50

    def history_view(self, request, object_id, extra_context=None):
        model = self.model
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, model._meta, object_id)  # type: ignore[attr-defined]  # Django's own, private (not in the stubs)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        consultas = [(model, Q(**{model._meta.pk.attname: obj.pk}))]
        status, erro = 200, ""
        try:
            pagina = historico_leitura.listar(
                consultas, antes=request.GET.get("antes") or None, limite=self.historico_por_pagina
            )
        except historico_leitura.CursorInvalido:
            pagina = historico_leitura.listar(consultas, limite=self.historico_por_pagina)
            status, erro = 400, "O endereço de paginação é inválido; mostrando as alterações mais recentes."
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change history: %s") % obj,
            "subtitle": None,
            "entradas": pagina.entradas,
            "url_mais_antigos": f"?antes={pagina.proximo}" if pagina.proximo else "",
            "url_mais_recentes": "?" if request.GET.get("antes") else "",
            "erro_historico": erro,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/core/historico.html", context, status=status)


# ---------------------------------------------------------------- background jobs (core.trabalhos)


@admin.register(Trabalho)
class TrabalhoAdmin(SomenteLeituraAdmin):
    """Every user's jobs with their progress and file (core.view_trabalho); written only by the jobs."""

    list_display = ("id", "titulo", "usuario", "status", "barra", "linhas", "criado_em", "finalizado_em", "baixar")
    list_filter = ("status", "tipo")
    search_fields = ("titulo", "usuario__username", "erro", "resumo")
    date_hierarchy = "criado_em"
    list_select_related = ("usuario",)
    show_full_result_count = False
    readonly_fields = ("barra", "baixar", "pagina")
    fields = (
        ("titulo", "tipo"),
        ("usuario", "status"),
        ("barra", "etapa"),
        ("linhas_feitas", "linhas_total"),
        ("criado_em", "iniciado_em", "finalizado_em", "atualizado_em"),
        "parametros",
        ("baixar", "pagina"),
        "resumo",
        "erro",
    )

    @admin.display(description="progresso")
    def barra(self, obj):
        return format_html(
            '<progress value="{}" max="100">{}%</progress> {}%', obj.progresso, obj.progresso, obj.progresso
        )

    @admin.display(description="linhas")
    def linhas(self, obj):
        if not obj.linhas_total:
            return "-"
        return f"{formatar_qtd(obj.linhas_feitas)} de {formatar_qtd(obj.linhas_total)}"

    @admin.display(description="arquivo")
    def baixar(self, obj):
        if not obj.arquivo:
            return "expirado" if obj.arquivo_expirado else "-"
        return format_html('<a href="{}">{}</a>', reverse("trabalhos:arquivo", args=[obj.pk]), obj.arquivo_nome)

    @admin.display(description="página")
    def pagina(self, obj):
        return format_html('<a href="{}">acompanhar</a>', reverse("trabalhos:detalhe", args=[obj.pk]))
