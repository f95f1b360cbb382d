"""Operator screens for truck loads and their invoices. Every write goes through the services
(embarques.services, embarques.faturamento): the admin cannot skip a rule. Nothing here is deleted
by hand (a deleted embarque would take its items, and with them an invoice, along): lotes leave an
embarque by "Remover", embarques are cancelled, NFs are cancelled."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse

from core.admin import HistoricoAdminMixin, SomenteLeituraAdmin
from embarques import faturamento, services
from embarques.models import Embarque, EmbarqueItem, FaturamentoItem, FaturamentoLote
from embarques.selectors import produtos_do_lote
from embarques.views import quantidades_do_post


def _mensagens(erro: ValidationError) -> list[str]:
    if hasattr(erro, "error_dict"):
        return [m for lista in erro.message_dict.values() for m in lista]
    return list(erro.messages)


def _para_cada(model_admin, request, objetos, funcao, sucesso: str):
    feitos = 0
    for obj in objetos:
        try:
            funcao(obj)
            feitos += 1
        except ValidationError as erro:
            for mensagem in _mensagens(erro):
                model_admin.message_user(request, f"{obj}: {mensagem}", messages.ERROR)
    if feitos:
        model_admin.message_user(request, sucesso.format(feitos), messages.SUCCESS)


class _Simulacao(Exception):
    """Rolls back a service run made only to validate an admin form."""


def validar_pelo_servico(funcao):
    """Run the service in a savepoint rolled back at once: its ValidationError becomes the form's."""
    try:
        with transaction.atomic():
            funcao()
            raise _Simulacao
    except _Simulacao:
        pass
    except ValidationError as erro:
        raise forms.ValidationError(_mensagens(erro)) from None


class EmbarqueItemInline(admin.TabularInline):
    model = EmbarqueItem
    extra = 0
    fields = ("separacao_lote_id", "num_pedido", "cliente", "nota_fiscal", "status", "erro_validacao")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Embarque)
class EmbarqueAdmin(HistoricoAdminMixin, admin.ModelAdmin):
    list_display = ("numero", "data_prevista_embarque", "data_embarque", "transportadora", "status", "qtd_itens")
    list_filter = ("status", "data_prevista_embarque", "data_embarque")
    search_fields = ("=numero", "transportadora", "itens__separacao_lote_id", "itens__nota_fiscal")
    date_hierarchy = "data_prevista_embarque"
    fields = ("numero", "transportadora", "data_prevista_embarque", "data_embarque", "status", "criado_em")
    inlines = (EmbarqueItemInline,)
    actions = ("marcar_embarcado", "cancelar_embarques")

    def get_readonly_fields(self, request, obj=None):
        # Status and ship date change only by the actions (services); the number never changes.
        return ("numero", "data_embarque", "status", "criado_em") if obj else ("data_embarque", "status", "criado_em")

    def get_queryset(self, request):
        # GROUP BY drops Meta.ordering: order again, or the autocomplete pages an unordered list.
        return super().get_queryset(request).annotate(_qtd_itens=Count("itens", distinct=True)).order_by("-numero")

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)  # transportadora and forecast date only
            return
        criado = services.criar_embarque(
            numero=obj.numero, transportadora=obj.transportadora, data_prevista_embarque=obj.data_prevista_embarque
        )
        obj.pk, obj.criado_em, obj._state.adding = criado.pk, criado.criado_em, False

    @admin.display(description="itens", ordering="_qtd_itens")
    def qtd_itens(self, obj):
        return obj._qtd_itens

    @admin.action(description="Marcar como embarcado (hoje)", permissions=["change"])
    def marcar_embarcado(self, request, queryset):
        _para_cada(self, request, queryset, lambda e: services.marcar_embarcado(e.pk), "{} embarque(s) embarcado(s).")

    @admin.action(description="Cancelar embarques (lotes voltam a ABERTO)", permissions=["change"])
    def cancelar_embarques(self, request, queryset):
        _para_cada(self, request, queryset, lambda e: services.cancelar_embarque(e.pk), "{} embarque(s) cancelado(s).")


class EmbarqueItemAddForm(forms.ModelForm):
    class Meta:
        model = EmbarqueItem
        fields = ("embarque", "separacao_lote_id")

    def clean(self):
        dados = super().clean()
        embarque, lote = dados.get("embarque"), dados.get("separacao_lote_id")
        if embarque is not None and lote:
            validar_pelo_servico(lambda: services.adicionar_lote(embarque.pk, lote))
        return dados


