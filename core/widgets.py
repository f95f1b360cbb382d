"""Form widgets shared by the pages."""

from django import forms

from core.templatetags.formatos import valor_de_input


class QuantidadeInput(forms.NumberInput):
    """A quantity field's <input type="number"> showing "5", never "5.000" (see valor_de_input)."""

    def format_value(self, value):
        return valor_de_input(value) or None
