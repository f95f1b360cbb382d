"""API of the per-order stock-out analysis: one order now, or many in the background with
a Server-Sent Events stream of the lots as they finish."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from carteira.models import AnaliseRuptura
from carteira.ruptura import jobs
from carteira.ruptura.analise import analisar_pedido
from carteira.ruptura.serializers import AnalisarSerializer, AnaliseRupturaSerializer, JobRupturaSerializer
from core.api import ERRO_400, ERRO_404, ERRO_415, ERROS_LEITURA, APIBase, validar
from core.permissoes import LimiteRuptura
from core.sse import abrir_stream, consultar, cursor_da_consulta, erro_json
from estoque.api import VER_ESTOQUE

# The analysis shows the order's lines against the stock and its projection.
PERMISSOES_RUPTURA = ("carteira.analisar_ruptura", "carteira.view_carteiraprincipal", *VER_ESTOQUE)


class RupturaPedidoView(APIBase):
    permissoes = {"GET": PERMISSOES_RUPTURA}

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
    permissoes = {"POST": PERMISSOES_RUPTURA}
    throttle_classes = [LimiteRuptura]

    @extend_schema(
        operation_id="carteira_ruptura_analisar",
        request=AnalisarSerializer,
        responses={
            202: JobRupturaSerializer,
            400: ERRO_400,
            415: ERRO_415,
            **ERROS_LEITURA,
            503: OpenApiResponse(description="Fila de tarefas (Redis) indisponível: nada foi iniciado"),
        },
        description="Inicia a análise de ruptura de muitos pedidos em segundo plano (o primeiro lote de 20 pedidos, "
        "cada seguinte com o dobro, até 640), ou devolve "
        "uma análise recente ou em andamento dos mesmos pedidos; o progresso vem pelo endereço `stream` "
        "(ou `situacao`, por consulta) da resposta. Só JSON.",
    )
    def post(self, request):
        dados = validar(AnalisarSerializer, request.data)
        try:
            analise = jobs.iniciar(dados.get("pedidos"), usuario=self.usuario())
        except jobs.FilaIndisponivel:
            resposta = Response(
                {
                    "detail": "A fila de processamento em segundo plano está indisponível no momento; "
                    "a análise não foi iniciada. Tente de novo em instantes."
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
            resposta["Retry-After"] = "30"
            return resposta
        return Response(
            {
                "job_id": str(analise.pk),
                "total_pedidos": analise.total_pedidos,
                "total_lotes": analise.total_lotes,
                "stream": f"/api/carteira/ruptura/stream/{analise.pk}",
                "situacao": f"/api/carteira/ruptura/analise/{analise.pk}",
            },
            status=status.HTTP_202_ACCEPTED,
        )


class SituacaoView(APIBase):
    permissoes = {"GET": PERMISSOES_RUPTURA}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "desde",
                OpenApiTypes.DATETIME,
                description="Cursor da consulta anterior: só os lotes concluídos desde então (ausente: todos).",
            )
        ],
        responses={200: OpenApiTypes.OBJECT, 400: ERRO_400, 404: ERRO_404, **ERROS_LEITURA},
        description="Progresso de uma análise em segundo plano e os lotes concluídos (com os resultados de cada "
        "pedido, sem as linhas: as linhas de um pedido vêm de `/api/carteira/pedidos/{num_pedido}/ruptura`): "
        "a alternativa por consulta periódica ao stream.",
    )
    def get(self, request, job_id):
        try:
            desde = cursor_da_consulta(request.query_params)
        except ValueError:
            raise ValidationError({"desde": ["Cursor inválido: use o valor devolvido em 'cursor'."]}) from None
        dados = jobs.situacao(job_id, desde)
        if dados is None:
            raise Http404("Análise não encontrada.")
        return Response(dados)


async def stream(request, job_id):
    """text/event-stream: 'progresso', one 'lote' per finished lot, then 'fim' (or 'erro').

    Long-lived: outside the OpenAPI schema (documented in the README)."""
    total: list[int] = []

    async def verificar():
        encontrado = await consultar(
            lambda: AnaliseRuptura.objects.filter(pk=job_id).values_list("total_lotes", flat=True).first()
        )
        if encontrado is None:
            return erro_json("Análise não encontrada.", 404)
        total.append(encontrado)
        return None

    return await abrir_stream(
        request, lambda usuario: jobs.eventos(job_id, total[0]), verificar, permissoes=PERMISSOES_RUPTURA
    )
