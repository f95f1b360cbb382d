"""Pages of the order book: the carteira dashboard (report modal, COTADA alerts) and the order
workspace /carteira/pedidos/<num>/ where lotes are simulated, created, edited and confirmed.

Every write is a plain POST form (CSRF) through carteira.services / carteira.montagem, then a
redirect with a message; a refused lote re-renders the page with the typed values and the reasons.
/carteira/pedidos/<num>/historico/ is the order's Histórico: its lines and the lotes it has or had.
The modal's download list is rendered by the relatorios template library (`{% load relatorios %}`).
"""

from collections import OrderedDict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from carteira import montagem, selectors, services
from carteira.filtros import CRITICIDADES
from carteira.formularios import EdicaoItemForm, ItensLoteFormSet, itens_escolhidos, mensagens
from carteira.models import AlertaSeparacaoCotada, CarteiraPrincipal, PreSeparacaoItem
from carteira.ruptura.analise import analisar_pedido
from carteira.ruptura.api import PERMISSOES_RUPTURA
from core import historico_leitura, historico_pagina
from core.paginas import exige
from estoque.selectors import alertas as alertas_ruptura

VER_ALERTAS = "carteira.view_alertaseparacaocotada"
VER_PEDIDO = (*PERMISSOES_RUPTURA, "carteira.view_preseparacaoitem", "carteira.view_separacao")
CRIAR = "carteira.add_preseparacaoitem"
EDITAR = "carteira.change_preseparacaoitem"
REMOVER = "carteira.delete_preseparacaoitem"
CONFIRMAR = (EDITAR, "carteira.add_separacao")
SPARK_LARGURA, SPARK_ALTURA = 112, 24


# The carteira's totals, its lines in stock-out (stock and projection) and the open COTADA alerts.
@exige("carteira.view_carteiraprincipal", "estoque.view_estoquetemporeal", "estoque.view_movimentacaoprevista")
def dashboard(request):
    contexto = {"painel": selectors.painel_carteira(timezone.localdate()), "secao": "carteira"}
    contexto["total_alertas_ruptura"] = (
        alertas_ruptura.total_abertos() if request.user.has_perm("estoque.view_alertaruptura") else None
    )
    if request.user.has_perm(VER_ALERTAS):
        contexto["alertas"] = selectors.alertas_abertos()
        contexto["total_alertas"] = selectors.total_alertas_abertos()
        contexto["pode_reconhecer"] = request.user.has_perm("carteira.change_alertaseparacaocotada")
    return render(request, "carteira/dashboard.html", contexto)


@require_POST
@exige("carteira.change_alertaseparacaocotada")
def reconhecer_alerta(request, pk):
    alerta = get_object_or_404(AlertaSeparacaoCotada, pk=pk)
    if services.reconhecer_alertas([alerta.pk], request.user.get_username()):
        messages.success(request, f"Alerta do lote {alerta.separacao_lote_id} ({alerta.cod_produto}) reconhecido.")
    else:
        messages.info(request, "Este alerta já tinha sido reconhecido.")
    return redirect(_voltar(request, "carteira_paginas:dashboard"))


def _voltar(request, padrao: str, *args):
    """Back to the page the form was on (only this site's paths), else `padrao`."""
    destino = request.POST.get("voltar", "")
    if destino.startswith("/") and not destino.startswith("//"):
        return destino
    return redirect(padrao, *args).url


# ---------------------------------------------------------------- order workspace


def _spark(projecao) -> str:
    """SVG polyline points of the mini projection (y grows downwards; zero kept inside the box)."""
    valores = [dia.saldo_final for dia in projecao]
    if not valores:
        return ""
    baixo, alto = min(min(valores), 0), max(max(valores), 0)
    escala = (alto - baixo) or 1
    passo = SPARK_LARGURA / max(len(valores) - 1, 1)
    return " ".join(
        f"{i * passo:.1f},{SPARK_ALTURA - 2 - float((v - baixo) / escala) * (SPARK_ALTURA - 4):.1f}"
        for i, v in enumerate(valores)
    )


def _agrupar(linhas, chave):
    grupos: OrderedDict[str, list] = OrderedDict()
    for linha in linhas:
        grupos.setdefault(getattr(linha, chave), []).append(linha)
    return grupos


