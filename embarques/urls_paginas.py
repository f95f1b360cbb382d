from django.urls import path

from embarques import views

app_name = "embarques_paginas"

urlpatterns = [
    path("", views.pagina, name="pagina"),
]
