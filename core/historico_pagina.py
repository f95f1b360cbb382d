"""The Histórico section of a page: its filter (De, Até, Usuário), one page of entries and the
"Mais antigos" link, for any set of (model, Q) pairs (core.historico_leitura). Used by the product's
and the order's Histórico pages; the admin shows one row's history with the same table.
"""

from django import forms
from django.utils.http import urlencode

from core import historico_leitura
from core.limites import validar_data_negocio
from core.widgets import DataInput

POR_PAGINA = 50
FORMATOS_DATA = ["%d/%m/%Y", "%Y-%m-%d"]
CURSOR_INVALIDO = "O endereço de paginação é inválido; mostrando as alterações mais recentes."


class FiltroData(forms.DateField):
    input_formats = FORMATOS_DATA
    default_validators = [validar_data_negocio]
    default_error_messages = {"invalid": "Data inválida: use dd/mm/aaaa."}


class FiltroHistorico(forms.Form):
    de = FiltroData(label="De", required=False, widget=DataInput(attrs={"class": "form-control form-control-sm"}))
    ate = FiltroData(label="Até", required=False, widget=DataInput(attrs={"class": "form-control form-control-sm"}))
    usuario = forms.ChoiceField(
        label="Usuário", required=False, widget=forms.Select(attrs={"class": "form-select form-select-sm"})
    )

    def __init__(self, *args, usuarios=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usuario"].choices = [("", "Todos"), *((nome, nome) for nome in usuarios)]


def contexto(request, consultas, por_pagina: int = POR_PAGINA) -> tuple[dict, int]:
    """(template context, HTTP status) of the Histórico section for these (model, Q) pairs.

    A filter that does not validate is shown with its error and left out; a malformed cursor
    answers 400 with the first page (a hand-edited address, never a 500).
    """
    parametros = request.GET
    form = FiltroHistorico(
        {chave: parametros.get(chave, "") for chave in ("de", "ate", "usuario")},
        usuarios=historico_leitura.usuarios(consultas),
    )
    form.is_valid()
    filtros = {chave: form.cleaned_data.get(chave) for chave in ("de", "ate", "usuario") if chave not in form.errors}
    status, erro = 200, ""
    argumentos = {
        "limite": por_pagina,
        "desde": filtros.get("de"),
        "ate": filtros.get("ate"),
        "usuario": filtros.get("usuario") or None,
    }
    try:
        pagina = historico_leitura.listar(consultas, antes=parametros.get("antes") or None, **argumentos)
    except historico_leitura.CursorInvalido:
        pagina = historico_leitura.listar(consultas, **argumentos)
        status, erro = 400, CURSOR_INVALIDO
    mantidos = {chave: parametros[chave] for chave in ("de", "ate", "usuario") if parametros.get(chave)}
    return {
        "form_historico": form,
        "entradas": pagina.entradas,
        "url_mais_antigos": "?" + urlencode({**mantidos, "antes": pagina.proximo}) if pagina.proximo else "",
        "url_mais_recentes": "?" + urlencode(mantidos) if parametros.get("antes") else "",
        "filtrado": bool(mantidos),
        "erro_historico": erro,
    }, status
