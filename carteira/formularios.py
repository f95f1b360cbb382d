"""Forms of the order workspace page (/carteira/pedidos/<num>/): they parse and bound the input;
the rules (free quantity, stale numbers, dates, statuses) are the services' (carteira.montagem)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from carteira.montagem import ItemLote
from core.limites import validar_data_negocio
from core.widgets import DataInput, QuantidadeInput

QTD = {"max_digits": 15, "decimal_places": 3}


class ItemLoteForm(forms.Form):
    incluir = forms.BooleanField(required=False)
    cod_produto = forms.CharField(max_length=50, widget=forms.HiddenInput)
    visto = forms.DecimalField(**QTD, widget=forms.HiddenInput)  # the free quantity the page showed
    qtd = forms.DecimalField(
        **QTD,
        required=False,
        min_value=Decimal("0.001"),
        widget=QuantidadeInput(attrs={"step": "0.001", "class": "form-control form-control-sm app-input-qtd"}),
    )
    data_expedicao = forms.DateField(
        required=False,
        validators=[validar_data_negocio],
        widget=DataInput(attrs={"class": "form-control form-control-sm app-data"}),
    )
    agendamento = forms.DateField(
        required=False,
        validators=[validar_data_negocio],
        widget=DataInput(attrs={"class": "form-control form-control-sm app-data"}),
    )
    protocolo = forms.CharField(
        max_length=50, required=False, widget=forms.TextInput(attrs={"class": "form-control form-control-sm"})
    )

    def clean(self):
        dados = super().clean()
        if dados.get("incluir"):
            if not dados.get("qtd"):
                self.add_error("qtd", "Informe a quantidade.")
            if not dados.get("data_expedicao"):
                self.add_error("data_expedicao", "Informe a data de expedição.")
        return dados


ItensLoteFormSet = forms.formset_factory(ItemLoteForm, extra=0, max_num=1000, absolute_max=1000)


def itens_escolhidos(formset) -> tuple[list[ItemLote], dict[str, Decimal]]:
    """(the lines marked to go in the lote, {cod_produto: free quantity shown}) of a valid formset."""
    itens, vistos = [], {}
    for dados in formset.cleaned_data:
        if not dados or not dados.get("incluir"):
            continue
        itens.append(
            ItemLote(
                cod_produto=dados["cod_produto"],
                qtd=dados["qtd"],
                data_expedicao=dados["data_expedicao"],
                agendamento=dados.get("agendamento"),
                protocolo=dados.get("protocolo") or "",
            )
        )
        vistos[dados["cod_produto"]] = dados["visto"]
    if not itens:
        raise ValidationError("Marque ao menos um produto para o lote.")
    return itens, vistos


class EdicaoItemForm(forms.Form):
    qtd_selecionada_usuario = forms.DecimalField(**QTD, min_value=Decimal("0.001"), label="quantidade")
    data_expedicao_editada = forms.DateField(validators=[validar_data_negocio], label="expedição")


def mensagens(erro) -> list[str]:
    """The pt-BR text of a form's or a service's ValidationError, field names dropped."""
    if hasattr(erro, "errors") and callable(getattr(erro, "non_form_errors", None)):  # a formset
        textos = list(erro.non_form_errors())
        for indice, form_erros in enumerate(erro.errors):
            for campo, lista in form_erros.items():
                cod = erro.forms[indice].data.get(erro.forms[indice].add_prefix("cod_produto"), "")
                textos += [f"Produto {cod} ({campo}): {texto}" for texto in lista]
        return textos
    if hasattr(erro, "errors"):  # a form
        return [f"{campo}: {texto}" for campo, lista in erro.errors.items() for texto in lista]
    return list(erro.messages)
