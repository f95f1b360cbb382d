from django.urls import path

from core.importacoes import views

app_name = "importacoes"

urlpatterns = [
    path("", views.lista, name="lista"),
    path("<int:pk>/", views.detalhe, name="detalhe"),
    path("<int:pk>/situacao", views.situacao, name="situacao"),
    path("<int:pk>/confirmar", views.confirmar, name="confirmar"),
    path("<int:pk>/descartar", views.descartar, name="descartar"),
    path("<int:pk>/desfazer", views.desfazer, name="desfazer"),
    path("<slug:tipo>/", views.enviar, name="enviar"),
    path("<slug:tipo>/modelo.xlsx", views.baixar_modelo, name="modelo"),
]