def _contexto(request, num_pedido: str, formset=None, simulacao=None, erros=None) -> dict:
    gerado_em = timezone.localtime().isoformat()  # before the reads: live updates catch up from here
    dados = selectors.workspace(num_pedido)
    if dados is None:
        raise Http404(f"Pedido {num_pedido} não está na carteira.")
    hoje = dados["data_referencia"]
    analise = analisar_pedido(num_pedido, hoje)
    ruptura = {linha.cod_produto: linha for linha in analise.linhas} if analise else {}
    if formset is None:
        formset = ItensLoteFormSet(
            prefix="itens",
            initial=[
                {
                    "cod_produto": item["cod_produto"],
                    "visto": item["qtd_saldo"],
                    "qtd": item["qtd_saldo"] if item["qtd_saldo"] > 0 else None,
                    "data_expedicao": hoje,
                }
                for item in dados["itens"]
            ],
        )
    forms = {form["cod_produto"].value(): form for form in formset.forms}
    linhas = [
        {
            **item,
            "form": forms.get(item["cod_produto"]),
            "ruptura": ruptura.get(item["cod_produto"]),
            "spark": _spark(item["projecao"]),
            "simulacao": (simulacao or {}).get(item["cod_produto"]),
        }
        for item in dados["itens"]
    ]
    usuario = request.user
    pres = dados["pre_separacoes"]
    return {
        "secao": "pedidos",
        "gerado_em": gerado_em,
        "pedido": dados,
        "linhas": linhas,
        "formset": formset,
        "analise": analise,
        "criticidade_rotulo": dict(CRITICIDADES).get(analise.criticidade, "") if analise else "",
        "simulacao": simulacao,
        "erros": erros or [],
        "lotes_pre": _agrupar([p for p in pres if p.separacao_lote_id], "separacao_lote_id"),
        "avulsas": [p for p in pres if not p.separacao_lote_id],
        "lotes_sep": _agrupar(dados["separacoes"], "separacao_lote_id"),
        "alertas": selectors.alertas_abertos(num_pedido) if usuario.has_perm(VER_ALERTAS) else [],
        "pode": {
            "criar": usuario.has_perm(CRIAR),
            "editar": usuario.has_perm(EDITAR),
            "remover": usuario.has_perm(REMOVER),
            "confirmar": usuario.has_perms(CONFIRMAR),
            "reconhecer": usuario.has_perm("carteira.change_alertaseparacaocotada"),
        },
        "spark": {"largura": SPARK_LARGURA, "altura": SPARK_ALTURA},
    }


# One order: its lines against the stock (live), the lote form, its lotes and separações.
@exige(*VER_PEDIDO)
def pedido(request, num_pedido):
    return render(request, "carteira/pedido.html", _contexto(request, num_pedido))


# The order's Histórico: its lines and the lotes it has or had (per model, the tables this user may view).
@exige(*VER_PEDIDO)
def pedido_historico(request, num_pedido):
    if not (
        CarteiraPrincipal.objects.filter(num_pedido=num_pedido).exists()
        or CarteiraPrincipal.history.filter(num_pedido=num_pedido).exists()
    ):
        raise Http404(f"Pedido {num_pedido} não está na carteira.")
    lotes = historico_leitura.valores_ligados("pedido", [num_pedido], "lote")
    consultas = historico_leitura.juntar(
        historico_leitura.consultas_para("pedido", [num_pedido], request.user),
        historico_leitura.consultas_para("lote", lotes, request.user),
    )
    contexto, status = historico_pagina.contexto(request, consultas)
    contexto.update({"secao": "pedidos", "num_pedido": num_pedido, "lotes": lotes})
    return render(request, "carteira/pedido_historico.html", contexto, status=status)


def _formset_valido(request, num_pedido):
    formset = ItensLoteFormSet(request.POST, prefix="itens")
    if not formset.is_valid():
        return formset, None, mensagens(formset)
    try:
        itens, vistos = itens_escolhidos(formset)
    except ValidationError as erro:
        return formset, None, mensagens(erro)
    return formset, (itens, vistos), []


