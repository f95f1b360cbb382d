"""Real-time stock API: validate input, call a selector or service, shape the output.

The shared base (authentication, permissions, throttles, error translation) is core.api.
"""

from datetime import timedelta

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from core.api import (
    ERRO_400,
    ERRO_404,
    ERRO_415,
    ERROS_ESCRITA,
    ERROS_LEITURA,
    PARAM_PK,
    APIBase,
    PaginacaoEstrita,
    params_paginacao,
    validar,
)
from estoque import selectors
from estoque.filtros import CampoMarcacao, SaldoEstoqueFilter
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque, ReconciliacaoExecucao
from estoque.projecao import DIAS_MAX, resumir
from estoque.selectors import detalhe as selectors_detalhe
from estoque.selectors import saldo as selectors_saldo
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
    produtos_json,
)
from estoque.serializers_telas import (
    ComposicaoSerializer,
    LinhaSaldoSerializer,
    SaldoPaginaSerializer,
    SaldoParametrosSerializer,
)
from estoque.services import operacoes
from estoque.services.reconciliacao import reconciliar


def produto_ou_404(cod: str):
    produto = selectors.produto(cod)
    if produto is None:
        raise Http404(f"Produto '{cod}' não encontrado.")
    return produto


# What a stock read shows: the real-time stock and the forecast (projection).
VER_ESTOQUE = ("estoque.view_estoquetemporeal", "estoque.view_movimentacaoprevista")


# Example values used by the docs page (and by schemathesis' examples phase). The date is
# relative to when the server started, so it stays inside the business date window.
EXEMPLO_COD = "4310148"
EXEMPLO_DATA = (timezone.localdate() + timedelta(days=2)).isoformat()
PARAM_COD = OpenApiParameter(
    "cod",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="Qualquer código do grupo.",
    examples=[OpenApiExample("produto", value=EXEMPLO_COD)],
)


# ---------------------------------------------------------------- reads


class ConsultarAPI(APIBase):
    # A read sent as POST (the code list can be long): the stock's view permissions, no write throttle.
    permissoes = {"POST": VER_ESTOQUE}
    throttle_classes = []

    @extend_schema(
        operation_id="estoque_consultar",
        request=ConsultaSerializer,
        examples=[
            OpenApiExample("workspace", value={"produtos": [EXEMPLO_COD, "4310148-B"], "dias": 7}, request_only=True)
        ],
        responses={200: ConsultaRespostaSerializer, 400: ERRO_400, 415: ERRO_415, **ERROS_LEITURA},
        description="Estoque, D+7, status e projeção D0..D(dias) de até 500 produtos. "
        "Códigos desconhecidos vêm em nao_encontrados.",
    )
    def post(self, request):
        dados = validar(ConsultaSerializer, request.data)
        encontrados, nao_encontrados = selectors.estoques(dados["produtos"])
        return Response(
            {"produtos": produtos_json(encontrados.values(), dados["dias"]), "nao_encontrados": nao_encontrados}
        )


class ProdutoAPI(APIBase):
    permissoes = {"GET": VER_ESTOQUE}

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
    permissoes = {"GET": VER_ESTOQUE}

    @extend_schema(
        operation_id="estoque_projecao",
        parameters=[PARAM_COD, DiasD28Serializer],
        responses={200: EstoqueProdutoSerializer, 400: ERRO_400, 404: ERRO_404, **ERROS_LEITURA},
        description="Projeção D0..D(dias) (padrão 28: 29 dias) de um produto.",
    )
    def get(self, request, cod):
        dias = validar(DiasD28Serializer, request.query_params.dict())["dias"]
        return Response(EstoqueProdutoSerializer(produto_ou_404(cod), context={"dias": dias}).data)


