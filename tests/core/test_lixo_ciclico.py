"""A workspace read leaves nothing of its projection or its view for the cyclic garbage collector:
freed when the request ends (estoque.serializers.produtos_json, core.api._soltar). Before, the
serializer and the view's back references kept ~1,900 objects per 50-product read in cycles."""

import gc

import pytest

from estoque.api import ConsultarAPI
from estoque.projecao import DiaProjecao, Saldos
from estoque.selectors import EstoqueProduto
from tests import fabricas as f

pytestmark = pytest.mark.django_db


def test_consultar_nao_deixa_ciclos(cliente_papel):
    for cod in ("P1", "P2"):
        f.produto(cod)
        f.movimento(cod, 10)
    cliente = cliente_papel("Comercial")
    corpo = {"produtos": ["P1", "P2"], "dias": 28}
    assert cliente.post("/api/estoque/tempo-real/consultar", corpo, content_type="application/json").status_code == 200
    gc.collect()
    gc.disable()
    try:
        resposta = cliente.post("/api/estoque/tempo-real/consultar", corpo, content_type="application/json")
        assert resposta.status_code == 200 and len(resposta.json()["produtos"]) == 2
        del resposta
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        # type(), not isinstance: the garbage holds lazy objects (the CSP nonce) that isinstance would evaluate.
        presos = [
            type(o).__name__ for o in gc.garbage if type(o) in (DiaProjecao, Saldos, EstoqueProduto, ConsultarAPI)
        ]
        assert presos == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
