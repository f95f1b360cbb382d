"""Production schedule API: list, create, edit and delete programações."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.response import Response

from core.api import (
    ERRO_400,
    ERRO_404,
    ERROS_ESCRITA,
    ERROS_LEITURA,
    PARAM_PK,
    APIBase,
    PaginacaoEstrita,
    params_paginacao,
    validar,
)
from estoque.api import EXEMPLO_COD, EXEMPLO_DATA
from producao import selectors, services
from producao.models import ProgramacaoProducao
from producao.serializers import FiltroProgramacaoSerializer, ProgramacaoSerializer, ProgramacoesPaginadasSerializer


class PaginacaoProgramacoes(PaginacaoEstrita):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class ProgramacoesAPI(APIBase):
    modelo = ProgramacaoProducao

    @extend_schema(
        operation_id="producao_programacao_listar",
        parameters=[
            FiltroProgramacaoSerializer,
            *params_paginacao(PaginacaoProgramacoes.max_page_size, PaginacaoProgramacoes.page_size),
        ],
        responses={200: ProgramacoesPaginadasSerializer, 400: ERRO_400, 404: ERRO_404, **ERROS_LEITURA},
        description="Programação de produção por data, com filtro por código e período.",
    )
    def get(self, request):
        filtro = validar(FiltroProgramacaoSerializer, request.query_params.dict())
        paginador = PaginacaoProgramacoes()
        pagina = paginador.paginate_queryset(selectors.programacoes(**filtro), request, view=self)
        return paginador.get_paginated_response(ProgramacaoSerializer(pagina, many=True).data)

    @extend_schema(
        operation_id="producao_programacao_criar",
        request=ProgramacaoSerializer,
        examples=[
            OpenApiExample(
                "turno",
                value={
                    "cod_produto": EXEMPLO_COD,
                    "data_programacao": EXEMPLO_DATA,
                    "qtd_programada": 480,
                    "linha_producao": "LINHA 1",
                },
                request_only=True,
            )
        ],
        responses={201: ProgramacaoSerializer, **ERROS_ESCRITA},
        description="Programa produção de um produto num dia (entrada prevista).",
    )
    def post(self, request):
        dados = validar(ProgramacaoSerializer, request.data)
        prog = services.criar_programacao(**dados)
        return Response(ProgramacaoSerializer(prog).data, status=status.HTTP_201_CREATED)


class ProgramacaoAPI(APIBase):
    modelo = ProgramacaoProducao

    @extend_schema(
        operation_id="producao_programacao_detalhe",
        parameters=[PARAM_PK],
        responses={200: ProgramacaoSerializer, 404: ERRO_404, **ERROS_LEITURA},
    )
    def get(self, request, pk):
        return Response(ProgramacaoSerializer(get_object_or_404(ProgramacaoProducao, pk=pk)).data)

    @extend_schema(
        operation_id="producao_programacao_editar",
        parameters=[PARAM_PK],
        request=ProgramacaoSerializer,
        responses={200: ProgramacaoSerializer, 404: ERRO_404, **ERROS_ESCRITA},
    )
    def patch(self, request, pk):
        get_object_or_404(ProgramacaoProducao, pk=pk)
        dados = validar(ProgramacaoSerializer, request.data, partial=True)
        return Response(ProgramacaoSerializer(services.editar_programacao(pk, dados)).data)

    @extend_schema(
        operation_id="producao_programacao_excluir",
        parameters=[PARAM_PK],
        responses={204: None, 404: ERRO_404, **ERROS_ESCRITA},
    )
    def delete(self, request, pk):
        get_object_or_404(ProgramacaoProducao, pk=pk)
        services.excluir_programacao(pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
