from django.urls import path

from relatorios import views

app_name = "relatorios"

urlpatterns = [
    path("saldo-estoque.xlsx", views.saldo_estoque, name="saldo-estoque"),
    path("<slug:chave>.xlsx", views.baixar, name="baixar"),
]
