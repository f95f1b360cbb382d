"""The base of every spreadsheet import (django-import-export): pt-BR widgets and the resource.

An import is all or nothing: one transaction, rolled back when any row is refused (a value
that does not parse, a missing field, a violated CHECK), and each refusal names its line and
field. Rows are saved one at a time through Model.save() (never use_bulk), so signals and
any per-row rule see every row, exactly as when an operator saves it by hand.

Files are read by core.planilhas (the declared xlsx dimension ignored, rows and size capped),
through the XLSXSeguro and CSVBrasil formats; text cells with control characters and dates
outside the business window (core.limites) are refused on their line and column.
"""

import unicodedata
from datetime import datetime
from decimal import InvalidOperation

import tablib
from diff_match_patch import diff_match_patch
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, F, Q
from django.db.models.constants import LOOKUP_SEP
from django.utils.encoding import force_str
from django.utils.html import escape
from django.utils.safestring import mark_safe
from import_export import resources, widgets
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import Result

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


class XLSXSeguro(XLSX):
    """xlsx through core.planilhas: the declared dimension is ignored, size and rows capped."""

    def create_dataset(self, in_stream):
        return _dataset(planilhas.ler_xlsx(in_stream))


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


class ResultadoPlanilha(Result):
    """Line numbers as the spreadsheet shows them: the header is line 1, the first data row line 2."""

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)


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


class DiffSemEstiloInline(resources.Diff):
    """The import preview's diff with classes, not style= attributes (Content-Security-Policy:
    style-src 'self'); the colours live in static/css/admin.css. Every value is escaped."""

    MARCAS = {
        diff_match_patch.DIFF_INSERT: "ins",
        diff_match_patch.DIFF_DELETE: "del",
        diff_match_patch.DIFF_EQUAL: "span",
    }

    def as_html(self):
        dmp = diff_match_patch()
        colunas = []
        for antes, depois in zip(self.left, self.right):
            if antes != depois and self.new:
                antes = ""
            partes = dmp.diff_main(force_str(antes), force_str(depois))
            dmp.diff_cleanupSemantic(partes)
            html = []
            for operacao, texto in partes:
                if texto:
                    marca = self.MARCAS[operacao]
                    classe = "" if marca == "span" else f' class="app-diff-{marca}"'
                    html.append(f"<{marca}{classe}>{escape(texto).replace(chr(10), '&para;<br>')}</{marca}>")
            colunas.append(mark_safe("".join(html)))  # built above from escaped text only
        return colunas


class ImportacaoResource(resources.ModelResource):
    """Base of every import: all-or-nothing, errors by line and field, row-by-row save()."""

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

    # constraint name -> (field the operator must fix, message). Constraints not listed
    # go to their only field, or to the row as a whole when they read several fields.
    restricoes: dict[str, tuple[str, str]] = {}

    class Meta:
        use_transactions = True
        clean_model_instances = True
        use_bulk = False  # bulk writes would skip the per-row save() (and its signals)
        skip_unchanged = False

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        campo = super().field_from_django_field(field_name, django_field, readonly)
        if django_field.choices and django_field.get_internal_type() == "CharField":
            campo.widget = EscolhaWidget(django_field.flatchoices)
        return campo

    def get_result_class(self):
        return ResultadoPlanilha

    @classmethod
    def get_diff_class(cls):
        return DiffSemEstiloInline

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # All or nothing whatever the caller asks: import-export would otherwise commit
        # the good rows of a file whose other rows failed validation.
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def after_init_instance(self, instance, new, row, **kwargs):
        # A new row gets its id from the database; an explicit unknown id would leave the
        # sequence behind and make a later insert (maybe another user's) collide.
        if new and self.get_import_id_fields() == ["id"] and str(row.get("id") or "").strip():
            raise ValidationError(
                {"id": f"Não existe registro com id {row['id']}: para incluir, deixe o id em branco."}
            )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        erros = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=set(erros), validate_unique=validate_unique, validate_constraints=False)
        except ValidationError as e:
            erros = e.update_error_dict(erros)
        self._validar_restricoes(instance, erros)
        if erros:
            raise ValidationError(erros)

    def _validar_restricoes(self, instance, erros):
        """The model's constraints, each violation put on the field the operator must fix."""
        modelo = type(instance)
        for restricao in modelo._meta.constraints:
            try:
                restricao.validate(modelo, instance, exclude=set(erros), using=self.get_db_connection_name())
            except ValidationError as e:
                campo, mensagem = self.restricoes.get(restricao.name, (None, e.messages[0]))
                if campo is None:
                    nomes = (
                        campos_da_condicao(restricao.condition)
                        if isinstance(restricao, CheckConstraint)
                        else list(restricao.fields)
                    )
                    campo = nomes[0] if len(nomes) == 1 else NON_FIELD_ERRORS
                erros.setdefault(campo, []).append(mensagem)

    def after_import(self, dataset, result, **kwargs):
        # No sequence reset (ModelResource's default): new rows never carry an id (see
        # after_init_instance), and a setval under concurrent inserts could move it back.
        pass
