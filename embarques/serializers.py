"""The invoicing API's input and output: strict (core.serializers) so the schema is what is enforced."""

from rest_framework import serializers

from core.serializers import QTD_ENTRADA, QTD_SAIDA, QuantidadeField, TextoField
from embarques.models import FaturamentoItem, FaturamentoLote

MAX_ITENS = 500


class ItemFaturadoEntradaSerializer(serializers.Serializer):
    cod_produto = TextoField(max_length=50, help_text="Produto do lote.")
    qtd_faturada = QuantidadeField(
        **QTD_ENTRADA, min_value=0, help_text="Quantidade faturada (0 até a separada, até 3 casas decimais)."
    )


class FaturamentoEntradaSerializer(serializers.Serializer):
    separacao_lote_id = TextoField(max_length=50, help_text="Lote de separação em um embarque ativo, EMBARCADO.")
    nota_fiscal = TextoField(max_length=20, help_text="Número da NF.")
    itens = ItemFaturadoEntradaSerializer(
        many=True,
        required=False,
        max_length=MAX_ITENS,
        help_text="Quantidade faturada por produto; produto do lote fora da lista: a quantidade separada.",
    )

    def validate_itens(self, itens):
        codigos = [i["cod_produto"] for i in itens]
        if len(set(codigos)) != len(codigos):
            raise serializers.ValidationError("Produto repetido na lista de itens.")
        return itens


class CancelamentoEntradaSerializer(serializers.Serializer):
    separacao_lote_id = TextoField(max_length=50, help_text="Lote faturado.")
    nota_fiscal = TextoField(
        max_length=20, required=False, allow_blank=True, help_text="A NF em vigor do lote (conferida quando informada)."
    )


class FaturamentoItemSerializer(serializers.ModelSerializer):
    qtd_separada = serializers.DecimalField(**QTD_SAIDA)
    qtd_faturada = serializers.DecimalField(**QTD_SAIDA)
    qtd_baixada_carteira = serializers.DecimalField(**QTD_SAIDA)

    class Meta:
        model = FaturamentoItem
        fields = ["cod_produto", "num_pedido", "qtd_separada", "qtd_faturada", "qtd_baixada_carteira", "movimentacao"]
        read_only_fields = fields


class FaturamentoSerializer(serializers.ModelSerializer):
    itens = FaturamentoItemSerializer(many=True, read_only=True)

    class Meta:
        model = FaturamentoLote
        fields = [
            "id",
            "separacao_lote_id",
            "num_pedido",
            "nota_fiscal",
            "status",
            "registrado_em",
            "registrado_por",
            "cancelado_em",
            "cancelado_por",
            "itens",
        ]
        read_only_fields = fields


class ResultadoFaturamentoSerializer(serializers.Serializer):
    criado = serializers.BooleanField(help_text="false: a mesma NF já estava registrada para o lote; nada mudou.")
    mensagem = serializers.CharField()
    faturamento = FaturamentoSerializer()
