"""core.serializers.ListaDeTextosField: the one-pass path takes what ListField(child=TextoField)
takes, gives the same values, and refuses what it refuses with the same messages."""

from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from core.serializers import ListaDeTextosField, TextoField


class Rapido(serializers.Serializer):
    produtos = ListaDeTextosField(child=TextoField(max_length=8), allow_empty=False, max_length=6)


class Comum(serializers.Serializer):
    produtos = serializers.ListField(child=TextoField(max_length=8), allow_empty=False, max_length=6)


def validar(classe, dados):
    serializer = classe(data=dados)
    if serializer.is_valid():
        return True, serializer.validated_data["produtos"]
    return False, serializer.errors


texto = st.text(
    alphabet=st.sampled_from(["a", "B", "7", "-", " ", "\t", "\n", "\x00", "\x1f", "ç", "\ud800"]), max_size=10
)
item = st.one_of(texto, texto, texto, st.integers(), st.none(), st.lists(st.just("a"), max_size=1))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(item, max_size=8), texto, st.none(), st.integers()))
def test_igual_ao_list_field_com_texto(produtos):
    dados = {"produtos": produtos}
    assert validar(Rapido, dados) == validar(Comum, dados)


def test_caminho_de_uma_passada_nao_valida_item_a_item(monkeypatch):
    chamadas = []
    original = TextoField.run_validation
    monkeypatch.setattr(TextoField, "run_validation", lambda self, dado: chamadas.append(dado) or original(self, dado))
    assert validar(Rapido, {"produtos": [" 431014 ", "A-1"]}) == (True, ["431014", "A-1"])
    assert chamadas == []
    assert validar(Rapido, {"produtos": ["A\x00"]})[0] is False  # refused through the child, with its message
    assert chamadas == ["A\x00"]
