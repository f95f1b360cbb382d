from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from carteira.ruptura import views as carteira_pedidos
from carteira.ruptura.api import EventosEstoqueView

admin.site.site_header = "Estoque em Tempo Real"
admin.site.site_title = "Estoque em Tempo Real"
admin.site.index_title = "Operação"

urlpatterns = [
    path("", RedirectView.as_view(url="/carteira/", permanent=False)),
    path("admin/", admin.site.urls),
    path("estoque/", include("estoque.urls_paginas")),
    path("carteira/pedidos/", carteira_pedidos.pagina, name="carteira-pedidos"),
    path("carteira/", include("carteira.urls_paginas")),
    path("producao/", include("producao.urls_paginas")),
    path("relatorios/", include("relatorios.urls")),
    path("api/estoque/", include("estoque.urls")),
    path("api/carteira/", include("carteira.urls")),
    path("api/carteira/", include("carteira.ruptura.urls")),
    path("api/estoque/eventos", EventosEstoqueView.as_view(), name="estoque-eventos"),
    path("api/producao/", include("producao.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
