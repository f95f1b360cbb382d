"""The API's JSON renderer (core.renderizadores, orjson) writes DRF's bytes: random answers
shaped like the API's (text with accents, dashes, U+2028/U+2029, quantities with three
decimals, Decimals, dates, nesting) rendered both ways."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from core.renderizadores import RenderizadorJSON

textos = st.text(alphabet=st.sampled_from("aZ09 -_/çãÉ–…€\u2028\u2029\"\\\n\t<>&'"), max_size=20)
quantidades = st.integers(min_value=-(10**12), max_value=10**12).map(lambda n: n / 1000)
escalares = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**53), max_value=2**53),
    quantidades,
    quantidades.map(lambda x: Decimal(str(x))),
    textos,
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)).map(
        lambda d: d.replace(tzinfo=ZoneInfo("America/Sao_Paulo"))
    ),
)
respostas = st.recursive(
    escalares,
    lambda filhos: st.one_of(st.lists(filhos, max_size=5), st.dictionaries(textos, filhos, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(respostas)
def test_mesmos_bytes_que_o_drf(dados):
    assert RenderizadorJSON().render(dados, "application/json", {}) == JSONRenderer().render(
        dados, "application/json", {}
    )


def test_separadores_de_linha_escapados_e_outros_caracteres_intactos():
    dados = {"nome": "A\u2028B\u2029C – D…"}
    saida = RenderizadorJSON().render(dados, "application/json", {})
    assert saida == JSONRenderer().render(dados, "application/json", {})
    assert b"\\u2028" in saida and b"\\u2029" in saida and "– D…".encode() in saida
