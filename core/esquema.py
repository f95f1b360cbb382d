"""What the shared input fields enforce, stated in the OpenAPI schema (drf-spectacular extensions).

Request components only (COMPONENT_SPLIT_REQUEST): a response reports what is stored.
- TextoField: `pattern` without control characters (core.limites.CLASSE_CONTROLE); when
  blank is not allowed, also at least one character that is not a blank (DRF trims blanks
  with str.strip(), so the class is exactly Python's whitespace).
- QuantidadeField: `multipleOf` of its decimal places.
- DataField: `pattern` of the business date window (core.limites.padrao_da_janela, computed
  when the schema is generated) and the window in words in the description (postprocessar).
Registered by core.apps (imported in ready()).
"""

import re
from decimal import Decimal

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from core.limites import CLASSE_CONTROLE, padrao_da_janela, texto_da_janela

# Python's whitespace (str.isspace, what DRF's trim strips), as ECMAScript escapes; a test
# checks it against every code point.
CLASSE_BRANCOS = (
    r"\u0009\u000a\u000b\u000c\u000d\u001c\u001d\u001e\u001f\u0020\u0085\u00a0\u1680"
    r"\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    r"\u2028\u2029\u202f\u205f\u3000"
)
PADRAO_SEM_CONTROLE = f"^[^{CLASSE_CONTROLE}]*$"
PADRAO_NAO_VAZIO = f"^[^{CLASSE_CONTROLE}]*[^{CLASSE_CONTROLE}{CLASSE_BRANCOS}][^{CLASSE_CONTROLE}]*$"


def _sem_extensao(extensao, auto_schema, direction) -> dict:
    return auto_schema._map_serializer_field(extensao.target, direction, bypass_extensions=True)


class TextoFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "core.serializers.TextoField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = _sem_extensao(self, auto_schema, direction)
        if direction == "request" and not self.target.read_only:
            schema["pattern"] = PADRAO_SEM_CONTROLE if self.target.allow_blank else PADRAO_NAO_VAZIO
        return schema


class QuantidadeFieldExtension(OpenApiSerializerFieldExtension):
    """multipleOf 0.001: JSON Schema validators compare the number as written (0.3 is a multiple,
    0.30000000000000004 is not), which is what DRF's decimal places check does with str(float)."""

    target_class = "core.serializers.QuantidadeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = _sem_extensao(self, auto_schema, direction)
        if direction == "request" and not self.target.read_only and self.target.decimal_places is not None:
            schema["multipleOf"] = float(Decimal(1).scaleb(-self.target.decimal_places))
        return schema


class DataFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "core.serializers.DataField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = _sem_extensao(self, auto_schema, direction)
        if direction == "request" and not self.target.read_only:
            schema["pattern"] = padrao_da_janela()  # postprocessar() adds the window to the description
        return schema


def _aceita_vazio(schema: dict) -> bool:
    padrao = schema.get("pattern")
    return (
        schema.get("type") == "string"
        and not schema.get("minLength")
        and "format" not in schema
        and (padrao is None or re.fullmatch(padrao, "") is not None)
    )


def _vazio_ou_valido(no):
    """drf-spectacular writes a blank-allowed string with a pattern as oneOf[pattern, ""]; when the
    pattern takes "" too, both branches match "" and oneOf (exactly one) refuses the empty text
    the API accepts. Such a field is just its first branch."""
    if isinstance(no, dict):
        ramos = no.get("oneOf")
        if (
            isinstance(ramos, list)
            and len(ramos) == 2
            and ramos[1] == {"type": "string", "maxLength": 0}
            and _aceita_vazio(ramos[0])
        ):
            del no["oneOf"]
            no.update(ramos[0])
        for valor in no.values():
            _vazio_ou_valido(valor)
    elif isinstance(no, list):
        for valor in no:
            _vazio_ou_valido(valor)


def _descrever_janela(no, padrao: str, texto: str):
    """The window in words beside its pattern (drf-spectacular puts the field's help_text over
    what an extension writes in `description`, so it is added here, at the end)."""
    if isinstance(no, dict):
        if no.get("pattern") == padrao:
            no["description"] = f"{no['description']} {texto}" if no.get("description") else texto
        for valor in no.values():
            _descrever_janela(valor, padrao, texto)
    elif isinstance(no, list):
        for valor in no:
            _descrever_janela(valor, padrao, texto)


def postprocessar(result, generator, request, public):
    """SPECTACULAR_SETTINGS POSTPROCESSING_HOOKS entry (after the default enum hook)."""
    _vazio_ou_valido(result)
    _descrever_janela(result, padrao_da_janela(), f"Data {texto_da_janela()} (aaaa-mm-dd).")
    return result
