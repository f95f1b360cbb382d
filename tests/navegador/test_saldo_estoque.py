"""/estoque/ and a product page in headless Chromium: a movement recorded through the API changes the
row (and its status badge) and the product page (number, table and chart) without a reload."""

import json
import urllib.request

import pytest
from rest_framework.authtoken.models import Token
from selenium.webdriver.common.by import By

from tests import fabricas as f
from tests.navegador.apoio import SENHA, esperar

pytestmark = pytest.mark.django_db(transaction=True)

LIMITE_SEGUNDOS = 2  # the brief: a change shows within 2 s


def entrar(driver, live_server, destino):
    driver.get(f"{live_server.url}/admin/login/?next={destino}")
    driver.find_element(By.NAME, "username").send_keys("analista")
    driver.find_element(By.NAME, "password").send_keys(SENHA)
    driver.find_element(By.CSS_SELECTOR, "[type=submit]").click()
    esperar(lambda: driver.current_url.split("?")[0].endswith(destino))


def registrar_movimento(live_server, token, cod, qtd):
    """POST /api/estoque/movimentacoes as another client would (token auth), outside the page."""
    corpo = json.dumps({"cod_produto": cod, "tipo_movimentacao": "SAIDA", "qtd_movimentacao": qtd}).encode()
    pedido = urllib.request.Request(
        f"{live_server.url}/api/estoque/movimentacoes",
        data=corpo,
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(pedido, timeout=10) as resposta:
        assert resposta.status == 201


def celula(driver, cod, campo):
    return driver.find_element(By.CSS_SELECTOR, f'tr[data-produto="{cod}"] td[data-campo="{campo}"]')


def ao_vivo(driver, seletor):
    modo = driver.find_element(By.CSS_SELECTOR, seletor).get_attribute("data-modo")
    return modo in ("ao-vivo", "consulta")


class Servidor:
    def __init__(self, url):
        self.url = url


@pytest.mark.postgres  # served by uvicorn, through the live stream (servidor_asgi)
def test_saldo_e_produto_mudam_ao_vivo(navegador, servidor_asgi, django_user_model, tmp_path):
    live_server = Servidor(servidor_asgi)
    usuario = django_user_model.objects.create_superuser("analista", "analista@example.com", SENHA)
    token = Token.objects.create(user=usuario).key
    f.produto("K1", "KETCHUP")
    f.produto("C1", "CREME DE LEITE")
    f.movimento("K1", 100)
    f.producao("K1", 30, k=5)
    f.movimento("C1", 5)
    f.separacao("C1", 10, k=3, lote="L1")

    # ---- the list
    entrar(navegador, live_server, "/estoque/")
    esperar(lambda: ao_vivo(navegador, "#tabela-saldo"))
    esperar(lambda: navegador.find_element(By.ID, "tabela-saldo").get_attribute("data-modo") == "ao-vivo")
    assert celula(navegador, "K1", "status").text == "OK"
    assert celula(navegador, "C1", "status").text == "CRÍTICO"
    navegador.execute_script("window.semRecarga = 'sim';")
    registrar_movimento(live_server, token, "K1", -120)  # 100 - 120: below zero today
    esperar(lambda: celula(navegador, "K1", "estoque_atual").text == "-20", segundos=LIMITE_SEGUNDOS, passo=0.05)
    esperar(lambda: celula(navegador, "K1", "status").text == "CRÍTICO", segundos=LIMITE_SEGUNDOS, passo=0.05)
    badge = navegador.find_element(By.CSS_SELECTOR, 'tr[data-produto="K1"] td[data-campo="status"] .badge')
    assert "app-status-critico" in badge.get_attribute("class")
    assert "app-negativo" in celula(navegador, "K1", "estoque_atual").get_attribute("class")
    assert "app-linha-atualizada" in navegador.find_element(By.CSS_SELECTOR, 'tr[data-produto="K1"]').get_attribute(
        "class"
    )
    assert navegador.execute_script("return window.semRecarga;") == "sim"  # no reload
    navegador.save_screenshot(str(tmp_path / "saldo.png"))

    # ---- the product page
    navegador.get(f"{live_server.url}/estoque/produto/K1/")
    esperar(lambda: ao_vivo(navegador, "#pagina-produto"))
    canvas = navegador.find_element(By.ID, "grafico-projecao")
    assert navegador.execute_script("return Chart.getChart(arguments[0]) !== undefined;", canvas)
    assert canvas.get_attribute("data-ruptura") == "0"  # the ruptura marker drawn on D0
    assert pixels_desenhados(navegador, canvas) > 1000
    navegador.execute_script("window.semRecarga = 'sim';")
    registrar_movimento(live_server, token, "K1", -5)

    def mudou():
        valor = navegador.find_element(By.CSS_SELECTOR, '#pagina-produto [data-campo="estoque_atual"]').text
        return valor == "-25"

    esperar(mudou, segundos=LIMITE_SEGUNDOS, passo=0.05)
    saldo_d0_no_grafico = navegador.execute_script(
        "return Chart.getChart(arguments[0]).data.datasets[0].data[0];", canvas
    )
    assert saldo_d0_no_grafico == -25
    primeira_linha = navegador.find_element(By.CSS_SELECTOR, "#tabela-dias tbody tr[data-dia='0']")
    assert "-25" in primeira_linha.text
    assert canvas.get_attribute("data-ruptura") == "0"
    assert navegador.execute_script("return window.semRecarga;") == "sim"
    navegador.save_screenshot(str(tmp_path / "produto.png"))


def pixels_desenhados(driver, canvas) -> int:
    """Non-transparent pixels of the chart canvas (a blank canvas has none)."""
    return driver.execute_script(
        """
        const c = arguments[0], ctx = c.getContext('2d');
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
        """,
        canvas,
    )


def test_stream_recusado_a_pagina_passa_a_consultar(navegador, live_server, django_user_model):
    """The event stream is refused (under the WSGI live_server it answers 503; over the per-user
    cap, 429: the same path in eventos.js): the page polls instead and still updates."""
    usuario = django_user_model.objects.create_superuser("analista", "analista@example.com", SENHA)
    token = Token.objects.create(user=usuario).key
    f.produto("K1", "KETCHUP")
    f.movimento("K1", 100)

    entrar(navegador, live_server, "/estoque/")
    esperar(lambda: navegador.find_element(By.ID, "tabela-saldo").get_attribute("data-modo") == "consulta")
    assert (
        navegador.find_element(By.ID, "estado-ao-vivo").text == "atualização a cada 5 s"
    )  # eventos.js polls every 5 s
    registrar_movimento(live_server, token, "K1", -120)
    esperar(lambda: celula(navegador, "K1", "status").text == "CRÍTICO", segundos=10)
    assert celula(navegador, "K1", "estoque_atual").text == "-20"
