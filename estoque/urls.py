from django.urls import path

from estoque import api, api_eventos

app_name = "estoque"

urlpatterns = [
    path("tempo-real/consultar", api.ConsultarAPI.as_view(), name="consultar"),
    path("tempo-real/produto/<str:cod>", api.ProdutoAPI.as_view(), name="produto"),
    path("tempo-real/produto/<str:cod>/composicao", api.ComposicaoAPI.as_view(), name="composicao"),
    path("tempo-real/projecao/<str:cod>", api.ProjecaoAPI.as_view(), name="projecao"),
    path("tempo-real/saldo", api.SaldoAPI.as_view(), name="saldo"),
    path("tempo-real/rupturas", api.RupturasAPI.as_view(), name="rupturas"),
    path("tempo-real/estatisticas", api.EstatisticasAPI.as_view(), name="estatisticas"),
    path("tempo-real/recalcular/<str:cod>", api.RecalcularAPI.as_view(), name="recalcular"),
    path("eventos", api_eventos.eventos, name="eventos"),
    path("eventos/mudancas", api_eventos.MudancasAPI.as_view(), name="eventos-mudancas"),
    path("movimentacoes", api.MovimentacoesAPI.as_view(), name="movimentacoes"),
    path("movimentacoes/<str:pk>", api.MovimentacaoAPI.as_view(), name="movimentacao"),
    path("movimentacoes/<str:pk>/cancelar", api.CancelarMovimentacaoAPI.as_view(), name="movimentacao-cancelar"),
]
