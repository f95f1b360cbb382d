"""Live stock changes over HTTP: the SSE stream (async, ASGI) and its polling twin.

The page opens the stream; when it is refused (429 over the caps, 503 under a WSGI server)
or keeps failing, the page polls `eventos/mudancas` with the cursor of the last event it
saw (static/js/eventos.js). Both answer with the same principal codes.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core.api import ERRO_400, ERROS_LEITURA, APIBase
from core.sse import abrir_stream, cursor_da_consulta, erro_json
from estoque.eventos_stream import mudancas, mudancas_desde

DURACAO_EVENTOS_SEGUNDOS = 600
# The events name the products whose stock changed: whoever may see the stock.
PERMISSOES_EVENTOS = ("estoque.view_estoquetemporeal",)


async def eventos(request):
    """text/event-stream of stock changes: 'estoque' events {produtos, todos}, with a cursor id."""
    try:
        duracao = min(float(request.GET.get("duracao", DURACAO_EVENTOS_SEGUNDOS)), DURACAO_EVENTOS_SEGUNDOS)
    except ValueError:
        return erro_json("duracao: informe um número de segundos.", 400)
    ultimo_id = request.headers.get("Last-Event-ID") or request.GET.get("desde")
    return await abrir_stream(
        request, lambda usuario: mudancas(max(duracao, 1), ultimo_id), permissoes=PERMISSOES_EVENTOS
    )


class MudancasAPI(APIBase):
    permissoes = {"GET": PERMISSOES_EVENTOS}

    @extend_schema(
        operation_id="estoque_mudancas",
        parameters=[
            OpenApiParameter(
                "desde",
                OpenApiTypes.DATETIME,
                description="Cursor devolvido pela consulta anterior (ou o id do último evento do stream); "
                "ausente: só o cursor atual.",
            )
        ],
        responses={200: OpenApiTypes.OBJECT, 400: ERRO_400, **ERROS_LEITURA},
        description="Produtos (códigos principais) cujo estoque mudou desde o cursor, com o momento da mudança; "
        "`todos` quando mudaram tantos que a tela deve recarregar tudo. Alternativa por consulta periódica "
        "ao stream /api/estoque/eventos.",
    )
    def get(self, request):
        try:
            desde = cursor_da_consulta(request.query_params)
        except ValueError:
            raise ValidationError({"desde": ["Cursor inválido: use o valor devolvido em 'cursor'."]}) from None
        return Response(mudancas_desde(desde))
