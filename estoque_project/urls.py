from django.contrib import admin
from django.urls import include, path

from carteira.ruptura import views as carteira_pedidos
from core.api import EsquemaAPI, documentacao
from core.saude import saude

admin.site.site_header = "Estoque em Tempo Real"
admin.site.site_title = "Estoque em Tempo Real"
admin.site.index_title = "Operação"

urlpatterns = [
    path("", include("acesso.urls")),
    path("admin/", admin.site.urls),
    path("estoque/", include("estoque.urls_paginas")),
    path("carteira/pedidos/", carteira_pedidos.pagina, name="carteira-pedidos"),
    path("carteira/", include("carteira.urls_paginas")),
    path("producao/", include("producao.urls_paginas")),
    path("embarques/", include("embarques.urls_paginas")),
    path("relatorios/", include("relatorios.urls")),
    path("importacoes/", include("core.importacoes.urls")),
    path("trabalhos/", include("core.trabalhos.urls")),
    path("operacao/", include("operacao.urls")),
    path("saude/", saude, name="saude"),
    path("api/estoque/", include("estoque.urls")),
    path("api/carteira/", include("carteira.urls")),
    path("api/carteira/", include("carteira.ruptura.urls")),
    path("api/producao/", include("producao.urls")),
    path("api/embarques/", include("embarques.urls")),
    path("api/schema/", EsquemaAPI.as_view(), name="schema"),
    path("api/docs/", documentacao, name="api-docs"),
]

handler404 = "core.erros.nao_encontrado"
handler500 = "core.erros.erro_interno"
