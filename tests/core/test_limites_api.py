"""API throttles: writes per user, and a stricter limit on the background ruptura analysis.
Rates come from settings.ESTOQUE_LIMITES_API at each request (the suite runs with high ones)."""

import pytest

from tests import fabricas as f

pytestmark = pytest.mark.django_db

MOVIMENTACOES = "/api/estoque/movimentacoes"


def test_escritas_limitadas_por_usuario_leituras_nao(cliente_papel, settings):
    settings.ESTOQUE_LIMITES_API = {"escritas": "2/min", "ruptura": "1/min"}
    f.produto("A")
    cliente = cliente_papel("Estoque")
    nova = {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1}
    assert [cliente.post(MOVIMENTACOES, nova, content_type="application/json").status_code for _ in range(3)] == [
        201,
        201,
        429,
    ]
    recusa = cliente.post(MOVIMENTACOES, nova, content_type="application/json")
    assert recusa.status_code == 429 and "Retry-After" in recusa
    assert "segundos" in recusa.json()["detail"]  # DRF's pt-BR message
    assert all(cliente.get("/api/estoque/tempo-real/produto/A").status_code == 200 for _ in range(5))
    # A read sent as POST is not a write.
    consulta = {"produtos": ["A"]}
    assert (
        cliente.post("/api/estoque/tempo-real/consultar", consulta, content_type="application/json").status_code == 200
    )


def test_analise_de_ruptura_tem_limite_proprio(cliente_papel, settings):
    settings.ESTOQUE_LIMITES_API = {"escritas": "100/min", "ruptura": "1/min"}
    f.linha_carteira("PED1", "A", 5)
    cliente = cliente_papel("Comercial")
    analisar = "/api/carteira/ruptura/analisar"
    assert cliente.post(analisar, {"pedidos": ["PED1"]}, content_type="application/json").status_code == 202
    assert cliente.post(analisar, {"pedidos": ["PED1"]}, content_type="application/json").status_code == 429
