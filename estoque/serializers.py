"""DRF shapes of the real-time stock API: input validation and output documentation.

Quantities are JSON numbers (COERCE_DECIMAL_TO_STRING is off), dates ISO 8601. The
strict input fields every API shares are core.serializers.
"""

from datetime import timedelta
from functools import lru_cache

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import (
    QTD_ENTRADA,
    QTD_SAIDA,
    DataField,
    InteiroField,
    ListaDeTextosField,
    ModelSerializerEstrito,
    QuantidadeField,
    TextoField,
)
from estoque.models import MovimentacaoEstoque
from estoque.projecao import DIAS_D7, DIAS_MAX, Saldos
from estoque.selectors import MAX_PRODUTOS_CONSULTA


def _data(valor):
    return valor.isoformat() if valor else None


def _momento(valor, fuso=None):
    return timezone.localtime(valor, fuso).isoformat() if valor else None


STATUS_ESTOQUE = ["CRITICO", "ATENCAO", "OK"]


# A pattern, not an enum: spectacular names enums by field name and "status" is taken.
@extend_schema_field({"type": "string", "pattern": "^(CRITICO|ATENCAO|OK)$", "description": "CRITICO, ATENCAO ou OK."})
class StatusEstoqueField(serializers.ChoiceField):
    """estoque.projecao.status_projecao: CRITICO below zero in D0..D7, ATENCAO in D8..D28, else OK."""

    def __init__(self, **kwargs):
        super().__init__(choices=STATUS_ESTOQUE, **kwargs)


# ---------------------------------------------------------------- input


class ConsultaSerializer(serializers.Serializer):
    produtos = ListaDeTextosField(
        child=TextoField(max_length=50),
        allow_empty=False,
        min_length=1,  # the schema's minItems (allow_empty alone does not show there)
        max_length=MAX_PRODUTOS_CONSULTA,
        help_text=f"Códigos de produto (qualquer código de um grupo unificado); até {MAX_PRODUTOS_CONSULTA}.",
        error_messages={
            "max_length": (
                f"No máximo {MAX_PRODUTOS_CONSULTA} produtos por consulta. Divida a lista em consultas menores."
            ),
            "empty": "Informe ao menos um código de produto.",
        },
    )
    dias = InteiroField(
        min_value=0, max_value=DIAS_MAX, default=DIAS_D7, help_text="Projeção de D0 até D(dias), 0 a 28."
    )


class DiasD7Serializer(serializers.Serializer):
    dias = serializers.IntegerField(min_value=0, max_value=DIAS_MAX, default=DIAS_D7)


class DiasD28Serializer(serializers.Serializer):
    dias = serializers.IntegerField(min_value=0, max_value=DIAS_MAX, default=DIAS_MAX)


# ---------------------------------------------------------------- output: stock and projection


class DiaProjecaoSerializer(serializers.Serializer):
    data = serializers.DateField()
    saldo_inicial = serializers.DecimalField(**QTD_SAIDA)
    entrada = serializers.DecimalField(**QTD_SAIDA)
    saida = serializers.DecimalField(**QTD_SAIDA)
    saldo_final = serializers.DecimalField(**QTD_SAIDA)


@lru_cache(maxsize=64)
def _isos(primeiro, dias: int) -> tuple[str, ...]:
    """The ISO texts of D0..D(dias) from `primeiro`: every product's projection has the same dates."""
    return tuple((primeiro + timedelta(days=k)).isoformat() for k in range(dias + 1))


def saldos_json(saldos: Saldos, dias: int) -> list[dict]:
    """D0..D(dias) as JSON-ready dicts, straight from the rule's final balances (no DiaProjecao).
    float() is what DRF's encoder would do to each Decimal; a day without movement keeps the
    balance, so its floats are the previous day's (most days: the bulk of a 50-product answer)."""
    entradas, saidas = saldos.entradas, saldos.saidas
    inicial = float(saldos.inicial)
    linhas = []
    for texto, dia, final in zip(_isos(saldos.datas[0], min(dias, len(saldos.datas) - 1)), saldos.datas, saldos.finais):
        entrada = entradas.get(dia)
        saida = saidas.get(dia)
        if entrada is None and saida is None:
            linhas.append(
                {"data": texto, "saldo_inicial": inicial, "entrada": 0.0, "saida": 0.0, "saldo_final": inicial}
            )
            continue
        saldo_final = float(final)
        linhas.append(
            {
                "data": texto,
                "saldo_inicial": inicial,
                "entrada": float(entrada) if entrada else 0.0,
                "saida": float(saida) if saida else 0.0,
                "saldo_final": saldo_final,
            }
        )
        inicial = saldo_final
    return linhas


class EstoqueProdutoSerializer(serializers.Serializer):
    """One product. Context `dias` cuts the projection to D0..D(dias)."""

    cod_produto = serializers.CharField(help_text="O código como foi pedido.")
    cod_principal = serializers.CharField(help_text="Código principal do grupo de unificação.")
    codigos_unificados = serializers.ListField(child=serializers.CharField())
    nome_produto = serializers.CharField()
    estoque_atual = serializers.DecimalField(**QTD_SAIDA)
    menor_estoque_d7 = serializers.DecimalField(**QTD_SAIDA)
    dia_ruptura = serializers.DateField(allow_null=True, help_text="Primeiro dia de D0..D7 com saldo final negativo.")
    status = StatusEstoqueField()
    atualizado_em = serializers.DateTimeField(allow_null=True)
    projecao = DiaProjecaoSerializer(many=True)

    def to_representation(self, p):
        fuso = self.context.get("fuso") or self.context.setdefault("fuso", timezone.get_current_timezone())
        return produto_json(p, self.context.get("dias", DIAS_D7), fuso)


