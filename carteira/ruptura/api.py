"""API of the per-order stock-out analysis: one order now, or many in the background with
a Server-Sent Events stream of the lots as they finish."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from carteira.models import AnaliseRuptura
from carteira.ruptura import jobs
from carteira.ruptura.analise import analisar_pedido
from carteira.ruptura.serializers import AnalisarSerializer, AnaliseRupturaSerializer, JobRupturaSerializer
from core.api import APIBase
from core.permissoes import LimiteRuptura
from core.sse import EventStreamRenderer, resposta_sse
from estoque.api import VER_ESTOQUE
from estoque.eventos_stream import mudancas

DURACAO_EVENTOS_SEGUNDOS = 600
# The analysis shows the order's lines against the stock and its projection.
PERMISSOES_RUPTURA = ("carteira.analisar_ruptura", "carteira.view_carteiraprincipal", *VER_ESTOQUE)


class RupturaPedidoView(APIBase):
    permissoes = {"GET": PERMISSOES_RUPTURA}

    @extend_schema(
        responses={200: AnaliseRupturaSerializer, 404: OpenApiResponse(description="Pedido fora da carteira")}
    )
    def get(self, request, num_pedido):
        analise = analisar_pedido(num_pedido)
        if analise is None:
            raise Http404(f"Pedido {num_pedido} não está na carteira em aberto.")
        return Response(analise.como_dict())


class AnalisarView(APIBase):
    permissoes = {"POST": PERMISSOES_RUPTURA}
    throttle_classes = [LimiteRuptura]

    @extend_schema(request=AnalisarSerializer, responses={202: JobRupturaSerializer})
    def post(self, request):
        entrada = AnalisarSerializer(data=request.data)
        entrada.is_valid(raise_exception=True)
        analise = jobs.iniciar(entrada.validated_data.get("pedidos"), usuario=request.user.get_username())
        return Response(
            {
                "job_id": str(analise.pk),
                "total_pedidos": analise.total_pedidos,
                "total_lotes": analise.total_lotes,
                "stream": f"/api/carteira/ruptura/stream/{analise.pk}",
            },
            status=status.HTTP_202_ACCEPTED,
        )


class StreamView(APIBase):
    """text/event-stream: 'progresso', one 'lote' per finished lot, then 'fim' (or 'erro')."""

    permissoes = {"GET": PERMISSOES_RUPTURA}
    renderer_classes = [JSONRenderer, EventStreamRenderer]

    # Long-lived streams stay out of the OpenAPI schema (documented in the README): a schema
    # fuzzer would hold each call open for minutes.
    @extend_schema(exclude=True)
    def get(self, request, job_id):
        analise = get_object_or_404(AnaliseRuptura, pk=job_id)
        return resposta_sse(jobs.eventos(analise))


class EventosEstoqueView(APIBase):
    """text/event-stream of stock changes: event 'estoque' with the changed principal codes."""

    permissoes = {"GET": ("estoque.view_estoquetemporeal",)}
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
