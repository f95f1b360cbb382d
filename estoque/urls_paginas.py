from django.urls import path

from estoque import views

app_name = "estoque_paginas"

urlpatterns = [
    path("", views.saldo, name="saldo"),
    path("produto/<str:cod>/", views.produto, name="produto"),
]
