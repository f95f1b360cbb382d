"""The Operação page (GET only: it changes nothing)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.paginas import exige
from core.saude import PERMISSOES_OPERACAO
from operacao import selectors


@exige(*PERMISSOES_OPERACAO)
@require_safe
def pagina(request):
    return render(request, "operacao/painel.html", {"secao": "operacao", **selectors.painel()})
