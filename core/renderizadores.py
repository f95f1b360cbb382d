"""The API's JSON renderer: DRF's output, byte for byte, written by orjson.

DRF's JSONRenderer runs the stdlib encoder with a Python-level `default` for every Decimal
and date: on a 50-product workspace read (1,450 projection days) that encoding alone cost
more than the database read. orjson writes the same JSON several times faster. Same bytes:
compact separators, non-ASCII kept, U+2028/U+2029 escaped (as DRF does), and everything
orjson does not take natively (Decimal, dates, lazy text, UUID...) goes through DRF's own
encoder (`default`). Where orjson would write something else, DRF's renderer answers
instead: pretty-printing (browsable API, `; indent=`), an integer beyond 64 bits or a
non-text dict key (orjson refuses both), and a float orjson writes in exponent form (1e-06
in the stdlib, 1e-6 in orjson). Differences left, in values no serializer produces: NaN and
infinity are null here where the stdlib refuses them (a 500), and a float from 1e-5 to 1e-4
is written in full here (0.00005) where the stdlib uses an exponent (5e-05); quantities have
three decimals. tests/core/test_renderizador.py compares both renderers on random answers.

Its own module: DRF's settings import renderers while rest_framework.views loads.
"""

import re

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

# Dates and dataclasses go through DRF's encoder (orjson's own formats differ from DRF's).
_OPCOES = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_EXPOENTE = re.compile(rb"e-?\d")  # a literal first byte: a fast scan; confirmed by the digit before it
_padrao = JSONEncoder().default


class RenderizadorJSON(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if (
            self.ensure_ascii
            or not self.compact
            or not self.strict
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            saida = orjson.dumps(data, default=_padrao, option=_OPCOES)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            return super().render(data, accepted_media_type, renderer_context)
        for achado in _EXPOENTE.finditer(saida):
            if saida[achado.start() - 1 : achado.start()].isdigit():  # may be text in a string: DRF renders, same bytes
                return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2" in saida:  # one byte: memchr (a 2-byte search cost 0.13 ms on a 150 KB answer)
            saida = saida.replace("\u2028".encode(), b"\\u2028").replace("\u2029".encode(), b"\\u2029")
        return saida
