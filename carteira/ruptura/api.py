"""API of the per-order stock-out analysis: one order now, or many in the background with
a Server-Sent Events stream of the lots as they finish."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from carteira.models import AnaliseRuptura
from carteira.ruptura import jobs
from carteira.ruptura.analise import analisar_pedido
from carteira.ruptura.serializers import AnalisarSerializer, AnaliseRupturaSerializer, JobRupturaSerializer
from core.api import ERRO_400, ERRO_404, ERRO_415, ERROS_LEITURA, APIBase, validar
from core.sse import EventStreamRenderer, resposta_sse
from estoque.eventos_stream import mudancas

DURACAO_EVENTOS_SEGUNDOS = 600


# JSON in, JSON errors out (core.api.APIBase: parsers, NUL/length checks on the path, error
# translation). Reads for any authenticated user, as the order pages that call them.


class RupturaPedidoView(APIBase):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="carteira_pedido_ruptura",
        parameters=[
            OpenApiParameter(
                "num_pedido",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                examples=[OpenApiExample("pedido", value="VCD2563000")],
            )
        ],
        responses={200: AnaliseRupturaSerializer, 404: ERRO_404, **ERROS_LEITURA},
        description="Ruptura de um pedido em aberto: por linha, se há estoque hoje e quando haverá.",
    )
    def get(self, request, num_pedido):
        analise = analisar_pedido(num_pedido)
        if analise is None:
            raise Http404(f"Pedido {num_pedido} não está na carteira em aberto.")
        return Response(analise.como_dict())


class AnalisarView(APIBase):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="carteira_ruptura_analisar",
        request=AnalisarSerializer,
        responses={202: JobRupturaSerializer, 400: ERRO_400, 415: ERRO_415, **ERROS_LEITURA},
        description="Inicia a análise de ruptura de muitos pedidos em segundo plano (lotes de 20); "
        "o progresso vem pelo endereço `stream` da resposta. Só JSON.",
    )
    def post(self, request):
        dados = validar(AnalisarSerializer, request.data)
        analise = jobs.iniciar(dados.get("pedidos"), usuario=self.usuario())
        return Response(
            {
                "job_id": str(analise.pk),
                "total_pedidos": analise.total_pedidos,
                "total_lotes": analise.total_lotes,
                "stream": f"/api/carteira/ruptura/stream/{analise.pk}",
            },
            status=status.HTTP_202_ACCEPTED,
        )


class StreamView(APIView):
    """text/event-stream: 'progresso', one 'lote' per finished lot, then 'fim' (or 'erro')."""

    renderer_classes = [JSONRenderer, EventStreamRenderer]

    # Long-lived streams stay out of the OpenAPI schema (documented in the README): a schema
    # fuzzer would hold each call open for minutes.
    @extend_schema(exclude=True)
    def get(self, request, job_id):
        analise = get_object_or_404(AnaliseRuptura, pk=job_id)
        return resposta_sse(jobs.eventos(analise))


class EventosEstoqueView(APIView):
    """text/event-stream of stock changes: event 'estoque' with the changed principal codes."""

    renderer_classes = [JSONRenderer, EventStreamRenderer]

    @extend_schema(exclude=True)
    def get(self, request):
        try:
            duracao = min(
                float(request.query_params.get("duracao", DURACAO_EVENTOS_SEGUNDOS)), DURACAO_EVENTOS_SEGUNDOS
            )
        except ValueError:
            return Response({"duracao": ["Informe um número de segundos."]}, status=status.HTTP_400_BAD_REQUEST)
        return resposta_sse(mudancas(max(duracao, 1)))
