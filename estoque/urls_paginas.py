from django.urls import path

from estoque import views

app_name = "estoque_paginas"

urlpatterns = [
    path("", views.saldo, name="saldo"),
    path("produto/<str:cod>/", views.produto, name="produto"),
    path("produto/<str:cod>/historico/", views.produto_historico, name="produto-historico"),
    path("alertas/", views.alertas, name="alertas"),
    path("alertas/<int:pk>/reconhecer/", views.reconhecer_alerta, name="alerta-reconhecer"),
    path("alertas/reconhecer-todos/", views.reconhecer_todos, name="alertas-reconhecer-todos"),
]
