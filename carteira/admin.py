"""Operator screens for the order book, pre-separations, separations and lotes (Pedido).

Writes go through carteira.services_admin (the pages' and the API's rules): each form calls the
service from its clean(), so a refusal (free quantity, status, allocations) shows on the form
and nothing is written; deletes and "delete selected" call the services too.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.urls import reverse
from django.utils.html import format_html

from carteira import montagem, services, services_admin
from carteira.models import CarteiraPrincipal, Pedido, PreSeparacaoItem, Separacao
from carteira.resources import CarteiraPrincipalResource
from core.admin import HistoricoAdminMixin, PlanilhaAdmin, SomenteLeituraAdmin


class FormularioPeloServico(forms.ModelForm):
    """A model form whose write is a service call made in clean(): the service's ValidationError
    becomes the form's errors. ModelAdmin.save_model then has nothing left to save."""

    usuario = ""

    def gravar(self, obj):
        raise NotImplementedError

    def clean(self):
        dados = super().clean()
        if self._errors:
            return dados
        obj = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
        try:
            self.instance = self.gravar(obj)
        except ValidationError as erro:
            if hasattr(erro, "error_dict"):
                for campo, lista in erro.message_dict.items():
                    self.add_error(campo if campo in self.fields else None, lista)
            else:
                self.add_error(None, erro.messages)
        return dados


class PeloServicoAdmin(admin.ModelAdmin):
    """Forms, deletes and "delete selected" through services (see FormularioPeloServico)."""

    formulario: type[FormularioPeloServico]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = type("Formulario", (self.formulario,), {"usuario": request.user.get_username()})
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        pass  # written by the service in the form's clean()

    def excluir(self, obj):
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.excluir(obj)

    def delete_queryset(self, request, queryset):
        recusas = []
        for obj in queryset:
            try:
                self.excluir(obj)
            except ValidationError as erro:
                recusas.append(f"{obj}: {' '.join(erro.messages)}")
        for recusa in recusas:
            self.message_user(request, f"Não excluído: {recusa}", messages.ERROR)


class LinhaCarteiraForm(FormularioPeloServico):
    def gravar(self, obj):
        return services_admin.gravar_linha_carteira(obj)


@admin.register(CarteiraPrincipal)
class CarteiraPrincipalAdmin(HistoricoAdminMixin, PeloServicoAdmin, PlanilhaAdmin):
    formulario = LinhaCarteiraForm
    resource_classes = [CarteiraPrincipalResource]
    list_display = (
        "num_pedido",
        "cod_produto",
        "nome_produto",
        "raz_social_red",
        "qtd_produto_pedido",
        "qtd_saldo_produto_pedido",
        "data_pedido",
        "data_entrega_pedido",
        "estado",
        "vendedor",
        "ativo",
        "origem",
    )
    list_filter = ("ativo", "origem", "estado", "equipe_vendas", "status_pedido", "data_entrega_pedido")
    search_fields = (
        "num_pedido",
        "pedido_cliente",
        "cod_produto",
        "nome_produto",
        "raz_social",
        "raz_social_red",
        "cnpj_cpf",
        "municipio",
        "vendedor",
    )
    date_hierarchy = "data_pedido"
    # Odoo lines come from the sync: origin and Odoo id are never typed by hand.
    readonly_fields = ("criado_em", "atualizado_em", "origem", "odoo_line_id")
    show_full_result_count = False
    list_per_page = 100
    fieldsets = (
        (
            "Pedido",
            {
                "fields": (
                    ("num_pedido", "pedido_cliente"),
                    ("data_pedido", "status_pedido"),
                    ("vendedor", "equipe_vendas"),
                    "observ_ped_1",
                )
            },
        ),
        ("Cliente", {"fields": (("cnpj_cpf", "raz_social", "raz_social_red"), ("municipio", "estado"))}),
        (
            "Produto",
            {
                "fields": (
                    ("cod_produto", "nome_produto"),
                    ("qtd_produto_pedido", "qtd_saldo_produto_pedido", "qtd_cancelada_produto_pedido"),
                    ("preco_produto_pedido", "data_entrega_pedido"),
                )
            },
        ),
        (
            "Entrega",
            {
                "classes": ("collapse",),
                "fields": (
                    ("cnpj_endereco_ent", "empresa_endereco_ent"),
                    ("cep_endereco_ent", "nome_cidade", "cod_uf"),
                    ("rua_endereco_ent", "endereco_ent", "bairro_endereco_ent"),
                    "telefone_endereco_ent",
                ),
            },
        ),
        ("Controle", {"fields": (("ativo", "origem", "odoo_line_id"), ("criado_em", "atualizado_em"))}),
    )

    def has_delete_permission(self, request, obj=None):
        # A line holding allocations is not deleted (the service refuses it too).
        if obj is not None and services_admin.tem_alocacao(obj.num_pedido, obj.cod_produto):
            return False
        return super().has_delete_permission(request, obj)

    def excluir(self, obj):
        services_admin.excluir_linha_carteira(obj.pk)


class PreSeparacaoForm(FormularioPeloServico):
    def clean_status(self):
        # The services' words for ENVIADO_SEPARACAO/CANCELADO typed by hand.
        status = self.cleaned_data["status"]
        try:
            services.validar_status(status)
        except ValidationError as erro:
            raise ValidationError(erro.message_dict["status"]) from None
        return status

    def gravar(self, obj):
        return services_admin.gravar_pre_separacao(obj, self.usuario)


