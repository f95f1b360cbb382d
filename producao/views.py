"""Pages of production planning: the schedule with the "Relatórios Produção" button.

The button's link and permission come through the relatorios template library (`{% load relatorios %}`).
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from core.paginas import exige
from core.periodo import DataInvalida, Periodo, ler_periodo
from producao import selectors

POR_PAGINA = 50


# The schedule and the stock status counts.
@exige("producao.view_programacaoproducao", "estoque.view_estoquetemporeal")
def dashboard(request):
    hoje = timezone.localdate()
    erro = ""
    try:
        periodo = ler_periodo(request.GET)
    except DataInvalida as exc:
        periodo, erro = Periodo(), str(exc)
    painel = selectors.painel_producao(hoje, periodo)
    pagina = Paginator(painel["programacoes"], POR_PAGINA).get_page(request.GET.get("pagina"))
    filtros = request.GET.copy()
    filtros.pop("pagina", None)
    contexto = {
        "painel": painel,
        "pagina": pagina,
        "filtros": filtros.urlencode(),
        "erro": erro,
        "secao": "producao",
    }
    return render(request, "producao/dashboard.html", contexto)
