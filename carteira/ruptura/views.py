"""Page /carteira/pedidos/: open orders grouped by order, each with its ruptura button, filtered
and sorted by carteira.filtros.PedidosFilter (state in the URL)."""

from django.shortcuts import render

from carteira.filtros import PedidosFilter
from carteira.ruptura.api import PERMISSOES_RUPTURA
from carteira.ruptura.selectors import pedidos_agrupados
from core.paginas import exige


# Orders with their customers, each analysed for stock-out as the page opens (the ruptura API).
@exige(*PERMISSOES_RUPTURA)
def pagina(request):
    filtro = PedidosFilter(request.GET, request=request)
    valido = filtro.is_valid()
    ordem = filtro.ordem_escolhida
    analises = filtro.analises if ordem == "criticidade" else None
    pedidos, pagina_obj = pedidos_agrupados(
        request.GET.get("pagina", 1), base=filtro.qs, ordem=ordem, analises=analises
    )
    consulta = request.GET.copy()
    consulta.pop("pagina", None)
    return render(
        request,
        "carteira/pedidos.html",
        {
            "secao": "pedidos",
            "pedidos": pedidos,
            "pagina": pagina_obj,
            "filtro": filtro,
            "erros_filtro": [
                f"{filtro.form.fields[campo].label if campo in filtro.form.fields else 'Filtro'}: {erro}"
                for campo, lista in filtro.form.errors.items()
                for erro in lista
            ],
            "consulta": consulta.urlencode(),
        },
        status=200 if valido else 400,
    )
