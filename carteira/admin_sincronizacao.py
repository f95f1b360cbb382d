"""Operator screens of the carteira sync: the run log (with "Sincronizar agora", the spreadsheet
import and the confirmation of a stopped run) and the alerts on quoted separações.

Both are read-only: runs are written by the sync, alerts by the sync and the "reconhecer"
action. Running, applying or confirming a sync needs the permission carteira.executar_sincronizacao.
"Sincronizar agora" runs as a background job (carteira.trabalhos) whose page shows its progress
and links to the run. A spreadsheet import is always simulated first: the simulation's page shows what it would do
and "Aplicar este plano", which applies the kept file (servico.aplicar_simulacao), no second
upload. A run that stops before writing (AGUARDANDO_CONFIRMACAO) opens its confirmation page:
what it would do (counts, the lines it would remove, the separações COTADO/EMBARCADO it
touches) and "Confirmar e aplicar". Anything destructive (lines removed, allocations reduced
or cancelled, alerts) is reported as a warning, never as a plain success. A run's page lists
the pré-separações and separações it cancelled.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from carteira import selectors, services, trabalhos
from carteira.models import AlertaSeparacaoCotada, SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.registros import ErroSincronizacao
from core.admin import SomenteLeituraAdmin
from core.limites import validar_tamanho_arquivo
from core.trabalhos import ErroTrabalho
from core.trabalhos import servico as trabalhos_servico

PERMISSAO = "carteira.executar_sincronizacao"
ESPERA_ADMIN = 10  # seconds a click waits for another run's lock before saying it is busy
LISTADAS = 200  # rows shown per table on a run's page; the rest behind a link
Status = SincronizacaoCarteira.Status


class PlanilhaForm(forms.Form):
    """The first step is always a simulation: applying it is a separate, explicit step."""

    arquivo = forms.FileField(label="Planilha (.xlsx ou .csv)", validators=[validar_tamanho_arquivo])


def _url(nome: str, *args) -> str:
    return reverse(f"admin:carteira_sincronizacaocarteira_{nome}", args=args)


@admin.register(SincronizacaoCarteira)
class SincronizacaoCarteiraAdmin(SomenteLeituraAdmin):
    change_list_template = "admin/carteira/sincronizacaocarteira/change_list.html"
    change_form_template = "admin/carteira/sincronizacaocarteira/change_form.html"

    list_display = (
        "id",
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
                    ("iniciado_em", "finalizado_em", "instantaneo_em"),
                    ("origem", "status", "gatilho"),
                    ("usuario", "arquivo", "confirmacao_de"),
                    "confirmar_link",
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
                    ("pre_separacoes_reduzidas", "pre_separacoes_canceladas"),
                    ("separacoes_reduzidas", "separacoes_canceladas"),
                    "alertas",
                )
            },
        ),
        ("O plano: o que exige confirmação, linhas removidas, alocações cortadas", {"fields": ("plano_formatado",)}),
        ("Canceladas por esta execução", {"fields": ("canceladas_formatadas",)}),
        ("Relatório", {"fields": ("relatorio_formatado",)}),
    )
    readonly_fields = ("relatorio_formatado", "plano_formatado", "canceladas_formatadas", "confirmar_link")

    class Media:
        # Classes instead of style= attributes (Content-Security-Policy).
        css = {"all": ("css/admin.css", "css/admin_sincronizacao.css")}

    def get_queryset(self, request):
        # The kept spreadsheet (up to the upload limit) is read only where it is used.
        return super().get_queryset(request).defer("conteudo_planilha")

    @admin.display(description="duração")
    def duracao(self, obj):
        if not obj.finalizado_em:
            return "-"
        return f"{(obj.finalizado_em - obj.iniciado_em).total_seconds():.1f} s"

    @admin.display(description="relatório")
    def relatorio_formatado(self, obj):
        return format_html('<pre class="app-relatorio">{}</pre>', obj.relatorio or "-")

    @admin.display(description="plano")
    def plano_formatado(self, obj):
        return render_to_string(
            "admin/carteira/sincronizacaocarteira/_plano.html", {"execucao": obj, **_contexto_plano(obj)}
        )

    @admin.display(description="canceladas")
    def canceladas_formatadas(self, obj):
        pres, seps = selectors.canceladas_por_sincronizacao(obj)
        return render_to_string(
            "admin/carteira/sincronizacaocarteira/_canceladas.html",
            {
                "pres": pres[:LISTADAS],
                "seps": seps[:LISTADAS],
                "total_pres": len(pres),
                "total_seps": len(seps),
                "listadas": LISTADAS,
                "url_pres": f"{reverse('admin:carteira_preseparacaoitem_changelist')}?cancelado_por_sincronizacao={obj.pk}",
                "url_seps": f"{reverse('admin:carteira_separacao_changelist')}?cancelado_por_sincronizacao={obj.pk}",
            },
        )

    @admin.display(description="confirmação")
    def confirmar_link(self, obj):
        if obj.status != Status.AGUARDANDO_CONFIRMACAO:
            return "-"
        return format_html('<a class="button" href="{}">Ver o plano e confirmar</a>', _url("confirmar", obj.pk))

    def pode_sincronizar(self, request) -> bool:
        return request.user.has_perm(PERMISSAO)

    def get_urls(self):
        nome = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path("sincronizar/", self.admin_site.admin_view(self.sincronizar_view), name=f"{nome}_sincronizar"),
            path("planilha/", self.admin_site.admin_view(self.planilha_view), name=f"{nome}_planilha"),
            path("<int:pk>/confirmar/", self.admin_site.admin_view(self.confirmar_view), name=f"{nome}_confirmar"),
            path("<int:pk>/aplicar/", self.admin_site.admin_view(self.aplicar_view), name=f"{nome}_aplicar"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        execucao = self.get_object(request, object_id)
        if execucao is not None:
            extra_context = {
                **(extra_context or {}),
                "aplicavel": servico.aplicavel(execucao),
                "pode_sincronizar": self.pode_sincronizar(request),
                "destrutivo": servico.destrutivo(execucao),
                "motivos": (execucao.plano or {}).get("motivos", []),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "pode_sincronizar": self.pode_sincronizar(request),
            "aguardando": servico.aguardando(),
        }
        return super().changelist_view(request, extra_context)

    def _lista(self):
        return HttpResponseRedirect(_url("changelist"))

    def _relatar(self, request, execucao: SincronizacaoCarteira):
        """The message for a finished run, and where to go next."""
        if execucao.status == Status.AGUARDANDO_CONFIRMACAO:
            messages.warning(request, servico.resumo(execucao))
            return HttpResponseRedirect(_url("confirmar", execucao.pk))
        texto = format_html(
            '{} <a href="{}">Ver o relatório</a>.', servico.resumo(execucao), _url("change", execucao.pk)
        )
        if servico.destrutivo(execucao):
            messages.warning(request, texto)  # never a green box for lines removed or allocations cut
        elif execucao.status == Status.SIMULACAO:
            messages.info(request, texto)
        else:
            messages.success(request, texto)
        if execucao.alertas and execucao.status == Status.SUCESSO:
            alertas = reverse("admin:carteira_alertaseparacaocotada_changelist") + "?reconhecido__exact=0"
            messages.warning(
                request, format_html('Separações cotadas foram afetadas: <a href="{}">revise os alertas</a>.', alertas)
            )
        return None

    def sincronizar_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.pode_sincronizar(request):
            raise PermissionDenied
        # A background job (core.trabalhos): the Odoo read and the apply take minutes at scale.
        try:
            trabalho = trabalhos_servico.iniciar(trabalhos.SINCRONIZAR_AGORA, request.user)
        except trabalhos_servico.TrabalhoEmAndamento as erro:
            messages.warning(request, str(erro))
            return HttpResponseRedirect(reverse("trabalhos:detalhe", args=[erro.trabalho.pk]))
        except ErroTrabalho as erro:
            messages.error(request, f"Sincronização não iniciada, nada foi alterado: {erro}")
            return self._lista()
        messages.info(request, "Sincronização iniciada em segundo plano: acompanhe o progresso abaixo.")
        return HttpResponseRedirect(reverse("trabalhos:detalhe", args=[trabalho.pk]))

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
                    simular=True,
                    usuario=request.user.get_username(),
                    espera=ESPERA_ADMIN,
                )
            except ErroSincronizacao as erro:
                messages.error(request, f"Importação recusada, nada foi alterado: {erro}")
            else:
                return self._relatar(request, execucao) or HttpResponseRedirect(_url("change", execucao.pk))
        contexto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Importar a carteira de uma planilha",
            "form": form,
        }
        return TemplateResponse(request, "admin/carteira/sincronizacaocarteira/planilha.html", contexto)

    def aplicar_view(self, request, pk: int):
        """POST: apply a spreadsheet simulation's plan (its kept file read again; refused if it grew)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.pode_sincronizar(request):
            raise PermissionDenied
        simulacao = get_object_or_404(SincronizacaoCarteira, pk=pk)
        try:
            execucao = servico.aplicar_simulacao(
                simulacao,
                gatilho=SincronizacaoCarteira.Gatilho.ADMIN,
                usuario=request.user.get_username(),
                confirmar=request.POST.get("confirmar") == "sim",
                espera=ESPERA_ADMIN,
            )
        except ErroSincronizacao as erro:
            messages.error(request, f"Plano não aplicado, nada foi alterado: {erro}")
            return HttpResponseRedirect(_url("change", simulacao.pk))
        return self._relatar(request, execucao) or HttpResponseRedirect(_url("change", execucao.pk))

    def confirmar_view(self, request, pk: int):
        """GET: what the stopped run would do; POST: confirm it (read the source again, apply if within)."""
        execucao = get_object_or_404(SincronizacaoCarteira, pk=pk)
        if not self.has_view_permission(request, execucao):
            raise PermissionDenied
        pode = self.pode_sincronizar(request)
        if request.method == "POST":
            if not pode:
                raise PermissionDenied
            try:
                nova = servico.confirmar(
                    execucao,
                    gatilho=SincronizacaoCarteira.Gatilho.ADMIN,
                    usuario=request.user.get_username(),
                    espera=ESPERA_ADMIN,
                )
            except ErroSincronizacao as erro:
                messages.error(request, f"Confirmação não aplicada, nada foi alterado: {erro}")
                return HttpResponseRedirect(_url("confirmar", execucao.pk))
            return self._relatar(request, nova) or HttpResponseRedirect(_url("change", nova.pk))
        contexto = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Sincronização nº {execucao.pk}: confirmar o plano",
            "execucao": execucao,
            "pode_confirmar": pode and execucao.status == Status.AGUARDANDO_CONFIRMACAO,
            **_contexto_plano(execucao),
        }
        return TemplateResponse(request, "admin/carteira/sincronizacaocarteira/confirmar.html", contexto)


