"""Operator screens for estoque.

Source tables are edited here through Model.save()/QuerySet writes, which carry the
derivation engine (estoque.fontes). Derived tables are written only by estoque.services:
in the admin they are read-only (core.admin's bases).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from core.admin import HistoricoAdminMixin, PlanilhaAdmin, SomenteLeituraAdmin, SomenteLeituraTabularInline
from core.trabalhos import ErroTrabalho
from core.trabalhos import servico as trabalhos_servico
from estoque import trabalhos
from estoque.models import (
    AlertaRuptura,
    CadastroPalletizacao,
    CodigoUnificado,
    CursorReconciliacao,
    EstadoRuptura,
    EstoqueTempoReal,
    LoteFaturado,
    MovimentacaoEstoque,
    MovimentacaoPrevista,
    ReconciliacaoExecucao,
    ReparoEstoque,
    UnificacaoCodigos,
)
from estoque.resources import CadastroPalletizacaoResource, MovimentacaoEstoqueResource
from estoque.services import alertas, operacoes

# ---------------------------------------------------------------- sources


@admin.register(MovimentacaoEstoque)
class MovimentacaoEstoqueAdmin(HistoricoAdminMixin, PlanilhaAdmin):
    resource_classes = [MovimentacaoEstoqueResource]
    importacao_tipo = "movimentacoes"
    list_display = (
        "data_movimentacao",
        "tipo_movimentacao",
        "cod_produto",
        "nome_produto",
        "qtd_movimentacao",
        "local_movimentacao",
        "ativo",
        "numero_nf",
        "num_pedido",
        "separacao_lote_id",
    )
    list_filter = ("tipo_movimentacao", "ativo", "local_movimentacao", "data_movimentacao")
    search_fields = ("cod_produto", "nome_produto", "numero_nf", "num_pedido", "separacao_lote_id", "observacao")
    date_hierarchy = "data_movimentacao"
    readonly_fields = ("criado_em", "criado_por", "atualizado_em", "atualizado_por")
    show_full_result_count = False  # a big table: no extra COUNT(*) per page
    list_per_page = 100
    actions = ("cancelar", "reativar")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("cod_produto", "nome_produto"),
                    ("data_movimentacao", "tipo_movimentacao"),
                    ("qtd_movimentacao", "local_movimentacao"),
                    "ativo",
                    "observacao",
                )
            },
        ),
        ("Origem", {"fields": (("numero_nf", "num_pedido", "separacao_lote_id"),)}),
        ("Auditoria", {"fields": (("criado_em", "criado_por"), ("atualizado_em", "atualizado_por"))}),
    )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.criado_por = request.user.get_username()
        obj.atualizado_por = request.user.get_username()
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        # A movement is cancelled (the action), not switched off in the form; one another app owns
        # (an invoiced lote's exit) is changed only by that app's service.
        if obj is not None and operacoes.motivos_vinculo([obj.pk]):
            return [campo.name for campo in self.model._meta.fields]
        return (*self.readonly_fields, "ativo") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        # The ledger is never deleted but by a superuser: operators cancel (ativo=False).
        return request.user.is_active and request.user.is_superuser

    def _por_servico(self, request, queryset, funcao, feito: str):
        usuario = request.user.get_username()[:100]
        feitos = 0
        for pk in queryset.values_list("pk", flat=True):
            try:
                funcao(pk, usuario)
                feitos += 1
            except ValidationError as erro:
                for mensagem in erro.messages:
                    self.message_user(request, f"Movimentação {pk}: {mensagem}", messages.ERROR)
        self.message_user(request, f"{feitos} movimentação(ões) {feito}.", messages.SUCCESS)

    @admin.action(description="Cancelar movimentação", permissions=["change"])
    def cancelar(self, request, queryset):
        # The service: ativo=False (never deleted), the stock delta in the same transaction.
        self._por_servico(request, queryset.filter(ativo=True), operacoes.cancelar_movimentacao, "cancelada(s)")

    @admin.action(description="Reativar movimentação", permissions=["change"])
    def reativar(self, request, queryset):
        self._por_servico(request, queryset.filter(ativo=False), operacoes.reativar_movimentacao, "reativada(s)")


@admin.register(UnificacaoCodigos)
class UnificacaoCodigosAdmin(HistoricoAdminMixin, admin.ModelAdmin):
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
        "iniciado_em",
        "finalizado_em",
        "origem",
        "produtos_verificados",
        "produtos_corrigidos",
        "simulacao",
        "catalogo_inteiro",
        "cursor_inicio",
        "cursor_fim",
        "observacao",
        "com_erro",
    )
    list_filter = ("origem", "simulacao", "catalogo_inteiro", "iniciado_em")
    search_fields = ("erro", "cursor_inicio", "cursor_fim")
    date_hierarchy = "iniciado_em"
    inlines = (ReparoEstoqueInline,)
    change_list_template = "admin/estoque/reconciliacaoexecucao/change_list.html"

    class Media:
        css = {"all": ("css/admin.css",)}  # the buttons' classes (Content-Security-Policy: no style=)

    # "Reconstruir agora" and "Reconciliar agora": background jobs (estoque.trabalhos), for
    # users with estoque.change_reconciliacaoexecucao.
    def pode_manter(self, request) -> bool:
        return request.user.has_perm(trabalhos.PERMISSAO)

    def get_urls(self):
        nome = f"{self.model._meta.app_label}_{self.model._meta.model_name}"
        return [
            path("reconstruir/", self.admin_site.admin_view(self.reconstruir_view), name=f"{nome}_reconstruir"),
            path("reconciliar/", self.admin_site.admin_view(self.reconciliar_view), name=f"{nome}_reconciliar"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "pode_manter": self.pode_manter(request)}
        return super().changelist_view(request, extra_context)

    def _iniciar(self, request, tipo: str, texto: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.pode_manter(request):
            raise PermissionDenied
        try:
            trabalho = trabalhos_servico.iniciar(tipo, request.user)
        except trabalhos_servico.TrabalhoEmAndamento as erro:
            messages.warning(request, str(erro))
            return HttpResponseRedirect(reverse("trabalhos:detalhe", args=[erro.trabalho.pk]))
        except ErroTrabalho as erro:
            messages.error(request, f"{texto} não iniciada: {erro}")
            return HttpResponseRedirect(reverse("admin:estoque_reconciliacaoexecucao_changelist"))
        messages.info(request, f"{texto} iniciada em segundo plano: acompanhe o progresso abaixo.")
        return HttpResponseRedirect(reverse("trabalhos:detalhe", args=[trabalho.pk]))

    def reconstruir_view(self, request):
        return self._iniciar(request, trabalhos.RECONSTRUIR, "Reconstrução do estoque")

    def reconciliar_view(self, request):
        return self._iniciar(request, trabalhos.RECONCILIAR, "Reconciliação do estoque")

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
class CadastroPalletizacaoAdmin(HistoricoAdminMixin, PlanilhaAdmin):
    resource_classes = [CadastroPalletizacaoResource]
    importacao_tipo = "cadastro"
    list_display = (
        "cod_produto",
        "nome_produto",
        "palletizacao",
        "peso_bruto",
        "categoria",
        "subcategoria",
        "linha_producao",
        "ativo",
    )
    list_filter = ("ativo", "categoria", "subcategoria", "linha_producao")
    search_fields = ("cod_produto", "nome_produto", "categoria", "subcategoria")
    list_per_page = 100


# ---------------------------------------------------------------- ruptura alerts (history)


@admin.register(AlertaRuptura)
class AlertaRupturaAdmin(SomenteLeituraAdmin):
    actions = ["reconhecer"]
    list_display = (
        "cod_produto",
        "tipo",
        "dia_ruptura",
        "dia_ruptura_anterior",
        "menor_estoque_d7",
        "criado_em",
        "reconhecido",
        "reconhecido_por",
        "reconhecido_em",
    )
    list_filter = ("reconhecido", "tipo")
    search_fields = ("=cod_produto", "reconhecido_por")
    date_hierarchy = "criado_em"
    show_full_result_count = False

    def has_reconhecer_permission(self, request):
        return request.user.has_perm("estoque.reconhecer_alertaruptura")

    @admin.action(description="Marcar como reconhecido", permissions=["reconhecer"])
    def reconhecer(self, request, queryset):
        total = alertas.reconhecer(queryset.values_list("pk", flat=True), request.user.get_username())
        messages.success(request, f"{total} alerta(s) de ruptura reconhecido(s).")


@admin.register(EstadoRuptura)
class EstadoRupturaAdmin(SomenteLeituraAdmin):
    """The last ruptura day the alert detection saw per product (what "already announced" means)."""

    list_display = ("cod_produto", "dia_ruptura", "atualizado_em")
    search_fields = ("=cod_produto",)
    show_full_result_count = False
