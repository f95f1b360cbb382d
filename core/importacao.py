"""The base of the admin's spreadsheet exports (django-import-export): pt-BR widgets and the resource.

Imports are core.importacoes (preview, confirmation, the services' rules); the widgets here
only render what the admin exports (dates dd/mm/aaaa, codes as text). `campos_da_condicao`
maps a CHECK constraint to the fields it reads, so a violation lands on the field to fix.
"""

import unicodedata
from datetime import datetime
from decimal import InvalidOperation

import tablib
from django.db.models import F, Q
from django.db.models.constants import LOOKUP_SEP
from import_export import resources, widgets
from import_export.formats.base_formats import CSV

from core import planilhas
from core.limites import MENSAGEM_CONTROLE, tem_controle

MAX_INTEIRO = 2**63 - 1


def _normalizar(texto) -> str:
    sem_acento = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return sem_acento.strip().upper()


class TextoWidget(widgets.CharWidget):
    """Strips blanks; a code typed as a number in Excel (4510156.0) comes back as '4510156'."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        texto = super().clean(value, row=row, **kwargs)
        if isinstance(texto, str) and tem_controle(texto):
            raise ValueError(MENSAGEM_CONTROLE)
        return texto.strip() if isinstance(texto, str) else texto


class NumeroWidget(widgets.DecimalWidget):
    """Decimal from a number cell or pt-BR text ('1.234,5'); anything else is a field error."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            raise ValueError(f"“{value}” não é um número.")
        try:
            return super().clean(value, row=row, **kwargs)
        except (InvalidOperation, ValueError, TypeError):
            raise ValueError(f"“{value}” não é um número.") from None


class InteiroWidget(widgets.IntegerWidget):
    """Whole numbers only: '1,5' is an error, not a silent 1."""

    def clean(self, value, row=None, **kwargs):
        numero = NumeroWidget().clean(value, row=row, **kwargs)
        if numero is None:
            return None
        if not numero.is_finite() or numero != numero.to_integral_value():
            raise ValueError(f"“{value}” não é um número inteiro.")
        if abs(numero) > MAX_INTEIRO:  # int() of 1e999999999 would build a billion-digit number
            raise ValueError(f"“{value}” é grande demais.")
        return super().clean(numero, row=row, **kwargs)


class DataWidget(widgets.DateWidget):
    """Dates as Brazilians write them (dd/mm/aaaa) or ISO; never the US month-first order."""

    FORMATOS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y")

    def __init__(self, format=None, coerce_to_string=True):
        super().__init__(format=format, coerce_to_string=coerce_to_string)
        if format is None:
            self.formats = self.FORMATOS

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime):  # an Excel date cell
            return value.date()
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().clean(value, row=row, **kwargs)
        except (ValueError, TypeError):
            raise ValueError(f"“{value}” não é uma data (use dd/mm/aaaa).") from None


class SimNaoWidget(widgets.BooleanWidget):
    """sim/não, 1/0, true/false; an unknown word is an error, not a silent False."""

    VERDADEIROS = {"1", "TRUE", "SIM", "S", "VERDADEIRO", "X"}
    FALSOS = {"0", "FALSE", "NAO", "N", "FALSO"}

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)) and value in (0, 1):
            return bool(value)
        texto = _normalizar(value)
        if texto in self.VERDADEIROS:
            return True
        if texto in self.FALSOS:
            return False
        raise ValueError(f"“{value}” não é sim/não.")


class EscolhaWidget(TextoWidget):
    """A choice by its code or its label, any case or accent ('Saída' -> 'SAIDA').

    An unknown text is kept as typed, so the model's validation reports it on its field.
    """

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.por_texto = {}
        for valor, rotulo in choices:
            self.por_texto[_normalizar(rotulo)] = valor
            self.por_texto[_normalizar(valor)] = valor

    def clean(self, value, row=None, **kwargs):
        texto = super().clean(value, row=row, **kwargs)
        return self.por_texto.get(_normalizar(texto), texto) if texto else texto


def _dataset(linhas: list[tuple]) -> tablib.Dataset:
    """Header on line 1, as import-export numbers lines (ResultadoPlanilha)."""
    dataset = tablib.Dataset()
    if linhas:
        dataset.headers = list(linhas[0])
        for linha in linhas[1:]:
            dataset.append(linha)
    return dataset


class CSVBrasil(CSV):
    """CSV saved by Excel in Portuguese (';') or with commas: the header line decides.

    Read as bytes, so core.planilhas.decodificar takes UTF-8 or Windows-1252 (Excel's
    "CSV" in Portuguese), as the carteira sync does."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        texto = planilhas.decodificar(in_stream) if isinstance(in_stream, bytes) else in_stream
        return _dataset(planilhas.ler_csv(texto))


def campos_da_condicao(condicao) -> list[str]:
    """Model fields a CHECK condition reads, in order of appearance."""
    campos = []
    for filho in condicao.children:
        if isinstance(filho, Q):
            nomes = campos_da_condicao(filho)
        else:
            lookup, valor = filho
            nomes = [lookup.split(LOOKUP_SEP)[0]] + ([valor.name] if isinstance(valor, F) else [])  # type: ignore[attr-defined]  # F.name is set in __init__; the stubs omit it
        campos += [nome for nome in nomes if nome not in campos]
    return campos


class ImportacaoResource(resources.ModelResource):
    """Base of the admin's spreadsheet exports: pt-BR widgets (dates dd/mm/aaaa, codes as text)."""

    WIDGETS_MAP = {
        **resources.ModelResource.WIDGETS_MAP,
        "CharField": TextoWidget,
        "TextField": TextoWidget,
        **dict.fromkeys(
            (
                "AutoField",
                "BigAutoField",
                "IntegerField",
                "BigIntegerField",
                "PositiveIntegerField",
                "PositiveSmallIntegerField",
                "SmallIntegerField",
            ),
            InteiroWidget,
        ),
        "DecimalField": NumeroWidget,
        "DateField": DataWidget,
        "BooleanField": SimNaoWidget,
    }

    class Meta:
        skip_unchanged = False

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        campo = super().field_from_django_field(field_name, django_field, readonly)
        if django_field.choices and django_field.get_internal_type() == "CharField":
            campo.widget = EscolhaWidget(django_field.flatchoices)
        return campo
