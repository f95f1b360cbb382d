"""Pages of the real-time stock: the Saldo de estoque list (/estoque/) and one product (/estoque/produto/<cod>/).

Both read the derived tables through estoque.selectors; the rows the domain apps own come
through their registered readers (estoque.registro). Permissions: the page needs the view
permission on EstoqueTempoReal (anonymous: login; without it: 403); each secondary section
needs its own view permission and is hidden, not fatal, without it:

- list columns Em carteira / Em pré-separação / Em separação (and their filter and sort):
  carteira.view_carteiraprincipal / view_preseparacaoitem / view_separacao;
- product page: the rows behind each day per source (producao.view_programacaoproducao,
  carteira.view_preseparacaoitem, carteira.view_separacao; the day totals stay), the last
  movements (estoque.view_movimentacaoestoque) and the open order lines
  (carteira.view_carteiraprincipal).

The product's Histórico (/estoque/produto/<cod>/historico/, a page of its own: the product page is
live and heavy) lists the history of every code of the group from the tables the user may view
(core.historico_leitura.consultas_para: each model's view permission).
"""

from urllib.parse import quote

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from core import historico_leitura, historico_pagina
from core.paginas import exige
from estoque import selectors as selectors_estoque
from estoque.filtros import ROTULOS_ORDEM, SaldoEstoqueFilter
from estoque.models import AlertaRuptura
from estoque.projecao import resumir
from estoque.selectors import alertas as selectors_alertas
from estoque.selectors import detalhe as selectors_detalhe
from estoque.selectors import saldo as selectors_saldo
from estoque.serializers_telas import ComposicaoSerializer
from estoque.services import alertas as servicos_alertas

PERMISSAO_ESTOQUE = "estoque.view_estoquetemporeal"
VER_ALERTAS = "estoque.view_alertaruptura"
RECONHECER_ALERTAS = "estoque.reconhecer_alertaruptura"
POR_PAGINA_PADRAO = 50


def _por_pagina(parametros) -> int:
    try:
        valor = int(parametros.get("por_pagina", POR_PAGINA_PADRAO))
    except ValueError:
        return POR_PAGINA_PADRAO
    return valor if valor in selectors_saldo.POR_PAGINA else POR_PAGINA_PADRAO


def _consulta(parametros, **mudancas) -> str:
    """The query string of the current view with some parameters changed (None removes one)."""
    dados = parametros.copy()
    for chave, valor in mudancas.items():
        dados.pop(chave, None)
        if valor is not None:
            dados[chave] = valor
    return dados.urlencode()


def _colunas_ordenaveis(parametros, ordem: str, chaves) -> dict[str, dict]:
    """Per sortable column: the link that sorts by it (toggling the direction) and its aria-sort."""
    atual, decrescente = ordem.lstrip("-"), ordem.startswith("-")
    colunas = {}
    for chave in chaves:
        proxima = f"-{chave}" if chave == atual and not decrescente else chave
        sentido = ("descending" if decrescente else "ascending") if chave == atual else "none"
        colunas[chave] = {
            "url": "?" + _consulta(parametros, ordem=proxima, pagina=None),
            "aria_sort": sentido,
            "rotulo": ROTULOS_ORDEM[chave],
        }
    return colunas


