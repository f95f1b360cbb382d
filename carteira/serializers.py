"""DRF shapes of the order book API: pré-separações, separações and the assembly workspace."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from carteira.models import PreSeparacaoItem, Separacao
from core.serializers import QTD_POSITIVA, QTD_SAIDA, ModelSerializerEstrito, QuantidadeField
from estoque.serializers import StatusEstoqueField

VALOR_SAIDA = {"max_digits": None, "decimal_places": 2, "read_only": True}


class StatusPreSeparacaoField(serializers.ChoiceField):
    """Takes CRIADO or RECOMPOSTO (ENVIADO_SEPARACAO comes only from confirmar); shows any of the three.

    Its request schema lists the two it takes, its response schema the three it shows
    (StatusPreSeparacaoExtension), so a body the schema allows is not refused for its status."""

    default_error_messages = {
        "invalid_choice": "“{input}” não é aceito: use CRIADO ou RECOMPOSTO (ENVIADO_SEPARACAO só pelo endpoint "
        "confirmar)."
    }

    def __init__(self, **kwargs):
        super().__init__(choices=PreSeparacaoItem.ATIVOS, **kwargs)


class StatusPreSeparacaoExtension(OpenApiSerializerFieldExtension):
    target_class = StatusPreSeparacaoField

    def map_serializer_field(self, auto_schema, direction):
        status = PreSeparacaoItem.ATIVOS if direction == "request" else PreSeparacaoItem.Status.values
        return {"type": "string", "enum": list(status)}


class PreSeparacaoSerializer(ModelSerializerEstrito):
    qtd_selecionada_usuario = QuantidadeField(**QTD_POSITIVA, help_text="Quantidade (> 0, até 3 casas decimais).")
    status = StatusPreSeparacaoField(
        required=False,
        help_text="CRIADO (padrão) ou RECOMPOSTO; ENVIADO_SEPARACAO só via confirmar; CANCELADO só pela sincronização.",
    )

    class Meta:
        model = PreSeparacaoItem
        fields = [
            "id",
            "num_pedido",
            "cod_produto",
            "qtd_selecionada_usuario",
            "data_expedicao_editada",
            "data_agendamento_editada",
            "protocolo_editado",
            "observacoes_usuario",
            "status",
            "tipo_envio",
            "criado_em",
            "criado_por",
            "cancelado_em",
        ]
        read_only_fields = ["id", "criado_em", "criado_por", "cancelado_em"]


class PreSeparacaoEdicaoSerializer(PreSeparacaoSerializer):
    """Edits never move a pré-separação to another order line."""

    class Meta(PreSeparacaoSerializer.Meta):
        read_only_fields = ["id", "num_pedido", "cod_produto", "criado_em", "criado_por", "cancelado_em"]


class SeparacaoSerializer(serializers.ModelSerializer):
    qtd_saldo = serializers.DecimalField(**QTD_SAIDA)
    valor_saldo = serializers.DecimalField(**VALOR_SAIDA)
    peso = serializers.DecimalField(**QTD_SAIDA)
    pallet = serializers.DecimalField(**QTD_SAIDA)
    status = serializers.CharField(read_only=True, help_text="ABERTO, COTADO, EMBARCADO, FATURADO ou NF no CD.")
    cancelado_em = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="Preenchido quando a sincronização da carteira cancelou a separação (não conta mais).",
    )

    class Meta:
        model = Separacao
        fields = [
            "id",
            "separacao_lote_id",
            "num_pedido",
            "cod_produto",
            "qtd_saldo",
            "valor_saldo",
            "peso",
            "pallet",
            "expedicao",
            "agendamento",
            "protocolo",
            "tipo_envio",
            "status",
            "numero_nf",
            "sincronizado_nf",
            "criado_em",
            "cancelado_em",
        ]
        read_only_fields = fields


class ConfirmacaoSerializer(serializers.Serializer):
    pre_separacao = PreSeparacaoSerializer()
    separacao = SeparacaoSerializer()


class DiaMiniProjecaoSerializer(serializers.Serializer):
    data = serializers.DateField()
    saldo_final = serializers.DecimalField(**QTD_SAIDA)


class ItemWorkspaceSerializer(serializers.Serializer):
    cod_produto = serializers.CharField()
    nome_produto = serializers.CharField(allow_blank=True)
    cod_principal = serializers.CharField()
    codigos_unificados = serializers.ListField(child=serializers.CharField())
    qtd_pedido = serializers.DecimalField(**QTD_SAIDA, help_text="Quantidade pedida.")
    qtd_saldo_carteira = serializers.DecimalField(**QTD_SAIDA, help_text="Saldo em aberto na carteira.")
    qtd_pre_separada = serializers.DecimalField(**QTD_SAIDA, help_text="Pré-separações CRIADO/RECOMPOSTO.")
    qtd_separada = serializers.DecimalField(**QTD_SAIDA, help_text="Separações ainda não faturadas.")
    qtd_saldo = serializers.DecimalField(
        **QTD_SAIDA, help_text="Saldo livre: saldo da carteira - pré-separado - separado não faturado."
    )
    preco = serializers.DecimalField(**VALOR_SAIDA)
    valor = serializers.DecimalField(**VALOR_SAIDA, help_text="Saldo livre x preço.")
    peso = serializers.DecimalField(**QTD_SAIDA, allow_null=True, help_text="Saldo livre x peso bruto (kg).")
    pallets = serializers.DecimalField(**QTD_SAIDA, allow_null=True, help_text="Saldo livre / palletização.")
    estoque_atual = serializers.DecimalField(**QTD_SAIDA)
    menor_estoque_d7 = serializers.DecimalField(**QTD_SAIDA)
    dia_ruptura = serializers.DateField(allow_null=True)
    status = StatusEstoqueField()
    disponivel_em = serializers.DateField(
        allow_null=True,
        help_text="Primeiro dia de D0..D28 em que o saldo livre pode sair sem quebrar as saídas já "
        "comprometidas (menor saldo final dali até D28 >= saldo livre); nulo se nenhum.",
    )
    projecao = DiaMiniProjecaoSerializer(many=True, help_text="Saldo final do produto em D0..D13.")


class WorkspaceSerializer(serializers.Serializer):
    num_pedido = serializers.CharField()
    data_referencia = serializers.DateField(help_text="D0 (hoje em America/Sao_Paulo).")
    cnpj_cpf = serializers.CharField(allow_blank=True)
    raz_social = serializers.CharField(allow_blank=True)
    raz_social_red = serializers.CharField(allow_blank=True)
    municipio = serializers.CharField(allow_blank=True)
    estado = serializers.CharField(allow_blank=True)
    vendedor = serializers.CharField(allow_blank=True)
    data_pedido = serializers.DateField(allow_null=True)
    data_entrega_pedido = serializers.DateField(allow_null=True)
    valor_saldo = serializers.DecimalField(**VALOR_SAIDA)
    peso_saldo = serializers.DecimalField(**QTD_SAIDA)
    pallets_saldo = serializers.DecimalField(**QTD_SAIDA)
    itens = ItemWorkspaceSerializer(many=True)
    pre_separacoes = PreSeparacaoSerializer(many=True, help_text="Pré-separações ativas do pedido.")
    separacoes = SeparacaoSerializer(many=True, help_text="Separações do pedido ainda não faturadas.")
