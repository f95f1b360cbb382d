"""Operator screens of the carteira sync: the run log (with "Sincronizar agora" and the
spreadsheet import) and the alerts on quoted separações (acknowledged here).

Both are read-only: runs are written by the sync, alerts by the sync and the
"reconhecer" action. Running a sync needs the permission carteira.executar_sincronizacao.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from carteira.models import AlertaSeparacaoCotada, SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.registros import ErroSincronizacao
from core.admin import SomenteLeituraAdmin
from core.limites import validar_tamanho_arquivo

PERMISSAO = "carteira.executar_sincronizacao"


class PlanilhaForm(forms.Form):
    arquivo = forms.FileField(label="Planilha (.xlsx ou .csv)", validators=[validar_tamanho_arquivo])
    simular = forms.BooleanField(label="Só simular (mostrar as diferenças sem gravar)", required=False)


@admin.register(SincronizacaoCarteira)
class SincronizacaoCarteiraAdmin(SomenteLeituraAdmin):
    change_list_template = "admin/carteira/sincronizacaocarteira/change_list.html"
    list_display = (
        "iniciado_em",
        "origem",
        "status",
        "gatilho",
        "usuario",
        "linhas_recebidas",
        "linhas_novas",
        "linhas_removidas",
        "linhas_reduzidas",
        "linhas_aumentadas",
        "linhas_alteradas",
        "alertas",
        "duracao",
    )
    list_filter = ("status", "origem", "gatilho")
    search_fields = ("usuario", "arquivo", "erro", "relatorio")
    date_hierarchy = "iniciado_em"
    show_full_result_count = False
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("iniciado_em", "finalizado_em"),
                    ("origem", "status", "gatilho"),
                    ("usuario", "arquivo"),
                    "erro",
                )
            },
        ),
        (
            "Diferenças",
            {
                "fields": (
                    ("linhas_recebidas", "linhas_novas", "linhas_removidas"),
                    ("linhas_reduzidas", "linhas_aumentadas", "linhas_alteradas", "linhas_manuais_ignoradas"),
                )
            },
        ),
        (
            "Alocações",
            {
                "fields": (
                    ("pre_separacoes_reduzidas", "pre_separacoes_excluidas"),
                    ("separacoes_reduzidas", "separacoes_excluidas"),
                    "alertas",
                )
            },
        ),
        ("Relatório", {"fields": ("relatorio_formatado",)}),
    )
    readonly_fields = ("relatorio_formatado",)

    @admin.display(description="duração")
    def duracao(self, obj):
        if not obj.finalizado_em:
            return "-"
        return f"{(obj.finalizado_em - obj.iniciado_em).total_seconds():.1f} s"

    @admin.display(description="relatório")
    def relatorio_formatado(self, obj):
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', obj.relatorio or "-")

    def pode_sincronizar(self, request) -> bool:
        return request.user.is_active and request.user.is_staff and request.user.has_perm(PERMISSAO)

    def get_urls(self):
        nome = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path("sincronizar/", self.admin_site.admin_view(self.sincronizar_view), name=f"{nome}_sincronizar"),
            path("planilha/", self.admin_site.admin_view(self.planilha_view), name=f"{nome}_planilha"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pode_sincronizar": self.pode_sincronizar(request)}
        return super().changelist_view(request, extra_context)

    def _lista(self):
        return HttpResponseRedirect(reverse("admin:carteira_sincronizacaocarteira_changelist"))

    def _relatar(self, request, execucao: SincronizacaoCarteira):
        url = reverse("admin:carteira_sincronizacaocarteira_change", args=[execucao.pk])
        if execucao.status == SincronizacaoCarteira.Status.SIMULACAO:
            resumo = "Simulação concluída, nada foi gravado"
        else:
            resumo = "Carteira sincronizada"
        messages.success(
            request,
            format_html(
                "{}: {} novas, {} removidas, {} reduzidas, {} aumentadas, {} alteradas; {} pré-separações e {} separações "
                'ajustadas; {} alerta(s). <a href="{}">Ver o relatório</a>.',
                resumo,
                execucao.linhas_novas,
                execucao.linhas_removidas,
                execucao.linhas_reduzidas,
                execucao.linhas_aumentadas,
                execucao.linhas_alteradas,
                execucao.pre_separacoes_reduzidas + execucao.pre_separacoes_excluidas,
                execucao.separacoes_reduzidas + execucao.separacoes_excluidas,
                execucao.alertas,
                url,
            ),
        )
        if execucao.alertas:
            alertas = reverse("admin:carteira_alertaseparacaocotada_changelist") + "?reconhecido__exact=0"
            messages.warning(
                request, format_html('Separações cotadas foram afetadas: <a href="{}">revise os alertas</a>.', alertas)
            )

    def sincronizar_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.pode_sincronizar(request):
            raise PermissionDenied
        try:
            execucao = servico.sincronizar_odoo(
                gatilho=SincronizacaoCarteira.Gatilho.ADMIN, usuario=request.user.get_username()
            )
        except ErroSincronizacao as erro:
            messages.error(request, f"Sincronização falhou, nada foi alterado: {erro}")
            return self._lista()
        self._relatar(request, execucao)
        return self._lista()

    def planilha_view(self, request):
        if not self.pode_sincronizar(request):
            raise PermissionDenied
        form = PlanilhaForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            arquivo = form.cleaned_data["arquivo"]
            try:
                execucao = servico.sincronizar_planilha(
                    arquivo,
                    nome=arquivo.name,
                    gatilho=SincronizacaoCarteira.Gatilho.ADMIN,
                    simular=form.cleaned_data["simular"],
                    usuario=request.user.get_username(),
                )
            except ErroSincronizacao as erro:
                messages.error(request, f"Importação recusada, nada foi alterado: {erro}")
            else:
                self._relatar(request, execucao)
                return HttpResponseRedirect(reverse("admin:carteira_sincronizacaocarteira_change", args=[execucao.pk]))
        contexto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importar a carteira de uma planilha",
            "form": form,
        }
        return TemplateResponse(request, "admin/carteira/sincronizacaocarteira/planilha.html", contexto)


@admin.register(AlertaSeparacaoCotada)
class AlertaSeparacaoCotadaAdmin(SomenteLeituraAdmin):
    actions = ["reconhecer"]
    list_display = (
        "separacao_lote_id",
        "num_pedido",
        "cod_produto",
        "tipo",
        "qtd_antes",
        "qtd_depois",
        "atualizado_em",
        "reconhecido",
        "reconhecido_por",
        "reconhecido_em",
        "separacao",
    )
    list_filter = ("reconhecido", "tipo")
    search_fields = ("=separacao_lote_id", "num_pedido", "cod_produto", "reconhecido_por")
    date_hierarchy = "atualizado_em"
    show_full_result_count = False

    @admin.display(description="separação")
    def separacao(self, obj):
        url = reverse("admin:carteira_separacao_changelist")
        return format_html('<a href="{}?separacao_lote_id={}">ver lote</a>', url, obj.separacao_lote_id)

    def has_reconhecer_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and (request.user.has_perm("carteira.change_alertaseparacaocotada") or request.user.has_perm(PERMISSAO))
        )

    @admin.action(description="Marcar como reconhecido", permissions=["reconhecer"])
    def reconhecer(self, request, queryset):
        total = queryset.filter(reconhecido=False).update(
            reconhecido=True, reconhecido_por=request.user.get_username(), reconhecido_em=timezone.now()
        )
        messages.success(request, f"{total} alerta(s) reconhecido(s).")
