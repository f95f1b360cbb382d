"""The base every app's API shares.

Authentication (token first, so an anonymous request gets 401 with WWW-Authenticate),
the permissions (Django model permissions, reads included: PermissaoModelo), the write
throttles, the translation of service ValidationErrors into 400s, strict pagination and the
documented error responses.
"""

import weakref

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import MethodNotAllowed, NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from core.paginas import exige
from core.permissoes import LimiteEscritas, PermissaoModelo

ERRO_400 = OpenApiResponse(OpenApiTypes.OBJECT, description="Entrada inválida: o campo e a mensagem.")
ERRO_401 = OpenApiResponse(OpenApiTypes.OBJECT, description="Não autenticado.")
ERRO_403 = OpenApiResponse(OpenApiTypes.OBJECT, description="Sem permissão.")
ERRO_404 = OpenApiResponse(OpenApiTypes.OBJECT, description="Não encontrado.")
ERRO_415 = OpenApiResponse(OpenApiTypes.OBJECT, description="Corpo que não é JSON (a API só aceita application/json).")
ERROS_LEITURA = {401: ERRO_401, 403: ERRO_403}
ERROS_ESCRITA = {400: ERRO_400, 401: ERRO_401, 403: ERRO_403, 415: ERRO_415}

# spectacular shows the {pk} of the URLs as {id} (SCHEMA_COERCE_PATH_PK).
PARAM_PK = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


def params_paginacao(maximo: int, padrao: int) -> list[OpenApiParameter]:
    """page and page_size as PaginacaoEstrita takes them: positive integers (a larger page_size
    is cut to the maximum, not refused, so the schema states no maximum)."""
    return [
        OpenApiParameter("page", {"type": "integer", "minimum": 1}, description="Página (1, 2, ...)."),
        OpenApiParameter(
            "page_size",
            {"type": "integer", "minimum": 1},
            description=f"Itens por página (até {maximo}; padrão {padrao}).",
        ),
    ]


class APIBase(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    parser_classes = [JSONParser]
    permission_classes = [PermissaoModelo]
    throttle_classes = [LimiteEscritas]

    def initial(self, request, *args, **kwargs):
        # A method the view does not implement is a 405 before anything else looks at the
        # request (the write permission would otherwise look for the model of a read-only view).
        metodo = request.method.lower()
        if metodo not in self.http_method_names or not hasattr(self, metodo):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)
        # URLs take any {pk} segment so a malformed one is a JSON 404 here, not Django's HTML page.
        if "pk" in self.kwargs:
            pk = self.kwargs["pk"]
            if not (pk.isascii() and pk.isdigit() and 0 < int(pk) < 2**63):
                raise NotFound("Registro não encontrado.")
            self.kwargs["pk"] = int(pk)  # the same dict dispatch() passes to the handler
        # A code with a NUL byte (or longer than any stored code) names nothing; PostgreSQL
        # would refuse the query with an error instead.
        for nome in ("cod", "num_pedido"):
            valor = self.kwargs.get(nome)
            if valor is not None and ("\x00" in valor or len(valor) > 50):
                raise NotFound("Registro não encontrado.")

    def finalize_response(self, request, response, *args, **kwargs):
        resposta = super().finalize_response(request, response, *args, **kwargs)
        if hasattr(resposta, "add_post_render_callback"):
            resposta.add_post_render_callback(_soltar(self))
        return resposta

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = DRFValidationError(detail=as_serializer_error(exc))
        elif isinstance(exc, ObjectDoesNotExist):
            exc = NotFound("Registro não encontrado.")
        return super().handle_exception(exc)

    def usuario(self) -> str:
        return self.request.user.get_username()[:100]


def _soltar(view):
    """After rendering: the view, its DRF Request and the Response point at each other
    (view.request, view.response, response.renderer_context, request.parser_context, which also
    holds the Request itself), so a request's objects and its answer's data waited for the cyclic
    garbage collector; with the back references dropped once the bytes exist, they are freed when
    the request ends."""

    referencia = weakref.ref(view)  # the callback stays on the response: it must not hold the view

    def soltar(resposta):
        resposta.renderer_context = {}
        view = referencia()
        if view is None:
            return
        if view.request is not None:
            view.request.parser_context = {}  # held the view and the Request itself
        view.request = view.response = None

    return soltar


def validar(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PaginacaoEstrita(PageNumberPagination):
    """page and page_size must be positive integers when given (DRF would quietly take
    an empty or malformed one for the default)."""

    page_size_query_param = "page_size"

    def _inteiro_positivo(self, request, parametro):
        valor = request.query_params.get(parametro)
        if valor is not None and not (valor.isascii() and valor.isdigit() and int(valor) > 0):
            raise DRFValidationError({parametro: ["Informe um número inteiro positivo."]})

    def get_page_number(self, request, paginator):
        self._inteiro_positivo(request, self.page_query_param)
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        self._inteiro_positivo(request, self.page_size_query_param)
        return super().get_page_size(request)


# The API's schema and its documentation page: for any operator with a role (every role reads
# the stock, the subject of most of the API), not for anonymous visitors or users without one.
PERMISSOES_DOCUMENTACAO = ("estoque.view_estoquetemporeal",)


class EsquemaAPI(SpectacularAPIView):
    authentication_classes = APIBase.authentication_classes
    permission_classes = [PermissaoModelo]
    permissoes = {"GET": PERMISSOES_DOCUMENTACAO}


class PaginaDocumentacao(SpectacularSwaggerSplitView):
    # Split view: the page loads its init script from /api/docs/?script (no inline script, CSP).
    template_name = "api/swagger_ui.html"
    # OPTIONS would render the page's HTML renderer without a template (a 500 in drf-spectacular).
    http_method_names = ["get", "head"]


# The Swagger page is a page like the others: anonymous -> login, no permission -> 403 page.
documentacao = exige(*PERMISSOES_DOCUMENTACAO)(PaginaDocumentacao.as_view(url_name="schema"))
