"""OpenAPI schema and its documentation page (the schemathesis run is tests/core/test_api_fuzz.py)."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_openapi3_com_todas_as_operacoes(cliente_staff):
    resposta = cliente_staff.get("/api/schema/?format=json")
    assert resposta.status_code == 200
    schema = resposta.json()
    assert schema["openapi"].startswith("3.")
    operacoes = {(caminho, metodo) for caminho, itens in schema["paths"].items() for metodo in itens}
    esperadas = {
        ("/api/estoque/tempo-real/consultar", "post"),
        ("/api/estoque/tempo-real/produto/{cod}", "get"),
        ("/api/estoque/tempo-real/projecao/{cod}", "get"),
        ("/api/estoque/tempo-real/rupturas", "get"),
        ("/api/estoque/tempo-real/estatisticas", "get"),
        ("/api/estoque/tempo-real/recalcular/{cod}", "post"),
        ("/api/estoque/movimentacoes", "post"),
        ("/api/estoque/movimentacoes/{id}", "get"),
        ("/api/estoque/movimentacoes/{id}", "patch"),
        ("/api/estoque/movimentacoes/{id}/cancelar", "post"),
        ("/api/carteira/pedidos/{num_pedido}/workspace", "get"),
        ("/api/carteira/pre-separacoes", "post"),
        ("/api/carteira/pre-separacoes/{id}", "get"),
        ("/api/carteira/pre-separacoes/{id}", "patch"),
        ("/api/carteira/pre-separacoes/{id}", "delete"),
        ("/api/carteira/pre-separacoes/{id}/confirmar", "post"),
        ("/api/producao/programacoes", "get"),
        ("/api/producao/programacoes", "post"),
        ("/api/producao/programacoes/{id}", "get"),
        ("/api/producao/programacoes/{id}", "patch"),
        ("/api/producao/programacoes/{id}", "delete"),
        ("/api/estoque/tempo-real/saldo", "get"),
        ("/api/estoque/tempo-real/produto/{cod}/composicao", "get"),
    }
    assert esperadas <= operacoes
    assert {caminho for caminho, _ in esperadas} == OPERACOES_DO_WORKSPACE
    produto = schema["components"]["schemas"]["EstoqueProduto"]["properties"]
    assert produto["estoque_atual"]["type"] == "number"  # quantities are JSON numbers
    assert produto["dia_ruptura"]["format"] == "date"


def test_pagina_de_documentacao(cliente_staff):
    resposta = cliente_staff.get("/api/docs/")
    assert resposta.status_code == 200
    assert b"swagger" in resposta.content.lower()


# The operations of the workspace API (issue 4).
OPERACOES_DO_WORKSPACE = {
    "/api/estoque/tempo-real/consultar",
    "/api/estoque/tempo-real/produto/{cod}",
    "/api/estoque/tempo-real/projecao/{cod}",
    "/api/estoque/tempo-real/rupturas",
    "/api/estoque/tempo-real/estatisticas",
    "/api/estoque/tempo-real/recalcular/{cod}",
    "/api/estoque/movimentacoes",
    "/api/estoque/movimentacoes/{id}",
    "/api/estoque/movimentacoes/{id}/cancelar",
    "/api/carteira/pedidos/{num_pedido}/workspace",
    "/api/carteira/pre-separacoes",
    "/api/carteira/pre-separacoes/{id}",
    "/api/carteira/pre-separacoes/{id}/confirmar",
    "/api/producao/programacoes",
    "/api/producao/programacoes/{id}",
    "/api/estoque/tempo-real/saldo",
    "/api/estoque/tempo-real/produto/{cod}/composicao",
}
