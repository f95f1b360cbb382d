from django.urls import path

from carteira import api

app_name = "carteira"

urlpatterns = [
    path("pedidos/<str:num_pedido>/workspace", api.WorkspaceAPI.as_view(), name="workspace"),
    path("pre-separacoes", api.PreSeparacoesAPI.as_view(), name="pre-separacoes"),
    path("pre-separacoes/<str:pk>", api.PreSeparacaoAPI.as_view(), name="pre-separacao"),
    path("pre-separacoes/<str:pk>/confirmar", api.ConfirmarPreSeparacaoAPI.as_view(), name="pre-separacao-confirmar"),
]
