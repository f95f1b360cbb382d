"""Serializer fields every API shares: input takes the JSON types its schema documents.

DRF would quietly take 0 for "0", "12.5" for 12.5 or "20260115" for a date; these fields
refuse them, so what the OpenAPI schema states (core.esquema adds the patterns) is what the
API enforces: text without control characters and within max_length as sent, non-blank
when required; dates as aaaa-mm-dd inside the business window (core.limites).
Quantities are JSON numbers (COERCE_DECIMAL_TO_STRING is off).
"""

import re
from decimal import Decimal

from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from core.limites import MENSAGEM_CONTROLE, tem_controle, validar_data_negocio

# Per row, well below the 12 integer digits of the stored totals, so sums cannot overflow them.
QTD_ENTRADA = {"max_digits": 12, "decimal_places": 3}
QTD_POSITIVA = {**QTD_ENTRADA, "min_value": Decimal("0.001")}  # > 0 with 3 decimal places
QTD_SAIDA = {"max_digits": None, "decimal_places": 3, "read_only": True}

DATA_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


class TextoField(serializers.CharField):
    default_error_messages = {"controle": MENSAGEM_CONTROLE}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        # As sent, before DRF trims the blanks: the schema's maxLength counts them too.
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        if tem_controle(data):
            self.fail("controle")
        return super().to_internal_value(data)


class ListaDeTextosField(serializers.ListField):
    """A ListField of TextoField that takes a list of plain texts (ASCII, within the child's
    max_length, not blank, no control characters) in one pass: the workspace sends 50 to 500
    codes per request, and each child's validators cost more than reading their stock. Anything
    else goes through the child item by item, so every error message is TextoField's own."""

    VALIDADORES_SIMPLES = (MaxLengthValidator, ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)

    def run_child_validation(self, data):
        filho = self.child
        simples = (
            isinstance(filho, TextoField)
            and filho.min_length is None
            and not filho.allow_blank
            and all(isinstance(v, self.VALIDADORES_SIMPLES) for v in filho.validators)
        )
        if simples and isinstance(data, list):
            limite = filho.max_length if filho.max_length is not None else float("inf")
            if all(type(item) is str and item.isascii() and len(item) <= limite for item in data):
                textos = [item.strip() for item in data] if filho.trim_whitespace else list(data)
                if all(textos) and not tem_controle(" ".join(data)):
                    return textos
        return super().run_child_validation(data)


class DataField(serializers.DateField):
    """aaaa-mm-dd only (not 20260115 nor 2026-W03-4, which Python's parser also takes),
    inside the business date window (core.limites.validar_data_negocio)."""

    default_error_messages = {"formato": "Informe a data como aaaa-mm-dd."}

    def __init__(self, **kwargs):
        validadores = list(kwargs.pop("validators", []))
        if validar_data_negocio not in validadores:
            validadores.append(validar_data_negocio)
        super().__init__(validators=validadores, **kwargs)

    def to_internal_value(self, value):
        if not (isinstance(value, str) and DATA_ISO.fullmatch(value)):
            self.fail("formato")
        return super().to_internal_value(value)


class QuantidadeField(serializers.DecimalField):
    default_error_messages = {"numero_json": "Informe a quantidade como número JSON (ex.: 12.5)."}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("numero_json")
        return super().to_internal_value(data)


class InteiroField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class ModelSerializerEstrito(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextoField,
        models.TextField: TextoField,
        models.DateField: DataField,
    }
