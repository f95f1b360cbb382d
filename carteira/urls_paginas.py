from django.urls import path

from carteira import views

app_name = "carteira_paginas"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alertas/<int:pk>/reconhecer/", views.reconhecer_alerta, name="alerta-reconhecer"),
    path("pedidos/<str:num_pedido>/", views.pedido, name="pedido"),
    path("pedidos/<str:num_pedido>/historico/", views.pedido_historico, name="pedido-historico"),
    path("pedidos/<str:num_pedido>/simular/", views.simular, name="pedido-simular"),
    path("pedidos/<str:num_pedido>/lotes/", views.criar_lote, name="pedido-criar-lote"),
    path("pedidos/<str:num_pedido>/lotes/<str:lote>/cancelar/", views.cancelar_lote, name="pedido-cancelar-lote"),
    path("pedidos/<str:num_pedido>/lotes/<str:lote>/confirmar/", views.confirmar_lote, name="pedido-confirmar-lote"),
    path("pedidos/<str:num_pedido>/itens/<int:pk>/editar/", views.editar_item, name="pedido-editar-item"),
    path("pedidos/<str:num_pedido>/itens/<int:pk>/remover/", views.remover_item, name="pedido-remover-item"),
    path("pedidos/<str:num_pedido>/itens/<int:pk>/confirmar/", views.confirmar_item, name="pedido-confirmar-item"),
]
