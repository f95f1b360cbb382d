from django.urls import path

from relatorios import views

app_name = "relatorios"

urlpatterns = [
    path("<slug:chave>.xlsx", views.baixar, name="baixar"),
]
