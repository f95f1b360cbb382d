"""Pages of the order book: the carteira dashboard with the report modal.

The modal's download list is rendered by the relatorios template library (`{% load relatorios %}`).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from carteira import selectors


@login_required
def dashboard(request):
    contexto = {"painel": selectors.painel_carteira(timezone.localdate()), "secao": "carteira"}
    return render(request, "carteira/dashboard.html", contexto)
