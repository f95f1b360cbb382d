from django.urls import path

from core.trabalhos import views

app_name = "trabalhos"

urlpatterns = [
    path("", views.lista, name="lista"),
    path("<int:pk>/", views.detalhe, name="detalhe"),
    path("<int:pk>/situacao", views.situacao, name="situacao"),
    path("<int:pk>/arquivo", views.arquivo, name="arquivo"),
]
