"""What no view handles: JSON under /api/ (the documented contract), pt-BR pages elsewhere."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/nada", "/api/carteira/ruptura/analise/null,null"])
def test_api_inexistente_responde_json(client, staff, url):
    client.force_login(staff)
    resposta = client.get(url)
    assert resposta.status_code == 404
    assert resposta["Content-Type"] == "application/json"
    assert resposta.json() == {"detail": "Não encontrado."}


def test_pagina_inexistente_em_portugues(client, staff):
    client.force_login(staff)
    resposta = client.get("/nada/por/aqui/")
    assert resposta.status_code == 404
    assert "Página não encontrada" in resposta.content.decode()


def test_erro_interno_da_api_em_json(rf):
    from core.erros import erro_interno

    resposta = erro_interno(rf.get("/api/estoque/x"))
    assert resposta.status_code == 500
    assert resposta["Content-Type"] == "application/json"
    pagina = erro_interno(rf.get("/estoque/"))
    assert pagina.status_code == 500 and "Erro interno" in pagina.content.decode()
