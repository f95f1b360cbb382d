"""Real-time stock API: validate input, call a selector or service, shape the output.

Also the base pieces the other apps' APIs share: authentication (token first, so an
anonymous request gets 401 with WWW-Authenticate), the write permission (staff or the
Django model permission) and the translation of service ValidationErrors into 400s.
"""
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import APIView

from estoque import selectors
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque, ReconciliacaoExecucao
from estoque.projecao import DIAS_MAX
from estoque.serializers import (
    ConsultaRespostaSerializer,
    ConsultaSerializer,
    DiasD7Serializer,
    DiasD28Serializer,
    EstatisticasSerializer,
    EstoqueProdutoSerializer,
    ExecucaoSerializer,
    MovimentacaoSerializer,
    RecalculoSerializer,
    ReparoSerializer,
    RupturaSerializer,
    RupturasPaginadasSerializer,
)
from estoque.services import operacoes
from estoque.services.reconciliacao import reconciliar

# ---------------------------------------------------------------- shared base

ERRO_400 = OpenApiResponse(OpenApiTypes.OBJECT, description="Entrada inválida: o campo e a mensagem.")
ERRO_401 = OpenApiResponse(OpenApiTypes.OBJECT, description="Não autenticado.")
ERRO_403 = OpenApiResponse(OpenApiTypes.OBJECT, description="Sem permissão.")
ERRO_404 = OpenApiResponse(OpenApiTypes.OBJECT, description="Não encontrado.")
ERROS_LEITURA = {401: ERRO_401, 403: ERRO_403}
ERROS_ESCRITA = {400: ERRO_400, 401: ERRO_401, 403: ERRO_403}


class StaffOuPermissao(BasePermission):
    """Reads: any authenticated user. Writes: staff, or the model permissions the view names.

    A view declares `modelo` (add/change/delete by HTTP method) or `permissoes`
    ({method: ["app.codename", ...]}) for actions such as cancel or confirm.
    """

    ACOES = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}

    def has_permission(self, request, view):
        usuario = request.user
        if not (usuario and usuario.is_authenticated):
            return False
        if request.method in SAFE_METHODS or usuario.is_staff:
            return True
        exigidas = getattr(view, "permissoes", {}).get(request.method)
        if exigidas is None:
            modelo = view.modelo._meta
            exigidas = [f"{modelo.app_label}.{self.ACOES[request.method]}_{modelo.model_name}"]
        return usuario.has_perms(exigidas)


class APIBase(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    parser_classes = [JSONParser]
    permission_classes = [IsAuthenticated, StaffOuPermissao]

    def initial(self, request, *args, **kwargs):
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

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = DRFValidationError(detail=as_serializer_error(exc))
        elif isinstance(exc, ObjectDoesNotExist):
            exc = NotFound("Registro não encontrado.")
        return super().handle_exception(exc)

    def usuario(self) -> str:
        return self.request.user.get_username()[:100]


def validar(serializer_class, data, **kwargs):
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def produto_ou_404(cod: str):
    produto = selectors.produto(cod)
    if produto is None:
        raise Http404(f"Produto '{cod}' não encontrado.")
    return produto


# Example values used by the docs page (and by schemathesis' examples phase).
EXEMPLO_COD = "4310148"
PARAM_COD = OpenApiParameter(
    "cod", OpenApiTypes.STR, OpenApiParameter.PATH, description="Qualquer código do grupo.",
    examples=[OpenApiExample("produto", value=EXEMPLO_COD)],
)
# spectacular shows the {pk} of the URLs as {id} (SCHEMA_COERCE_PATH_PK).
PARAM_PK = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)


# ---------------------------------------------------------------- reads


