from django.urls import path

from operacao import views

app_name = "operacao"

urlpatterns = [
    path("", views.pagina, name="pagina"),
]