@admin.register(EmbarqueItem)
class EmbarqueItemAdmin(HistoricoAdminMixin, admin.ModelAdmin):
    list_display = ("embarque", "separacao_lote_id", "num_pedido", "cliente", "nota_fiscal", "status", "faturado")
    list_filter = ("status", "embarque__status")
    search_fields = ("separacao_lote_id", "num_pedido", "cliente", "nota_fiscal", "=embarque__numero")
    list_select_related = ("embarque",)
    autocomplete_fields = ("embarque",)
    actions = ("remover_lotes", "registrar_nf")
    CAMPOS = ("embarque", "separacao_lote_id", "num_pedido", "cliente", "nota_fiscal", "status", "erro_validacao")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EmbarqueItemAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.CAMPOS if obj else ("embarque", "separacao_lote_id")

    def get_readonly_fields(self, request, obj=None):
        # An item changes only through the services (remove, register/cancel the NF).
        return self.CAMPOS if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field is read-only
        criado = services.adicionar_lote(obj.embarque_id, obj.separacao_lote_id)
        obj.pk, obj._state.adding = criado.pk, False
        obj.num_pedido, obj.cliente, obj.erro_validacao = criado.num_pedido, criado.cliente, criado.erro_validacao

    @admin.display(boolean=True, description="faturado")
    def faturado(self, obj):
        return obj.faturamento_vinculado

    @admin.action(description="Remover lotes do embarque (voltam a ABERTO)", permissions=["change"])
    def remover_lotes(self, request, queryset):
        _para_cada(self, request, queryset, lambda i: services.remover_lote(i.pk), "{} lote(s) removido(s).")

    def has_faturar_permission(self, request):
        return request.user.has_perm("embarques.add_faturamentolote")

    @admin.action(description="Registrar NF do lote", permissions=["faturar"])
    def registrar_nf(self, request, queryset):
        """An intermediate page asks the NF and the quantities; the page's POST runs the service."""
        itens = list(queryset[:2])
        if len(itens) != 1:
            self.message_user(request, "Selecione um lote por vez para registrar a NF.", messages.ERROR)
            return None
        item = itens[0]
        if request.POST.get("confirmar"):
            try:
                resultado = faturamento.registrar_faturamento(
                    separacao_lote_id=item.separacao_lote_id,
                    nota_fiscal=request.POST.get("nota_fiscal", ""),
                    quantidades=quantidades_do_post(request.POST),
                    usuario=request.user.get_username(),
                )
            except ValidationError as erro:
                for mensagem in _mensagens(erro):
                    self.message_user(request, mensagem, messages.ERROR)
                return None
            self.message_user(request, resultado.mensagem, messages.SUCCESS if resultado.criado else messages.INFO)
            return None
        self.message_user(request, f"Informe a NF do lote {item.separacao_lote_id}.", messages.INFO)
        contexto = {
            **self.admin_site.each_context(request),
            "title": "Registrar NF",
            "item": item,
            "produtos": produtos_do_lote(item.separacao_lote_id),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/embarques/registrar_nf.html", contexto)


class FaturamentoItemInline(admin.TabularInline):
    model = FaturamentoItem
    extra = 0
    fields = ("cod_produto", "num_pedido", "qtd_separada", "qtd_faturada", "qtd_baixada_carteira", "movimentacao")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FaturamentoLote)
class FaturamentoLoteAdmin(admin.ModelAdmin):
    list_display = ("nota_fiscal", "separacao_lote_id", "num_pedido", "status", "registrado_em", "registrado_por")
    list_filter = ("status",)
    search_fields = ("nota_fiscal", "separacao_lote_id", "num_pedido")
    fields = (
        "item",
        "separacao_lote_id",
        "num_pedido",
        "nota_fiscal",
        "status",
        ("registrado_em", "registrado_por"),
        ("cancelado_em", "cancelado_por"),
    )
    readonly_fields = (
        "item",
        "separacao_lote_id",
        "num_pedido",
        "nota_fiscal",
        "status",
        "registrado_em",
        "registrado_por",
        "cancelado_em",
        "cancelado_por",
    )
    inlines = (FaturamentoItemInline,)
    actions = ("cancelar_nf",)

    def has_add_permission(self, request):
        return False  # registered from the embarques page, the API or the import

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancelar NF (estorna estoque e carteira)", permissions=["change"])
    def cancelar_nf(self, request, queryset):
        usuario = request.user.get_username()
        _para_cada(
            self,
            request,
            queryset.filter(status=FaturamentoLote.Status.ATIVO),
            lambda fat: faturamento.cancelar_faturamento(
                separacao_lote_id=fat.separacao_lote_id, nota_fiscal=fat.nota_fiscal, usuario=usuario
            ),
            "{} NF(s) cancelada(s).",
        )


@admin.register(FaturamentoItem)
class FaturamentoItemAdmin(SomenteLeituraAdmin):
    list_display = ("faturamento", "cod_produto", "num_pedido", "qtd_separada", "qtd_faturada", "qtd_baixada_carteira")
    search_fields = ("cod_produto", "num_pedido", "faturamento__nota_fiscal", "faturamento__separacao_lote_id")
    list_select_related = ("faturamento",)