class ConsultarAPI(APIBase):
    # A read sent as POST (the code list can be long): any authenticated user may ask.
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="estoque_consultar",
        request=ConsultaSerializer,
        examples=[
            OpenApiExample("workspace", value={"produtos": [EXEMPLO_COD, "4310148-B"], "dias": 7}, request_only=True)
        ],
        responses={200: ConsultaRespostaSerializer, 400: ERRO_400, **ERROS_LEITURA},
        description="Estoque, D+7, status e projeção D0..D(dias) de até 500 produtos. "
        "Códigos desconhecidos vêm em nao_encontrados.",
    )
    def post(self, request):
        dados = validar(ConsultaSerializer, request.data)
        encontrados, nao_encontrados = selectors.estoques(dados["produtos"])
        produtos = EstoqueProdutoSerializer(list(encontrados.values()), many=True, context={"dias": dados["dias"]})
        return Response({"produtos": produtos.data, "nao_encontrados": nao_encontrados})


class ProdutoAPI(APIBase):
    @extend_schema(
        operation_id="estoque_produto",
        parameters=[PARAM_COD, DiasD7Serializer],
        responses={200: EstoqueProdutoSerializer, 400: ERRO_400, 404: ERRO_404, **ERROS_LEITURA},
        description="Um produto: estoque, D+7, status e projeção D0..D(dias) (padrão 7).",
    )
    def get(self, request, cod):
        dias = validar(DiasD7Serializer, request.query_params.dict())["dias"]
        return Response(EstoqueProdutoSerializer(produto_ou_404(cod), context={"dias": dias}).data)


class ProjecaoAPI(APIBase):
    @extend_schema(
        operation_id="estoque_projecao",
        parameters=[PARAM_COD, DiasD28Serializer],
        responses={200: EstoqueProdutoSerializer, 400: ERRO_400, 404: ERRO_404, **ERROS_LEITURA},
        description="Projeção D0..D(dias) (padrão 28: 29 dias) de um produto.",
    )
    def get(self, request, cod):
        dias = validar(DiasD28Serializer, request.query_params.dict())["dias"]
        return Response(EstoqueProdutoSerializer(produto_ou_404(cod), context={"dias": dias}).data)


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


class PaginacaoRupturas(PaginacaoEstrita):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class RupturasAPI(APIBase):
    @extend_schema(
        operation_id="estoque_rupturas",
        parameters=[
            DiasD7Serializer,
            OpenApiParameter("page", OpenApiTypes.INT, description="Página (1, 2, ...)."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="Itens por página (até 500; padrão 50)."),
        ],
        responses={200: RupturasPaginadasSerializer, 400: ERRO_400, 404: ERRO_404, **ERROS_LEITURA},
        description="Produtos cuja projeção fica negativa em D0..D(dias), a ruptura mais próxima primeiro.",
    )
    def get(self, request):
        dias = validar(DiasD7Serializer, request.query_params.dict())["dias"]
        paginador = PaginacaoRupturas()
        pagina = paginador.paginate_queryset(selectors.rupturas(dias), request, view=self)
        itens = selectors.detalhar_rupturas(pagina)
        return paginador.get_paginated_response(RupturaSerializer(itens, many=True).data)


class EstatisticasAPI(APIBase):
    @extend_schema(
        operation_id="estoque_estatisticas",
        responses={200: EstatisticasSerializer, **ERROS_LEITURA},
        description="Totais por status, rupturas, estoque negativo e a última reconciliação com o drift encontrado.",
    )
    def get(self, request):
        dados = selectors.estatisticas()
        ultima = dados["ultima_reconciliacao"]
        if ultima is not None:
            dados["ultima_reconciliacao"] = {
                "execucao": ExecucaoSerializer(ultima["execucao"]).data,
                "total_reparos": ultima["total_reparos"],
                "reparos": ReparoSerializer(ultima["reparos"], many=True).data,
            }
        dados["data_referencia"] = dados["data_referencia"].isoformat()
        return Response(dados)


# ---------------------------------------------------------------- recomputation


