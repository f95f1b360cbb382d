"""Order book API: the assembly workspace and the pré-separação writes."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response

from carteira import selectors, services
from carteira.models import PreSeparacaoItem
from carteira.serializers import (
    ConfirmacaoSerializer,
    PreSeparacaoEdicaoSerializer,
    PreSeparacaoSerializer,
    SeparacaoSerializer,
    WorkspaceSerializer,
)
from core.api import ERRO_404, ERROS_ESCRITA, ERROS_LEITURA, PARAM_PK, APIBase, validar
from estoque.api import EXEMPLO_COD, EXEMPLO_DATA, VER_ESTOQUE

EXEMPLO_PEDIDO = "VCD2563000"


class WorkspaceAPI(APIBase):
    permissoes = {"GET": ("carteira.view_carteiraprincipal", *VER_ESTOQUE)}

    @extend_schema(
        operation_id="carteira_pedido_workspace",
        parameters=[
            OpenApiParameter(
                "num_pedido",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                examples=[OpenApiExample("pedido", value=EXEMPLO_PEDIDO)],
            )
        ],
        responses={200: WorkspaceSerializer, 404: ERRO_404, **ERROS_LEITURA},
        description="Por linha do pedido: saldo livre, preço, peso, pallets, estoque, D+7, status e "
        "disponivel_em (primeiro dia em que o saldo livre pode sair).",
    )
    def get(self, request, num_pedido):
        dados = selectors.workspace(num_pedido)
        if dados is None:
            raise Http404(f"Pedido '{num_pedido}' não encontrado na carteira.")
        return Response(WorkspaceSerializer(dados).data)


class PreSeparacoesAPI(APIBase):
    modelo = PreSeparacaoItem

    @extend_schema(
        operation_id="carteira_pre_separacao_criar",
        request=PreSeparacaoSerializer,
        examples=[
            OpenApiExample(
                "parcial",
                value={
                    "num_pedido": EXEMPLO_PEDIDO,
                    "cod_produto": EXEMPLO_COD,
                    "qtd_selecionada_usuario": 10,
                    "data_expedicao_editada": EXEMPLO_DATA,
                    "tipo_envio": "parcial",
                },
                request_only=True,
            )
        ],
        responses={201: PreSeparacaoSerializer, **ERROS_ESCRITA},
        description="Cria uma pré-separação (até o saldo livre da linha do pedido).",
    )
    def post(self, request):
        dados = validar(PreSeparacaoSerializer, request.data)
        pre = services.criar_pre_separacao(**dados, usuario=self.usuario())
        return Response(PreSeparacaoSerializer(pre).data, status=status.HTTP_201_CREATED)


class PreSeparacaoAPI(APIBase):
    modelo = PreSeparacaoItem

    @extend_schema(
        operation_id="carteira_pre_separacao_detalhe",
        parameters=[PARAM_PK],
        responses={200: PreSeparacaoSerializer, 404: ERRO_404, **ERROS_LEITURA},
    )
    def get(self, request, pk):
        return Response(PreSeparacaoSerializer(get_object_or_404(PreSeparacaoItem, pk=pk)).data)

    @extend_schema(
        operation_id="carteira_pre_separacao_editar",
        parameters=[PARAM_PK],
        request=PreSeparacaoEdicaoSerializer,
        responses={200: PreSeparacaoSerializer, 404: ERRO_404, **ERROS_ESCRITA},
        description="Altera quantidade, datas, protocolo, observações, status (CRIADO/RECOMPOSTO) ou tipo de envio.",
    )
    def patch(self, request, pk):
        get_object_or_404(PreSeparacaoItem, pk=pk)
        dados = validar(PreSeparacaoEdicaoSerializer, request.data, partial=True)
        return Response(PreSeparacaoSerializer(services.editar_pre_separacao(pk, dados)).data)

    @extend_schema(
        operation_id="carteira_pre_separacao_excluir",
        parameters=[PARAM_PK],
        responses={204: None, 404: ERRO_404, **ERROS_ESCRITA},
    )
    def delete(self, request, pk):
        get_object_or_404(PreSeparacaoItem, pk=pk)
        services.excluir_pre_separacao(pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConfirmarPreSeparacaoAPI(APIBase):
    modelo = PreSeparacaoItem
    permissoes = {"POST": ["carteira.change_preseparacaoitem", "carteira.add_separacao"]}

    @extend_schema(
        operation_id="carteira_pre_separacao_confirmar",
        request=None,
        parameters=[PARAM_PK],
        responses={200: ConfirmacaoSerializer, 404: ERRO_404, **ERROS_ESCRITA},
        description="Envia para separação: status ENVIADO_SEPARACAO e uma separação (lote novo) com o mesmo "
        "produto, data e quantidade, na mesma transação.",
    )
    def post(self, request, pk):
        get_object_or_404(PreSeparacaoItem, pk=pk)
        pre, separacao = services.confirmar_pre_separacao(pk)
        return Response(
            {"pre_separacao": PreSeparacaoSerializer(pre).data, "separacao": SeparacaoSerializer(separacao).data}
        )
