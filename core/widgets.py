"""Form widgets shared by the pages."""

from django import forms

from core.templatetags.formatos import valor_de_input


class QuantidadeInput(forms.NumberInput):
    """A quantity field's <input type="number"> showing "5", never "5.000" (see valor_de_input)."""

    def format_value(self, value):
        return valor_de_input(value) or None


# A date typed as dd/mm/aaaa in a text field: a native <input type="date"> shows the browser's
# format (mm/dd/yyyy in an en-US browser), and the pages are pt-BR whatever the browser's language.
# Django's pt-BR DATE_INPUT_FORMATS read dd/mm/aaaa (and ISO); templates writing the element by hand
# use the same attributes (ATRIBUTOS_DATA).
ATRIBUTOS_DATA = {"placeholder": "dd/mm/aaaa", "inputmode": "numeric", "maxlength": "10", "autocomplete": "off"}


class DataInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs=None):
        super().__init__({**ATRIBUTOS_DATA, **(attrs or {})}, format="%d/%m/%Y")
