from django.urls import path

from producao import views

app_name = "producao_paginas"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
