"""DRF shapes of the stock screens' API: the Saldo de estoque list, a product's composição and the
changes since an instant (the polling alternative to the event stream). Quantities are JSON
numbers, dates ISO 8601, like estoque.serializers."""

from rest_framework import serializers

from core.serializers import QTD_SAIDA
from estoque.projecao import ROTULOS_STATUS
from estoque.serializers import DiaProjecaoSerializer, StatusEstoqueField, _data, _momento

# ---------------------------------------------------------------- Saldo de estoque (list) and composição


class SaldoParametrosSerializer(serializers.Serializer):
    """Paging of the list (the filters are estoque.filtros.SaldoEstoqueFilter)."""

    page = serializers.IntegerField(min_value=1, default=1, help_text="Página (1, 2, ...).")
    page_size = serializers.IntegerField(
        min_value=1, max_value=500, default=50, help_text="Itens por página (até 500)."
    )


class LinhaSaldoSerializer(serializers.Serializer):
    """One product group of the list. The domain quantities are null when the user may not see them."""

    cod_produto = serializers.CharField(help_text="Código principal do grupo.")
    codigos_unificados = serializers.ListField(child=serializers.CharField())
    nome_produto = serializers.CharField()
    linha_producao = serializers.CharField()
    categoria = serializers.CharField()
    estoque_atual = serializers.DecimalField(**QTD_SAIDA, help_text="Estoque D0 (agora).")
    menor_estoque_d7 = serializers.DecimalField(**QTD_SAIDA)
    dia_ruptura = serializers.DateField(allow_null=True, help_text="Primeiro dia de D0..D28 com saldo final negativo.")
    dias_ate_ruptura = serializers.IntegerField(allow_null=True, help_text="n de D+n do dia de ruptura.")
    em_carteira = serializers.DecimalField(
        **QTD_SAIDA, allow_null=True, help_text="Pedido e ainda não alocado (null: sem permissão)."
    )
    em_pre_separacao = serializers.DecimalField(**QTD_SAIDA, allow_null=True)
    em_separacao = serializers.DecimalField(**QTD_SAIDA, allow_null=True, help_text="Separações não faturadas.")
    producao_prevista = serializers.DecimalField(**QTD_SAIDA, help_text="Produção de D0 a D28.")
    disponivel = serializers.DecimalField(**QTD_SAIDA, help_text="Menor saldo projetado de D0 a D28.")
    status = StatusEstoqueField()
    status_rotulo = serializers.CharField(help_text="CRÍTICO, ATENÇÃO ou OK.")
    atualizado_em = serializers.DateTimeField(allow_null=True)

    def to_representation(self, linha):
        alocacoes = linha.alocacoes
        return {
            "cod_produto": linha.cod_produto,
            "codigos_unificados": linha.codigos_unificados,
            "nome_produto": linha.nome_produto,
            "linha_producao": linha.linha_producao,
            "categoria": linha.categoria,
            "estoque_atual": float(linha.estoque_atual),
            "menor_estoque_d7": float(linha.menor_estoque_d7),
            "dia_ruptura": _data(linha.dia_ruptura),
            "dias_ate_ruptura": linha.dias_ate_ruptura,
            "em_carteira": _float(alocacoes.get("carteira")),
            "em_pre_separacao": _float(alocacoes.get("pre_separacao")),
            "em_separacao": _float(alocacoes.get("separacao")),
            "producao_prevista": float(linha.producao_prevista),
            "disponivel": float(linha.disponivel),
            "status": linha.status,
            "status_rotulo": linha.status_rotulo,
            "atualizado_em": _momento(linha.atualizado_em),
        }


def _float(valor):
    return None if valor is None else float(valor)


class SaldoPaginaSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    page_size = serializers.IntegerField()
    ordem = serializers.CharField(help_text="A ordem aplicada (chave, ou -chave decrescente).")
    data_referencia = serializers.DateField(help_text="D0 (hoje em America/Sao_Paulo).")
    results = LinhaSaldoSerializer(many=True)