class RecalcularAPI(APIBase):
    modelo = EstoqueTempoReal
    permissoes = {"POST": ["estoque.change_estoquetemporeal"]}

    @extend_schema(
        operation_id="estoque_recalcular",
        request=None,
        parameters=[PARAM_COD],
        responses={200: RecalculoSerializer, 404: ERRO_404, **ERROS_LEITURA},
        description="Reconcilia agora o produto com as fontes (staff ou permissão de alterar o estoque) "
        "e devolve o que mudou.",
    )
    def post(self, request, cod):
        produto_ou_404(cod)
        execucao, encontrados = reconciliar(origem=ReconciliacaoExecucao.Origem.API, produtos=[cod])
        produto = selectors.produto(cod)
        alteracoes = [
            {"campo": campo, "antes": antes, "depois": depois}
            for campo, antes, depois in encontrados.get(produto.cod_principal, [])
        ]
        return Response(
            {
                "cod_produto": cod,
                "cod_principal": produto.cod_principal,
                "execucao": ExecucaoSerializer(execucao).data,
                "corrigido": bool(alteracoes),
                "alteracoes": alteracoes,
                "produto": EstoqueProdutoSerializer(produto, context={"dias": DIAS_MAX}).data,
            }
        )


# ---------------------------------------------------------------- movements


class MovimentacoesAPI(APIBase):
    modelo = MovimentacaoEstoque

    @extend_schema(
        operation_id="estoque_movimentacao_criar",
        request=MovimentacaoSerializer,
        examples=[
            OpenApiExample(
                "saída",
                value={"cod_produto": EXEMPLO_COD, "tipo_movimentacao": "SAIDA", "qtd_movimentacao": -12.5,
                       "data_movimentacao": "2026-01-15", "numero_nf": "123456"},
                request_only=True,
            )
        ],
        responses={201: MovimentacaoSerializer, **ERROS_ESCRITA},
        description="Registra uma movimentação de estoque (sinal conforme o tipo).",
    )
    def post(self, request):
        dados = validar(MovimentacaoSerializer, request.data)
        mov = operacoes.criar_movimentacao(**dados, usuario=self.usuario())
        return Response(MovimentacaoSerializer(mov).data, status=status.HTTP_201_CREATED)


class MovimentacaoAPI(APIBase):
    modelo = MovimentacaoEstoque

    @extend_schema(
        operation_id="estoque_movimentacao_detalhe",
        parameters=[PARAM_PK],
        responses={200: MovimentacaoSerializer, 404: ERRO_404, **ERROS_LEITURA},
    )
    def get(self, request, pk):
        return Response(MovimentacaoSerializer(get_object_or_404(MovimentacaoEstoque, pk=pk)).data)

    @extend_schema(
        operation_id="estoque_movimentacao_editar",
        parameters=[PARAM_PK],
        request=MovimentacaoSerializer,
        responses={200: MovimentacaoSerializer, 404: ERRO_404, **ERROS_ESCRITA},
        description="Altera campos de uma movimentação ativa.",
    )
    def patch(self, request, pk):
        get_object_or_404(MovimentacaoEstoque, pk=pk)
        dados = validar(MovimentacaoSerializer, request.data, partial=True)
        mov = operacoes.editar_movimentacao(pk, dados, usuario=self.usuario())
        return Response(MovimentacaoSerializer(mov).data)


class CancelarMovimentacaoAPI(APIBase):
    modelo = MovimentacaoEstoque
    permissoes = {"POST": ["estoque.change_movimentacaoestoque"]}

    @extend_schema(
        operation_id="estoque_movimentacao_cancelar",
        request=None,
        parameters=[PARAM_PK],
        responses={200: MovimentacaoSerializer, 404: ERRO_404, **ERROS_LEITURA},
        description="Cancela (ativo=false) a movimentação: deixa de contar no estoque na hora.",
    )
    def post(self, request, pk):
        get_object_or_404(MovimentacaoEstoque, pk=pk)
        return Response(MovimentacaoSerializer(operacoes.cancelar_movimentacao(pk, usuario=self.usuario())).data)
