"""Page /carteira/pedidos/: open orders grouped by order, each with its ruptura button."""

from django.shortcuts import render

from carteira.ruptura.api import PERMISSOES_RUPTURA
from carteira.ruptura.selectors import pedidos_agrupados
from core.paginas import exige


# Orders with their customers, each analysed for stock-out as the page opens (the ruptura API).
@exige(*PERMISSOES_RUPTURA)
def pagina(request):
    busca = request.GET.get("q", "").strip()
    pedidos, pagina_obj = pedidos_agrupados(request.GET.get("pagina", 1), busca)
    return render(
        request,
        "carteira/pedidos.html",
        {"secao": "pedidos", "pedidos": pedidos, "pagina": pagina_obj, "busca": busca},
    )
