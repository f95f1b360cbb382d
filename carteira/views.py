"""Pages of the order book: the carteira dashboard with the report modal.

The modal's download list is rendered by the relatorios template library (`{% load relatorios %}`).
"""

from django.shortcuts import render
from django.utils import timezone

from carteira import selectors
from core.paginas import exige


# The carteira's totals and its lines in stock-out (stock and projection).
@exige("carteira.view_carteiraprincipal", "estoque.view_estoquetemporeal", "estoque.view_movimentacaoprevista")
def dashboard(request):
    contexto = {"painel": selectors.painel_carteira(timezone.localdate()), "secao": "carteira"}
    return render(request, "carteira/dashboard.html", contexto)
