"""Operator screens for the order book, pre-separations, separations and lotes (Pedido)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from carteira.models import CarteiraPrincipal, Pedido, PreSeparacaoItem, Separacao
from carteira.resources import CarteiraPrincipalResource
from core.admin import ImportacaoAdmin, SomenteLeituraAdmin


@admin.register(CarteiraPrincipal)
class CarteiraPrincipalAdmin(ImportacaoAdmin):
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
    readonly_fields = ("criado_em", "atualizado_em")
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


@admin.register(PreSeparacaoItem)
class PreSeparacaoItemAdmin(admin.ModelAdmin):
    list_display = (
        "num_pedido",
        "cod_produto",
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
    search_fields = ("num_pedido", "cod_produto", "protocolo_editado", "criado_por")
    date_hierarchy = "data_expedicao_editada"
    # Cancelled only by the carteira sync (PreSeparacaoItem.clean refuses CANCELADO by hand).
    readonly_fields = ("criado_em", "cancelado_em", "cancelado_por_sincronizacao")


@admin.register(Separacao)
class SeparacaoAdmin(admin.ModelAdmin):
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
