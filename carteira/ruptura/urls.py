from django.urls import path

from carteira.ruptura import api

urlpatterns = [
    path("pedidos/<str:num_pedido>/ruptura", api.RupturaPedidoView.as_view(), name="ruptura-pedido"),
    path("ruptura/analisar", api.AnalisarView.as_view(), name="ruptura-analisar"),
    path("ruptura/stream/<uuid:job_id>", api.stream, name="ruptura-stream"),
    path("ruptura/analise/<uuid:job_id>", api.SituacaoView.as_view(), name="ruptura-situacao"),
]