# Simulating writes nothing: whoever may open the page may simulate.
@require_POST
@exige(*VER_PEDIDO)
def simular(request, num_pedido):
    formset, escolha, erros = _formset_valido(request, num_pedido)
    simulacao = None
    if escolha:
        try:
            simulacao = {s.cod_produto: s for s in montagem.simular_lote(num_pedido, escolha[0])}
        except ValidationError as erro:
            erros = mensagens(erro)
    contexto = _contexto(request, num_pedido, formset, simulacao, erros)
    return render(request, "carteira/pedido.html", contexto, status=400 if erros else 200)


@require_POST
@exige(*VER_PEDIDO, CRIAR)
def criar_lote(request, num_pedido):
    formset, escolha, erros = _formset_valido(request, num_pedido)
    if escolha:
        itens, vistos = escolha
        try:
            lote, pres = montagem.criar_lote_pre_separacao(
                num_pedido, itens, usuario=request.user.get_username(), vistos=vistos
            )
        except ValidationError as erro:
            erros = mensagens(erro)
        else:
            messages.success(request, f"Lote {lote} criado com {len(pres)} produto(s).")
            return redirect("carteira_paginas:pedido", num_pedido)
    contexto = _contexto(request, num_pedido, formset, None, erros)
    return render(request, "carteira/pedido.html", contexto, status=400)


def _item_do_pedido(num_pedido: str, pk: int) -> PreSeparacaoItem:
    return get_object_or_404(PreSeparacaoItem, pk=pk, num_pedido=num_pedido)


def _executar(request, num_pedido, acao, sucesso: str):
    try:
        acao()
    except ValidationError as erro:
        for texto in mensagens(erro):
            messages.error(request, texto)
    else:
        messages.success(request, sucesso)
    return redirect("carteira_paginas:pedido", num_pedido)


@require_POST
@exige(*VER_PEDIDO, EDITAR)
def editar_item(request, num_pedido, pk):
    pre = _item_do_pedido(num_pedido, pk)
    form = EdicaoItemForm(request.POST)
    if not form.is_valid():
        for texto in mensagens(form):
            messages.error(request, texto)
        return redirect("carteira_paginas:pedido", num_pedido)
    return _executar(
        request,
        num_pedido,
        lambda: services.editar_pre_separacao(pre.pk, form.cleaned_data),
        f"Pré-separação de {pre.cod_produto} alterada.",
    )


@require_POST
@exige(*VER_PEDIDO, REMOVER)
def remover_item(request, num_pedido, pk):
    pre = _item_do_pedido(num_pedido, pk)
    return _executar(
        request,
        num_pedido,
        lambda: services.excluir_pre_separacao(pre.pk),
        f"Pré-separação de {pre.cod_produto} removida.",
    )


@require_POST
@exige(*VER_PEDIDO, *CONFIRMAR)
def confirmar_item(request, num_pedido, pk):
    """A pré-separação without a lote (made by the API) goes to separação alone, in a lote of its own."""
    pre = _item_do_pedido(num_pedido, pk)
    return _executar(
        request,
        num_pedido,
        lambda: services.confirmar_pre_separacao(pre.pk),
        f"Pré-separação de {pre.cod_produto} enviada para separação.",
    )


def _exigir_lote_do_pedido(num_pedido: str, lote: str):
    if (
        not PreSeparacaoItem.objects.filter(num_pedido=num_pedido, separacao_lote_id=lote)
        .exclude(separacao_lote_id="")
        .exists()
    ):
        raise Http404(f"O pedido {num_pedido} não tem o lote {lote}.")


@require_POST
@exige(*VER_PEDIDO, REMOVER)
def cancelar_lote(request, num_pedido, lote):
    _exigir_lote_do_pedido(num_pedido, lote)
    return _executar(request, num_pedido, lambda: montagem.cancelar_lote(lote), f"Lote {lote} cancelado.")


@require_POST
@exige(*VER_PEDIDO, *CONFIRMAR)
def confirmar_lote(request, num_pedido, lote):
    _exigir_lote_do_pedido(num_pedido, lote)
    return _executar(request, num_pedido, lambda: montagem.confirmar_lote(lote), f"Lote {lote} enviado para separação.")
