"""Pages of the order book: the carteira dashboard with the report modal."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from relatorios import selectors as relatorios_selectors
from relatorios.exportacoes import RELATORIOS
from relatorios.views import pode_baixar

BOTOES_RELATORIOS = (
    ("pre-separacoes", "Pré-separações", "CRIADO e RECOMPOSTO, por data de expedição"),
    ("separacoes", "Separações", "com o status do pedido, por data de expedição"),
    ("carteira", "Carteira de pedidos", "linhas em aberto, por data do pedido"),
    ("carteira-detalhada", "Carteira detalhada", "pedido + pré-separações + separações, por data do pedido"),
)


@login_required
def dashboard(request):
    hoje = timezone.localdate()
    botoes = [
        {
            "chave": chave,
            "rotulo": rotulo,
            "ajuda": ajuda,
            "url": reverse("relatorios:baixar", args=[chave]),
            "titulo": RELATORIOS[chave].titulo,
            "permitido": pode_baixar(request.user, chave),
        }
        for chave, rotulo, ajuda in BOTOES_RELATORIOS
    ]
    contexto = {"painel": relatorios_selectors.painel_carteira(hoje), "botoes": botoes, "secao": "carteira"}
    return render(request, "carteira/dashboard.html", contexto)
