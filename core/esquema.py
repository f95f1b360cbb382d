"""What the shared input fields enforce, stated in the OpenAPI schema (drf-spectacular extensions).

Request components only (COMPONENT_SPLIT_REQUEST): a response reports what is stored.
- TextoField: `pattern` without control characters (core.limites.CLASSE_CONTROLE); when
  blank is not allowed, also at least one character that is not a blank (DRF trims blanks
  with str.strip(), so the class is exactly Python's whitespace).
- DataField: `pattern` of the business date window (core.limites.padrao_da_janela, computed
  when the schema is generated) and the window in the description.
Registered by core.apps (imported in ready()).
"""

import re
import sys

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from core.limites import CLASSE_CONTROLE, padrao_da_janela, texto_da_janela

_BRANCOS = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
CLASSE_BRANCOS = "".join(f"\\u{ord(c):04x}" for c in _BRANCOS)
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


class DataFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "core.serializers.DataField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = _sem_extensao(self, auto_schema, direction)
        if direction == "request" and not self.target.read_only:
            schema["pattern"] = padrao_da_janela()
            texto = f"Data {texto_da_janela()} (aaaa-mm-dd)."
            schema["description"] = f"{schema['description']} {texto}" if schema.get("description") else texto
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


def postprocessar(result, generator, request, public):
    """SPECTACULAR_SETTINGS POSTPROCESSING_HOOKS entry (after the default enum hook)."""
    _vazio_ou_valido(result)
    return result
