"""The embarques page: embarques with their lotes, and the forms of every action (same services as the
admin and the API). POST-redirect-GET; each action checks its own permission (403 page without it)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core.paginas import exige
from embarques import faturamento, selectors, services

FORMATOS_DATA = ["%Y-%m-%d", "%d/%m/%Y"]


class CriarForm(forms.Form):
    numero = forms.IntegerField(required=False, min_value=1, max_value=2_147_483_647)
    transportadora = forms.CharField(required=False, max_length=255)
    data_prevista_embarque = forms.DateField(required=False, input_formats=FORMATOS_DATA)


class AdicionarForm(forms.Form):
    embarque = forms.IntegerField(min_value=1)
    separacao_lote_id = forms.CharField(max_length=50)


class ItemForm(forms.Form):
    item = forms.IntegerField(min_value=1)


class EmbarcarForm(forms.Form):
    embarque = forms.IntegerField(min_value=1)
    data_embarque = forms.DateField(required=False, input_formats=FORMATOS_DATA)


class EmbarqueForm(forms.Form):
    embarque = forms.IntegerField(min_value=1)


class NotaForm(forms.Form):
    separacao_lote_id = forms.CharField(max_length=50)
    nota_fiscal = forms.CharField(max_length=20)


class CancelarNotaForm(forms.Form):
    separacao_lote_id = forms.CharField(max_length=50)
    nota_fiscal = forms.CharField(max_length=20, required=False)


def quantidades_do_post(post) -> dict[str, Decimal]:
    """The invoiced quantity per product from a form's paired `produto`/`qtd` lists (page and admin)."""
    produtos, qtds = post.getlist("produto"), post.getlist("qtd")
    if len(produtos) != len(qtds) or len(produtos) > 500:
        raise ValidationError({"itens": "Produtos e quantidades não conferem."})
    quantidades = {}
    for cod, texto in zip(produtos, qtds, strict=True):
        texto = texto.strip().replace(" ", "")
        if "," in texto:
            texto = texto.replace(".", "").replace(",", ".")
        try:
            quantidades[cod] = Decimal(texto) if texto else Decimal("0")
        except InvalidOperation:
            raise ValidationError({"itens": f"Quantidade inválida para o produto {cod}: “{texto}”."}) from None
    return quantidades


def _dados(form_class, post):
    form = form_class(post)
    if not form.is_valid():
        raise ValidationError({campo: [f"{campo}: {m}" for m in lista] for campo, lista in form.errors.items()})
    return form.cleaned_data


def _criar(request, post):
    d = _dados(CriarForm, post)
    emb = services.criar_embarque(
        numero=d["numero"], transportadora=d["transportadora"], data_prevista_embarque=d["data_prevista_embarque"]
    )
    return f"{emb} criado."


def _adicionar(request, post):
    d = _dados(AdicionarForm, post)
    item = services.adicionar_lote(d["embarque"], d["separacao_lote_id"])
    return f"Lote {item.separacao_lote_id} adicionado ao {item.embarque}."


def _remover(request, post):
    item = services.remover_lote(_dados(ItemForm, post)["item"])
    return f"Lote {item.separacao_lote_id} removido do {item.embarque}: voltou a ABERTO."


def _embarcar(request, post):
    d = _dados(EmbarcarForm, post)
    emb = services.marcar_embarcado(d["embarque"], d["data_embarque"])
    return f"{emb} embarcado em {emb.data_embarque:%d/%m/%Y}."


def _cancelar(request, post):
    emb = services.cancelar_embarque(_dados(EmbarqueForm, post)["embarque"])
    return f"{emb} cancelado: seus lotes voltaram a ABERTO."


def _faturar(request, post):
    d = _dados(NotaForm, post)
    r = faturamento.registrar_faturamento(
        separacao_lote_id=d["separacao_lote_id"],
        nota_fiscal=d["nota_fiscal"],
        quantidades=quantidades_do_post(post),
        usuario=request.user.get_username(),
    )
    return r.mensagem


def _cancelar_nf(request, post):
    d = _dados(CancelarNotaForm, post)
    fat = faturamento.cancelar_faturamento(
        separacao_lote_id=d["separacao_lote_id"], nota_fiscal=d["nota_fiscal"], usuario=request.user.get_username()
    )
    return f"NF {fat.nota_fiscal} do lote {fat.separacao_lote_id} cancelada."


# action -> (permission, handler)
ACOES = {
    "criar": ("embarques.add_embarque", _criar),
    "adicionar": ("embarques.add_embarqueitem", _adicionar),
    "remover": ("embarques.change_embarqueitem", _remover),
    "embarcar": ("embarques.change_embarque", _embarcar),
    "cancelar": ("embarques.change_embarque", _cancelar),
    "faturar": ("embarques.add_faturamentolote", _faturar),
    "cancelar_nf": ("embarques.change_faturamentolote", _cancelar_nf),
}


def _erros(erro: ValidationError) -> list[str]:
    if hasattr(erro, "error_dict"):
        return [m for lista in erro.message_dict.values() for m in lista]
    return list(erro.messages)


@exige("embarques.view_embarque", "embarques.view_embarqueitem")
@require_http_methods(["GET", "HEAD", "POST"])
def pagina(request):
    if request.method == "POST":
        acao = ACOES.get(request.POST.get("acao", ""))
        if acao is None:
            messages.error(request, "Ação desconhecida.")
            return redirect("embarques_paginas:pagina")
        permissao, funcao = acao
        if not request.user.has_perm(permissao):
            raise PermissionDenied
        try:
            messages.success(request, funcao(request, request.POST))
        except ValidationError as erro:
            for mensagem in _erros(erro):
                messages.error(request, mensagem)
        return redirect("embarques_paginas:pagina")
    usuario = request.user
    contexto = {
        "secao": "embarques",
        "embarques": selectors.painel(),
        "lotes_livres": selectors.lotes_livres(),
        "pode": {nome: usuario.has_perm(permissao) for nome, (permissao, _) in ACOES.items()},
    }
    return render(request, "embarques/painel.html", contexto)
