"""Report buttons on the domain apps' pages.

The carteira and production templates `{% load relatorios %}`: a template library is found
by name at render time, so those apps never import relatorios (relatorios reads them,
not the reverse).
"""

from django import template
from django.urls import reverse

from relatorios.exportacoes import RELATORIOS
from relatorios.views import pode_baixar

register = template.Library()

# Each dashboard's reports: (key, label, what the date range filters).
PAINEIS = {
    "carteira": (
        ("pre-separacoes", "Pré-separações", "CRIADO e RECOMPOSTO, por data de expedição"),
        ("separacoes", "Separações", "com o status do pedido, por data de expedição"),
        ("carteira", "Carteira de pedidos", "linhas em aberto, por data do pedido"),
        ("carteira-detalhada", "Carteira detalhada", "pedido + pré-separações + separações, por data do pedido"),
    ),
}


def _botao(usuario, chave: str, rotulo: str = "", ajuda: str = "") -> dict:
    return {
        "chave": chave,
        "rotulo": rotulo or RELATORIOS[chave].titulo,
        "ajuda": ajuda,
        "url": reverse("relatorios:baixar", args=[chave]),
        "titulo": RELATORIOS[chave].titulo,
        "permitido": pode_baixar(usuario, chave),
    }


@register.inclusion_tag("relatorios/botoes.html", takes_context=True)
def botoes_relatorios(context, painel: str):
    """The download list of a dashboard's report modal; a report the user may not read shows disabled."""
    usuario = context["request"].user
    return {"botoes": [_botao(usuario, *botao) for botao in PAINEIS[painel]]}


@register.simple_tag(takes_context=True)
def relatorio(context, chave: str) -> dict:
    """One report's url, title and whether the user may download it: `{% relatorio "producao" as r %}`."""
    return _botao(context["request"].user, chave)
