from django.urls import path

from producao import api

app_name = "producao"

urlpatterns = [
    path("programacoes", api.ProgramacoesAPI.as_view(), name="programacoes"),
    path("programacoes/<str:pk>", api.ProgramacaoAPI.as_view(), name="programacao"),
]