def produto_json(p, dias: int, fuso) -> dict:
    """EstoqueProdutoSerializer's output, built by hand: 50 products x 29 days through
    field-by-field serialization costs more than the whole database read. Same fields as declared there."""
    return {
        "cod_produto": p.cod_produto,
        "cod_principal": p.cod_principal,
        "codigos_unificados": p.codigos_unificados,
        "nome_produto": p.nome_produto,
        "estoque_atual": float(p.estoque_atual),
        "menor_estoque_d7": float(p.menor_estoque_d7),
        "dia_ruptura": _data(p.dia_ruptura),
        "status": p.status,
        "atualizado_em": _momento(p.atualizado_em, fuso),
        "projecao": saldos_json(p.saldos, dias),
    }


def produtos_json(produtos, dias: int) -> list[dict]:
    """EstoqueProdutoSerializer(produtos, many=True).data without the serializer objects. A
    ListSerializer and its child point at each other, and so does the ReturnList its .data gives:
    the products and their projections (1,450 objects for 50 products) stayed alive until the
    cyclic garbage collector ran, instead of being freed when the request ends."""
    fuso = timezone.get_current_timezone()
    return [produto_json(p, dias, fuso) for p in produtos]


class ConsultaRespostaSerializer(serializers.Serializer):
    produtos = EstoqueProdutoSerializer(many=True)
    nao_encontrados = serializers.ListField(child=serializers.CharField())


class RupturaSerializer(serializers.Serializer):
    cod_produto = serializers.CharField(help_text="Código principal.")
    nome_produto = serializers.CharField()
    codigos_unificados = serializers.ListField(child=serializers.CharField())
    estoque_atual = serializers.DecimalField(**QTD_SAIDA)
    menor_estoque = serializers.DecimalField(**QTD_SAIDA, help_text="Menor saldo final em D0..D(dias).")
    dia_ruptura = serializers.DateField(help_text="Primeiro dia de D0..D(dias) com saldo final negativo.")
    dias_ate_ruptura = serializers.IntegerField()
    status = StatusEstoqueField()


class RupturasPaginadasSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RupturaSerializer(many=True)


class ReparoSerializer(serializers.Serializer):
    cod_produto = serializers.CharField()
    campo = serializers.CharField()
    antes = serializers.CharField(allow_blank=True)
    depois = serializers.CharField(allow_blank=True)


class ExecucaoSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    origem = serializers.CharField()
    iniciado_em = serializers.DateTimeField()
    finalizado_em = serializers.DateTimeField(allow_null=True)
    produtos_verificados = serializers.IntegerField()
    produtos_corrigidos = serializers.IntegerField()
    simulacao = serializers.BooleanField()
    erro = serializers.CharField(allow_blank=True)


class UltimaReconciliacaoSerializer(serializers.Serializer):
    execucao = ExecucaoSerializer()
    total_reparos = serializers.IntegerField()
    reparos = ReparoSerializer(many=True, help_text="Até 100 diferenças encontradas (e corrigidas).")


class PorStatusSerializer(serializers.Serializer):
    CRITICO = serializers.IntegerField()
    ATENCAO = serializers.IntegerField()
    OK = serializers.IntegerField()


class EstatisticasSerializer(serializers.Serializer):
    data_referencia = serializers.DateField(help_text="D0 (hoje em America/Sao_Paulo).")
    total_produtos = serializers.IntegerField(help_text="Produtos (códigos principais) com estoque calculado.")
    por_status = PorStatusSerializer()
    em_ruptura_d7 = serializers.IntegerField()
    em_ruptura_d28 = serializers.IntegerField()
    estoque_negativo = serializers.IntegerField(help_text="Produtos com estoque atual abaixo de zero.")
    ultima_reconciliacao = UltimaReconciliacaoSerializer(allow_null=True)


class AlteracaoSerializer(serializers.Serializer):
    campo = serializers.CharField()
    antes = serializers.CharField(allow_blank=True)
    depois = serializers.CharField(allow_blank=True)


class RecalculoSerializer(serializers.Serializer):
    cod_produto = serializers.CharField()
    cod_principal = serializers.CharField()
    execucao = ExecucaoSerializer()
    corrigido = serializers.BooleanField(help_text="Havia diferença entre o estoque derivado e as fontes.")
    alteracoes = AlteracaoSerializer(many=True)
    produto = EstoqueProdutoSerializer()


# ---------------------------------------------------------------- movements


class MovimentacaoSerializer(ModelSerializerEstrito):
    qtd_movimentacao = QuantidadeField(
        **QTD_ENTRADA, help_text="Diferente de zero, até 3 casas decimais; o sinal segue o tipo."
    )
    data_movimentacao = DataField(required=False, help_text="Padrão: hoje.")

    class Meta:
        model = MovimentacaoEstoque
        fields = [
            "id",
            "cod_produto",
            "nome_produto",
            "data_movimentacao",
            "tipo_movimentacao",
            "qtd_movimentacao",
            "local_movimentacao",
            "observacao",
            "separacao_lote_id",
            "numero_nf",
            "num_pedido",
            "ativo",
            "criado_em",
            "criado_por",
            "atualizado_em",
            "atualizado_por",
        ]
        read_only_fields = ["id", "nome_produto", "ativo", "criado_em", "criado_por", "atualizado_em", "atualizado_por"]
        extra_kwargs = {
            "cod_produto": {"help_text": "Código cadastrado (palletização) ou de um grupo de unificação."},
            "tipo_movimentacao": {
                "help_text": "ENTRADA/PRODUCAO: quantidade > 0; SAIDA/FATURAMENTO: < 0; AJUSTE: ≠ 0."
            },
        }
