from django.urls import path

from carteira import views

app_name = "carteira_paginas"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
