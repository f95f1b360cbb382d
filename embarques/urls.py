from django.urls import path

from embarques import api

app_name = "embarques"

urlpatterns = [
    path("faturamento", api.FaturamentoAPI.as_view(), name="faturamento"),
    path("faturamento/cancelar", api.CancelarFaturamentoAPI.as_view(), name="faturamento-cancelar"),
]
