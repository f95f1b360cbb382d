"""DRF shapes of the production schedule API."""

from rest_framework import serializers

from core.serializers import QTD_POSITIVA, DataField, ModelSerializerEstrito, QuantidadeField, TextoField
from producao.models import ProgramacaoProducao


class ProgramacaoSerializer(ModelSerializerEstrito):
    qtd_programada = QuantidadeField(**QTD_POSITIVA, help_text="Quantidade (> 0, até 3 casas decimais).")

    class Meta:
        model = ProgramacaoProducao
        fields = [
            "id",
            "cod_produto",
            "nome_produto",
            "data_programacao",
            "qtd_programada",
            "linha_producao",
            "cliente_produto",
            "observacao_pcp",
        ]
        read_only_fields = ["id", "nome_produto"]


class FiltroProgramacaoSerializer(serializers.Serializer):
    cod_produto = TextoField(required=False, max_length=50)
    de = DataField(required=False)
    ate = DataField(required=False)


class ProgramacoesPaginadasSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ProgramacaoSerializer(many=True)