class PaginacaoRupturas(PaginacaoEstrita):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class RupturasAPI(APIBase):
    permissoes = {"GET": VER_ESTOQUE}

    @extend_schema(
        operation_id="estoque_rupturas",
        parameters=[
            DiasD7Serializer,
            *params_paginacao(PaginacaoRupturas.max_page_size, PaginacaoRupturas.page_size),
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
    # Also shows the last reconciliation and its repairs.
    permissoes = {
        "GET": (*VER_ESTOQUE, "estoque.view_reconciliacaoexecucao", "estoque.view_reparoestoque"),
    }

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


# ---------------------------------------------------------------- Saldo de estoque and composição
# modelo/queryset: the model whose view permission these reads need (DRF model permissions).

# The checkbox values the page's form sends and the FilterSet accepts (CampoMarcacao).
MARCACAO = list(CampoMarcacao.VERDADEIROS + CampoMarcacao.FALSOS)

PARAMETROS_SALDO = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Código, nome ou código unificado (contém)."),
    # "" is the page's "Todos" (no filter), accepted by the same FilterSet.
    OpenApiParameter("status", OpenApiTypes.STR, enum=["", "CRITICO", "ATENCAO", "OK"]),
    OpenApiParameter("linha", OpenApiTypes.STR, description="Linha de produção (exata)."),
    OpenApiParameter("categoria", OpenApiTypes.STR, description="Categoria (exata)."),
    OpenApiParameter(
        "ruptura_d7",
        OpenApiTypes.STR,
        enum=MARCACAO,
        description="Só produtos abaixo de zero até D+7. (1/true marca; vazio, 0/false não).",
    ),
    OpenApiParameter(
        "com_carteira",
        OpenApiTypes.STR,
        enum=MARCACAO,
        description="Só produtos com quantidade em carteira. (1/true marca; vazio, 0/false não).",
    ),
    OpenApiParameter("produtos", OpenApiTypes.STR, description="Códigos separados por vírgula (qualquer do grupo)."),
    OpenApiParameter(
        "ordem", OpenApiTypes.STR, description="Chave de ordenação (ex.: status, -disponivel); padrão status."
    ),
    SaldoParametrosSerializer,
]


class SaldoAPI(APIBase):
    modelo = EstoqueTempoReal
    queryset = EstoqueTempoReal.objects.all()

    @extend_schema(
        operation_id="estoque_saldo",
        parameters=PARAMETROS_SALDO,
        responses={200: SaldoPaginaSerializer, 400: ERRO_400, **ERROS_LEITURA},
        description="Saldo de estoque: cada grupo de produtos com estoque D0, menor D+7, dia de ruptura, "
        "carteira, pré-separação, separação, produção D0..D28, disponível e status; os mesmos filtros e "
        "a mesma ordem da página /estoque/.",
    )
    def get(self, request):
        paginacao = validar(SaldoParametrosSerializer, request.query_params.dict())
        filtro = SaldoEstoqueFilter(request.query_params, request=request)
        if not filtro.is_valid():
            raise DRFValidationError(filtro.errors)
        pagina = selectors_saldo.paginar(
            filtro.qs,
            filtro.ordem_escolhida,
            paginacao["page"],
            paginacao["page_size"],
            request.user,
            timezone.localdate(),
        )
        return Response(
            {
                "count": pagina.pagina.paginator.count,
                "page": pagina.pagina.number,
                "pages": pagina.pagina.paginator.num_pages,
                "page_size": paginacao["page_size"],
                "ordem": pagina.ordem,
                "data_referencia": pagina.data_referencia.isoformat(),
                "results": LinhaSaldoSerializer(pagina.linhas, many=True).data,
            }
        )


class ComposicaoAPI(APIBase):
    modelo = EstoqueTempoReal
    queryset = EstoqueTempoReal.objects.all()

    @extend_schema(
        operation_id="estoque_composicao",
        parameters=[PARAM_COD, DiasD28Serializer],
        responses={200: ComposicaoSerializer, 400: ERRO_400, 404: ERRO_404, **ERROS_LEITURA},
        description="Projeção D0..D(dias) (padrão 28) e, em cada dia, as linhas que fazem a entrada e a saída: "
        "produções, pré-separações e separações (saídas atrasadas contam em D0, marcadas). As linhas de um dia "
        "somam a entrada e a saída do dia; origens sem permissão de leitura vêm em origens_ocultas, sem linhas.",
    )
    def get(self, request, cod):
        dias = validar(DiasD28Serializer, request.query_params.dict())["dias"]
        hoje = timezone.localdate()
        produto = selectors.produto(cod, hoje)
        if produto is None:
            raise Http404(f"Produto '{cod}' não encontrado.")
        comp = selectors_detalhe.composicao(produto, request.user, dias, hoje)
        return Response(ComposicaoSerializer(comp, context={"resumo": resumir(produto.projecao)}).data)


# ---------------------------------------------------------------- recomputation


class RecalcularAPI(APIBase):
    modelo = EstoqueTempoReal
    permissoes = {"POST": ["estoque.change_estoquetemporeal"]}

    @extend_schema(
        operation_id="estoque_recalcular",
        request=None,
        parameters=[PARAM_COD],
        responses={200: RecalculoSerializer, 404: ERRO_404, **ERROS_LEITURA},
        description="Reconcilia agora o produto com as fontes (permissão de alterar o estoque) e devolve o que mudou.",
    )
    def post(self, request, cod):
        produto_ou_404(cod)
        execucao, encontrados = reconciliar(origem=ReconciliacaoExecucao.Origem.API, produtos=[cod])
        produto = produto_ou_404(cod)  # read again: the numbers after the repair
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
                value={
                    "cod_produto": EXEMPLO_COD,
                    "tipo_movimentacao": "SAIDA",
                    "qtd_movimentacao": -12.5,
                    "data_movimentacao": EXEMPLO_DATA,
                    "numero_nf": "123456",
                },
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