@exige(PERMISSAO_ESTOQUE)
def saldo(request):
    gerado_em = timezone.localtime().isoformat()  # before the reads: live updates catch up from here
    filtro = SaldoEstoqueFilter(request.GET, request=request)
    por_pagina = _por_pagina(request.GET)
    pagina = selectors_saldo.paginar(
        filtro.qs, filtro.ordem_escolhida, request.GET.get("pagina"), por_pagina, request.user, timezone.localdate()
    )
    # One reverse() for the page, not one per row (200 rows: a few ms of the render).
    prefixo = reverse("estoque_paginas:produto", args=["-"])[:-2]
    for linha in pagina.linhas:
        linha.url = f"{prefixo}{quote(linha.cod_produto, safe='')}/"
    parametros = request.GET.copy()
    colunas = _colunas_ordenaveis(parametros, pagina.ordem, selectors_saldo.ordens_permitidas(request.user))
    contexto = {
        "secao": "estoque",
        "gerado_em": gerado_em,
        "filtro": filtro,
        "pagina": pagina,
        "por_pagina": por_pagina,
        "opcoes_por_pagina": selectors_saldo.POR_PAGINA,
        "colunas": colunas,
        "alocacoes": {alocacao.chave: alocacao for alocacao in pagina.alocacoes},
        "total_alertas_ruptura": selectors_alertas.total_abertos() if request.user.has_perm(VER_ALERTAS) else None,
        "consulta_exportar": _consulta(parametros, pagina=None, por_pagina=None),
        "url_anterior": "?" + _consulta(parametros, pagina=str(pagina.pagina.number - 1))
        if pagina.pagina.has_previous()
        else "",
        "url_proxima": "?" + _consulta(parametros, pagina=str(pagina.pagina.number + 1))
        if pagina.pagina.has_next()
        else "",
    }
    return render(request, "estoque/saldo.html", contexto)


@exige(PERMISSAO_ESTOQUE)
def produto(request, cod):
    gerado_em = timezone.localtime().isoformat()  # before the reads: live updates catch up from here
    pagina = None
    if "\x00" not in cod and len(cod) <= 50:  # no stored code has them (PostgreSQL refuses a NUL)
        pagina = selectors_detalhe.pagina(cod, request.user)
    if pagina is None:
        return render(request, "estoque/produto_404.html", {"secao": "estoque", "cod": cod}, status=404)
    dados = ComposicaoSerializer(pagina.composicao, context={"resumo": resumir(pagina.produto.projecao)}).data
    movimentacoes_url = None
    if pagina.movimentacoes is not None:
        codigos = ",".join(pagina.produto.codigos_unificados)
        movimentacoes_url = (
            reverse("admin:estoque_movimentacaoestoque_changelist") + "?" + urlencode({"cod_produto__in": codigos})
        )
    contexto = {
        "secao": "estoque",
        "gerado_em": gerado_em,
        "p": pagina,
        "produto": pagina.produto,
        "composicao": pagina.composicao,
        "dados": dados,
        "movimentacoes_url": movimentacoes_url,
        "api_composicao": reverse("estoque:composicao", args=[pagina.produto.cod_principal]),
    }
    return render(request, "estoque/produto.html", contexto)


# The product's Histórico: every code of its group, the tables this user may view (per model).
@exige(PERMISSAO_ESTOQUE)
def produto_historico(request, cod):
    produto = None
    if "\x00" not in cod and len(cod) <= 50:
        produto = selectors_estoque.produto(cod)
    if produto is None:
        return render(request, "estoque/produto_404.html", {"secao": "estoque", "cod": cod}, status=404)
    consultas = historico_leitura.consultas_para("produto", produto.codigos_unificados, request.user)
    contexto, status = historico_pagina.contexto(request, consultas)
    contexto.update({"secao": "estoque", "produto": produto})
    return render(request, "estoque/produto_historico.html", contexto, status=status)


# ---------------------------------------------------------------- ruptura alerts


@exige(VER_ALERTAS)
def alertas(request):
    contexto = {
        "secao": "estoque",
        "lista": selectors_alertas.lista(),
        "pode_reconhecer": request.user.has_perm(RECONHECER_ALERTAS),
    }
    return render(request, "estoque/alertas.html", contexto)


@require_POST
@exige(VER_ALERTAS, RECONHECER_ALERTAS)
def reconhecer_alerta(request, pk):
    alerta = get_object_or_404(AlertaRuptura, pk=pk)
    if servicos_alertas.reconhecer([alerta.pk], request.user.get_username()):
        messages.success(request, f"Alerta de ruptura de {alerta.cod_produto} reconhecido.")
    else:
        messages.info(request, "Este alerta já tinha sido reconhecido.")
    return redirect("estoque_paginas:alertas")


@require_POST
@exige(VER_ALERTAS, RECONHECER_ALERTAS)
def reconhecer_todos(request):
    total = servicos_alertas.reconhecer(None, request.user.get_username())
    messages.success(request, f"{total} alerta(s) de ruptura reconhecido(s).")
    return redirect("estoque_paginas:alertas")
