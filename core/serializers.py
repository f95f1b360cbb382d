"""Serializer fields every API shares: input takes the JSON types its schema documents.

DRF would quietly take 0 for "0" or "12.5" for 12.5; these fields refuse them.
Quantities are JSON numbers (COERCE_DECIMAL_TO_STRING is off).
"""

from django.db import models
from rest_framework import serializers

# Per row, well below the 12 integer digits of the stored totals, so sums cannot overflow them.
QTD_ENTRADA = {"max_digits": 12, "decimal_places": 3}
QTD_SAIDA = {"max_digits": None, "decimal_places": 3, "read_only": True}


class TextoField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


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
    }
