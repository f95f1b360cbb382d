from rest_framework import serializers

from core.serializers import ListaDeTextosField, TextoField


class AnalisarSerializer(serializers.Serializer):
    pedidos = ListaDeTextosField(
        child=TextoField(max_length=50),
        required=False,
        allow_empty=False,
        min_length=1,  # the schema's minItems (allow_empty alone does not show there)
        max_length=20000,
        help_text="Números dos pedidos; sem o campo, todos os pedidos em aberto.",
    )


class ProducaoSerializer(serializers.Serializer):
    data = serializers.DateField()
    cod_produto = serializers.CharField()
    qtd_programada = serializers.FloatField()
    linha_producao = serializers.CharField()


class LinhaRupturaSerializer(serializers.Serializer):
    cod_produto = serializers.CharField()
    cod_principal = serializers.CharField()
    nome_produto = serializers.CharField()
    qtd = serializers.FloatField()
    valor = serializers.FloatField()
    estoque_atual = serializers.FloatField()
    menor_estoque_d7 = serializers.FloatField()
    disponivel_hoje = serializers.BooleanField()
    disponivel_em = serializers.DateField(allow_null=True)
    producao = ProducaoSerializer(many=True)


class AnaliseRupturaSerializer(serializers.Serializer):
    num_pedido = serializers.CharField()
    raz_social_red = serializers.CharField()
    pedido_ok = serializers.BooleanField()
    percentual_disponibilidade = serializers.FloatField()
    data_disponibilidade_total = serializers.DateField(allow_null=True)
    criticidade = serializers.ChoiceField(choices=["CRITICA", "ALTA", "MEDIA", "BAIXA"])
    valor_total = serializers.FloatField()
    linhas_em_ruptura = serializers.IntegerField()
    linhas = LinhaRupturaSerializer(many=True)


class JobRupturaSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    total_pedidos = serializers.IntegerField()
    total_lotes = serializers.IntegerField()
    stream = serializers.CharField()
    situacao = serializers.CharField(help_text="Endereço do progresso por consulta (sem stream).")
