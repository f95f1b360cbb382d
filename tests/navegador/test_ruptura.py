"""/carteira/pedidos/ in headless Chromium: progress, final button states, live update."""

import pytest
from django.contrib.auth.models import Group
from django_q.conf import Conf
from selenium.webdriver.common.by import By

from tests import fabricas as f
from tests.navegador.apoio import SENHA, esperar

pytestmark = pytest.mark.django_db(transaction=True)


def entrar(driver, live_server):
    driver.get(f"{live_server.url}/entrar/?next=/carteira/pedidos/")
    driver.find_element(By.NAME, "username").send_keys("analista")
    driver.find_element(By.NAME, "password").send_keys(SENHA)
    driver.find_element(By.CSS_SELECTOR, "[type=submit]").click()


def texto_botao(driver, pedido):
    botoes = driver.find_elements(By.CSS_SELECTOR, f'button.btn-ruptura[data-pedido="{pedido}"]')
    return botoes[0].text.strip() if botoes else ""


def test_pagina_de_pedidos_analisa_e_atualiza_ao_vivo(navegador, live_server, django_user_model, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 tasks inline: no cluster in the test
    # A Comercial user: the page, the analysis and both streams with that role's permissions only.
    analista = django_user_model.objects.create_user("analista", "analista@example.com", SENHA)
    analista.groups.add(Group.objects.get(name="Comercial"))
    f.movimento("A1", 1000)
    f.movimento("B1", 5)
    f.producao("B1", 20, k=4)
    for i in range(25):  # two lots of the background job
        f.linha_carteira(f"PA{i:02d}", "A1", 10, raz_social=f"CLIENTE {i}")
    f.linha_carteira("PB", "B1", 10, raz_social="CLIENTE B")

    entrar(navegador, live_server)
    esperar(
        lambda: (
            navegador.find_elements(By.ID, "ruptura-progresso")
            and navegador.find_element(By.ID, "ruptura-progresso").get_attribute("data-concluido") == "1"
        )
    )
    assert texto_botao(navegador, "PA00") == "Estoque OK"
    assert texto_botao(navegador, "PA24") == "Estoque OK"
    dia = f.dia(4).strftime("%d/%m")
    assert texto_botao(navegador, "PB") == f"Disp. 0% | Total Disp. {dia}"
    assert "btn-danger" in navegador.find_element(By.CSS_SELECTOR, 'button[data-pedido="PB"]').get_attribute("class")

    botao = navegador.find_element(By.CSS_SELECTOR, 'button[data-pedido="PB"]')
    navegador.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", botao)
    esperar(lambda: "Produção que resolve" in navegador.find_element(By.ID, "modal-ruptura").text)
    modal = navegador.find_element(By.ID, "modal-ruptura")
    assert "Criticidade: Crítica" in modal.text
    abrir = modal.find_element(By.LINK_TEXT, "Abrir o pedido (montagem)")
    assert abrir.get_attribute("href").endswith("/carteira/pedidos/PB/")
    navegador.execute_script("document.querySelector('#modal-ruptura .btn-close').click();")

    f.movimento("B1", 100)  # recorded elsewhere: the page hears it and refreshes PB alone
    esperar(lambda: texto_botao(navegador, "PB") == "Estoque OK")