def _qtd(texto):
    """A quantity kept as text in the plan (JSON), as a Decimal the template formats in pt-BR."""
    return None if texto in (None, "") else Decimal(texto)


def _contexto_plano(execucao: SincronizacaoCarteira) -> dict:
    plano = execucao.plano or {}
    removidas = [
        {"pedido": pedido, "produto": produto, "antes": _qtd(antes)}
        for pedido, produto, antes in plano.get("removidas", [])
    ]
    separacoes = [
        {**sep, **{campo: _qtd(sep.get(campo)) for campo in ("antes", "depois", "acima")}}
        for sep in plano.get("separacoes", [])
    ]
    alocacoes = [
        {**item, **{campo: _qtd(item.get(campo)) for campo in ("antes", "depois")}}
        for item in plano.get("alocacoes", [])
    ]
    return {
        "alocacoes": alocacoes[:LISTADAS],
        "total_alocacoes": len(alocacoes),
        "motivos": plano.get("motivos", []),
        "alem_do_confirmado": plano.get("alem_do_confirmado", []),
        "linhas_odoo": plano.get("linhas_odoo"),
        "removidas": removidas[:LISTADAS],
        "total_removidas": len(removidas),
        "separacoes_afetadas": separacoes,
        "listadas": LISTADAS,
    }


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
        return request.user.has_perm("carteira.change_alertaseparacaocotada") or request.user.has_perm(PERMISSAO)

    @admin.action(description="Marcar como reconhecido", permissions=["reconhecer"])
    def reconhecer(self, request, queryset):
        total = services.reconhecer_alertas(queryset.values_list("pk", flat=True), request.user.get_username())
        messages.success(request, f"{total} alerta(s) reconhecido(s).")