@admin.register(PreSeparacaoItem)
class PreSeparacaoItemAdmin(HistoricoAdminMixin, PeloServicoAdmin):
    formulario = PreSeparacaoForm
    list_display = (
        "num_pedido",
        "cod_produto",
        "separacao_lote_id",
        "qtd_selecionada_usuario",
        "data_expedicao_editada",
        "data_agendamento_editada",
        "protocolo_editado",
        "status",
        "tipo_envio",
        "criado_por",
        "criado_em",
        "cancelado_por_sincronizacao",
    )
    list_filter = ("status", "tipo_envio", "data_expedicao_editada")
    search_fields = ("num_pedido", "cod_produto", "=separacao_lote_id", "protocolo_editado", "criado_por")
    date_hierarchy = "data_expedicao_editada"
    # Cancelled only by the carteira sync; lotes are made on the order page (carteira.montagem).
    readonly_fields = ("separacao_lote_id", "criado_em", "criado_por", "cancelado_em", "cancelado_por_sincronizacao")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status not in PreSeparacaoItem.ATIVOS:
            # Confirmed (its separação is the live row now) or cancelled by the sync: kept as it is.
            return [campo.name for campo in obj._meta.fields]
        if obj is not None:
            return (*self.readonly_fields, "num_pedido", "cod_produto")  # an edit never moves it to another line
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status not in PreSeparacaoItem.ATIVOS:
            return False
        return super().has_delete_permission(request, obj)

    def excluir(self, obj):
        services.excluir_pre_separacao(obj.pk)

    actions = ["confirmar"]

    def has_confirmar_permission(self, request):
        return request.user.has_perms(["carteira.change_preseparacaoitem", "carteira.add_separacao"])

    @admin.action(description="Enviar para separação (o lote inteiro, se tiver lote)", permissions=["confirmar"])
    def confirmar(self, request, queryset):
        # The services' confirmations: a lote goes whole (one separação lote), a lone item alone.
        feitos, lotes = 0, set()
        for pre in queryset.filter(status__in=PreSeparacaoItem.ATIVOS).order_by("id"):
            try:
                if pre.separacao_lote_id:
                    if pre.separacao_lote_id in lotes:
                        continue
                    lotes.add(pre.separacao_lote_id)
                    feitos += len(montagem.confirmar_lote(pre.separacao_lote_id))
                else:
                    services.confirmar_pre_separacao(pre.pk)
                    feitos += 1
            except ValidationError as erro:
                self.message_user(request, f"{pre}: {' '.join(erro.messages)}", messages.ERROR)
        self.message_user(request, f"{feitos} pré-separação(ões) enviada(s) para separação.", messages.SUCCESS)


class SeparacaoForm(FormularioPeloServico):
    def gravar(self, obj):
        return services_admin.gravar_separacao(obj)


@admin.register(Separacao)
class SeparacaoAdmin(HistoricoAdminMixin, PeloServicoAdmin):
    formulario = SeparacaoForm
    list_display = (
        "separacao_lote_id",
        "num_pedido",
        "cod_produto",
        "qtd_saldo",
        "valor_saldo",
        "peso",
        "pallet",
        "expedicao",
        "agendamento",
        "status",
        "numero_nf",
        "sincronizado_nf",
        "cancelado_em",
        "cancelado_por_sincronizacao",
    )
    list_filter = (
        "status",
        "sincronizado_nf",
        ("cancelado_em", admin.EmptyFieldListFilter),
        "tipo_envio",
        "expedicao",
    )
    search_fields = ("=separacao_lote_id", "num_pedido", "cod_produto", "numero_nf", "protocolo")
    date_hierarchy = "expedicao"
    # Cancelled only by the carteira sync: kept for the record, out of the forecast.
    readonly_fields = ("criado_em", "cancelado_em", "cancelado_por_sincronizacao")
    show_full_result_count = False
    list_per_page = 100

    def get_readonly_fields(self, request, obj=None):
        # A lote on an embarque or invoiced (or cancelled by the sync) is read-only; the status,
        # NF and lote id are the lifecycle's (the embarques services), never typed here.
        if obj is not None and (obj.cancelado_em is not None or obj.status != Separacao.Status.ABERTO):
            return [campo.name for campo in obj._meta.fields]
        return (*self.readonly_fields, *services_admin.CAMPOS_DO_CICLO)

    def excluir(self, obj):
        services_admin.excluir_separacao(obj.pk)


@admin.register(Pedido)
class PedidoAdmin(SomenteLeituraAdmin):
    """A database view over Separacao: nothing to write here, edit the separações."""

    list_display = (
        "separacao_lote_id",
        "num_pedido",
        "status",
        "expedicao",
        "agendamento",
        "protocolo",
        "numero_nf",
        "qtd_itens",
        "qtd_itens_cancelados",
        "valor_saldo_total",
        "peso_total",
        "pallet_total",
        "separacoes",
    )
    list_filter = ("status", "expedicao")
    search_fields = ("=separacao_lote_id", "num_pedido", "numero_nf", "protocolo")
    date_hierarchy = "expedicao"
    show_full_result_count = False
    list_per_page = 100

    @admin.display(description="separações")
    def separacoes(self, obj):
        url = reverse("admin:carteira_separacao_changelist")
        return format_html('<a href="{}?separacao_lote_id={}">ver itens</a>', url, obj.separacao_lote_id)


from carteira import admin_sincronizacao  # noqa: E402,F401  (registers the sync admin)
from carteira.ruptura import admin as ruptura_admin  # noqa: E402,F401  (registers the ruptura analyses)