class OrigemSerializer(serializers.Serializer):
    chave = serializers.CharField()
    titulo = serializers.CharField()
    tipo = serializers.ChoiceField(choices=["entrada", "saida"])
    colunas = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))


class ItemComposicaoSerializer(serializers.Serializer):
    origem = serializers.CharField(help_text="producao, pre_separacao ou separacao.")
    cod_produto = serializers.CharField(help_text="O código da linha (qualquer código do grupo).")
    data = serializers.DateField(help_text="A data da própria linha (uma saída atrasada conta em D0).")
    qtd = serializers.DecimalField(**QTD_SAIDA)
    atrasada = serializers.BooleanField()
    detalhes = serializers.DictField(child=serializers.CharField(allow_blank=True))


class DiaComposicaoSerializer(DiaProjecaoSerializer):
    d = serializers.IntegerField(help_text="n de D+n.")
    linhas = ItemComposicaoSerializer(many=True)


class ComposicaoSerializer(serializers.Serializer):
    """The projection D0..D(dias) and, per day, the source rows behind its entrada and saída."""

    cod_produto = serializers.CharField()
    cod_principal = serializers.CharField()
    codigos_unificados = serializers.ListField(child=serializers.CharField())
    nome_produto = serializers.CharField()
    data_referencia = serializers.DateField()
    estoque_atual = serializers.DecimalField(**QTD_SAIDA)
    menor_estoque_d7 = serializers.DecimalField(**QTD_SAIDA)
    dia_ruptura = serializers.DateField(allow_null=True, help_text="Primeiro dia de D0..D28 com saldo final negativo.")
    disponivel = serializers.DecimalField(**QTD_SAIDA, help_text="Menor saldo projetado de D0 a D28.")
    status = StatusEstoqueField()
    status_rotulo = serializers.CharField()
    atualizado_em = serializers.DateTimeField(allow_null=True)
    origens = OrigemSerializer(many=True, help_text="As origens cujas linhas vêm em cada dia.")
    origens_ocultas = OrigemSerializer(
        many=True, help_text="Origens sem permissão de leitura: suas linhas não vêm (os totais do dia, sim)."
    )
    dias = DiaComposicaoSerializer(many=True)

    def to_representation(self, comp):
        produto = comp.produto
        resumo = self.context["resumo"]
        return {
            "cod_produto": produto.cod_produto,
            "cod_principal": produto.cod_principal,
            "codigos_unificados": produto.codigos_unificados,
            "nome_produto": produto.nome_produto,
            "data_referencia": _data(comp.hoje),
            "estoque_atual": float(produto.estoque_atual),
            "menor_estoque_d7": float(produto.menor_estoque_d7),
            "dia_ruptura": _data(resumo.dia_ruptura_d28),
            "disponivel": float(resumo.menor_estoque_d28),
            "status": resumo.status,
            "status_rotulo": ROTULOS_STATUS[resumo.status],
            "atualizado_em": _momento(produto.atualizado_em),
            "origens": [_origem(origem) for origem in comp.origens],
            "origens_ocultas": [_origem(origem) for origem in comp.ocultas],
            "dias": [_dia_composicao(dia) for dia in comp.dias],
        }


def _origem(origem) -> dict:
    return {
        "chave": origem.chave,
        "titulo": origem.titulo,
        "tipo": origem.tipo,
        "colunas": [list(coluna) for coluna in origem.colunas],
    }


def _dia_composicao(dia) -> dict:
    d = dia.dia
    return {
        "data": _data(d.data),
        "d": dia.indice,
        "saldo_inicial": float(d.saldo_inicial),
        "entrada": float(d.entrada),
        "saida": float(d.saida),
        "saldo_final": float(d.saldo_final),
        "linhas": [
            {
                "origem": item.origem,
                "cod_produto": item.cod_produto,
                "data": _data(item.data),
                "qtd": float(item.qtd),
                "atrasada": item.atrasada,
                "detalhes": {chave: "" if valor is None else str(valor) for chave, valor in item.detalhes.items()},
            }
            for itens in dia.itens.values()
            for item in itens
        ],
    }
