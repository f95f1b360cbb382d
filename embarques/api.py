"""Invoicing API: register and cancel a lote's NF (the same service as the page, import and admin)."""

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.api import ERROS_ESCRITA, APIBase, validar
from embarques import faturamento
from embarques.serializers import (
    CancelamentoEntradaSerializer,
    FaturamentoEntradaSerializer,
    FaturamentoSerializer,
    ResultadoFaturamentoSerializer,
)
from estoque.api import EXEMPLO_COD

REGISTRAR = ("embarques.add_faturamentolote",)
CANCELAR = ("embarques.change_faturamentolote",)


class FaturamentoAPI(APIBase):
    permissoes = {"POST": REGISTRAR}

    @extend_schema(
        operation_id="embarques_faturamento_registrar",
        request=FaturamentoEntradaSerializer,
        examples=[
            OpenApiExample(
                "parcial",
                value={
                    "separacao_lote_id": "L1",
                    "nota_fiscal": "12345",
                    "itens": [{"cod_produto": EXEMPLO_COD, "qtd_faturada": 10}],
                },
                request_only=True,
            )
        ],
        responses={201: ResultadoFaturamentoSerializer, 200: ResultadoFaturamentoSerializer, **ERROS_ESCRITA},
        description="Registra a NF de um lote embarcado: baixa o estoque (movimentação FATURAMENTO por produto), "
        "tira a saída prevista, baixa o saldo da carteira e marca as separações FATURADO, numa transação. "
        "201: registrada agora; 200: a mesma NF já estava registrada para o lote (nada mudou).",
    )
    def post(self, request):
        dados = validar(FaturamentoEntradaSerializer, request.data)
        itens = dados.get("itens")
        quantidades = {i["cod_produto"]: i["qtd_faturada"] for i in itens} if itens else None
        resultado = faturamento.registrar_faturamento(
            separacao_lote_id=dados["separacao_lote_id"],
            nota_fiscal=dados["nota_fiscal"],
            quantidades=quantidades,
            usuario=self.usuario(),
        )
        corpo = {
            "criado": resultado.criado,
            "mensagem": resultado.mensagem,
            "faturamento": FaturamentoSerializer(resultado.faturamento).data,
        }
        return Response(corpo, status=status.HTTP_201_CREATED if resultado.criado else status.HTTP_200_OK)


class CancelarFaturamentoAPI(APIBase):
    permissoes = {"POST": CANCELAR}

    @extend_schema(
        operation_id="embarques_faturamento_cancelar",
        request=CancelamentoEntradaSerializer,
        responses={200: FaturamentoSerializer, **ERROS_ESCRITA},
        description="Cancela a NF em vigor do lote: movimentações canceladas (ativo=false), item pendente de NF de "
        "novo, separações EMBARCADO, saldo da carteira devolvido exatamente.",
    )
    def post(self, request):
        dados = validar(CancelamentoEntradaSerializer, request.data)
        fat = faturamento.cancelar_faturamento(
            separacao_lote_id=dados["separacao_lote_id"],
            nota_fiscal=dados.get("nota_fiscal", ""),
            usuario=self.usuario(),
        )
        return Response(FaturamentoSerializer(fat).data)
