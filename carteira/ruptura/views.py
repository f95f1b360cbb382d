"""Page /carteira/pedidos/: open orders grouped by order, each with its ruptura button."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from carteira.ruptura.selectors import pedidos_agrupados


@login_required
def pagina(request):
    busca = request.GET.get("q", "").strip()
    pedidos, pagina_obj = pedidos_agrupados(request.GET.get("pagina", 1), busca)
    return render(
        request,
        "carteira/pedidos.html",
        {"secao": "pedidos", "pedidos": pedidos, "pagina": pagina_obj, "busca": busca},
    )
