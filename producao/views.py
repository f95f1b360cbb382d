"""Pages of production planning: the schedule with the "Relatórios Produção" button."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from relatorios import selectors as relatorios_selectors
from relatorios.views import DataInvalida, ler_periodo, pode_baixar
from relatorios.selectors import Periodo

POR_PAGINA = 50


@login_required
def dashboard(request):
    hoje = timezone.localdate()
    erro = ""
    try:
        periodo = ler_periodo(request.GET)
    except DataInvalida as exc:
        periodo, erro = Periodo(), str(exc)
    painel = relatorios_selectors.painel_producao(hoje, periodo)
    pagina = Paginator(painel["programacoes"], POR_PAGINA).get_page(request.GET.get("pagina"))
    filtros = request.GET.copy()
    filtros.pop("pagina", None)
    contexto = {
        "painel": painel,
        "pagina": pagina,
        "filtros": filtros.urlencode(),
        "erro": erro,
        "url_relatorio": reverse("relatorios:baixar", args=["producao"]),
        "pode_relatorio": pode_baixar(request.user, "producao"),
        "secao": "producao",
    }
    return render(request, "producao/dashboard.html", contexto)
