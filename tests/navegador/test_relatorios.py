"""The report buttons in a real browser (headless Chromium): modal, date filter, downloads.

Set RELATORIOS_CAPTURA=/caminho.png to keep a screenshot of the open modal, and
RELATORIOS_CAPTURA_PRODUCAO=/caminho.png for the production dashboard.
"""

import os
import shutil
from io import BytesIO
from pathlib import Path
from urllib.parse import urlparse

import pytest
from openpyxl import load_workbook

from tests import fabricas as f
from tests.navegador.apoio import SENHA, esperar


@pytest.fixture
def cenario(django_user_model):
    django_user_model.objects.create_superuser("analista", "analista@example.com", SENHA)
    f.produto("P1", "AZEITONA VERDE 500G", palletizacao="100", peso_bruto="1.5")
    f.movimento("P1", 500)
    f.producao("P1", 100, k=3)
    f.linha_carteira("PED1", "P1", 1000, data_pedido=f.dia(-3), raz_social="CLIENTE UM")
    f.linha_carteira("PED2", "P1", 10, data_pedido=f.dia(-30), raz_social="CLIENTE DOIS")
    f.pre_separacao("P1", 200, k=2, pedido="PED1")
    f.separacao("P1", 300, k=1, lote="LOTE1", pedido="PED1")


def esperar_download(pasta: Path, prefixo: str) -> Path:
    def pronto():
        """o .xlsx na pasta de downloads"""
        arquivos = list(pasta.glob(f"{prefixo}_*.xlsx"))
        parciais = list(pasta.glob("*.crdownload"))
        return arquivos[0] if arquivos and not parciais else None

    arquivo = esperar(pronto, 60)
    esperar(lambda: arquivo.stat().st_size > 0)
    return arquivo


def entrar(driver, live_server, caminho):
    from selenium.webdriver.common.by import By

    driver.get(live_server.url + caminho)
    assert "/entrar/" in driver.current_url  # pages ask for a login
    driver.find_element(By.ID, "id_username").send_keys("analista")
    driver.find_element(By.ID, "id_password").send_keys(SENHA)
    driver.find_element(By.CSS_SELECTOR, "input[type=submit], button[type=submit]").click()
    # The path, not the whole URL: the login page's own URL ends with "?next=<caminho>".
    esperar(lambda: urlparse(driver.current_url).path.rstrip("/") == caminho.rstrip("/"))


@pytest.mark.django_db(transaction=True)
def test_modal_de_relatorios_da_carteira(navegador, live_server, cenario, downloads):
    from selenium.webdriver.common.by import By

    driver = navegador
    entrar(driver, live_server, "/carteira/")
    assert "Carteira de pedidos" in driver.page_source
    driver.find_element(By.ID, "botao-relatorios").click()
    modal = driver.find_element(By.ID, "modalRelatorios")
    esperar(lambda: modal.is_displayed() and "show" in modal.get_attribute("class"))
    # Fully shown: Bootstrap focuses the modal itself when its fade ends ("shown"); keys typed
    # before that would lose the focus midway.
    esperar(lambda: driver.execute_script("return document.activeElement === arguments[0];", modal))
    aviso = driver.find_element(By.ID, "relatorio-periodo")
    assert "sem filtro de data" in aviso.text

    de, ate = f.dia(-7), f.dia(7)
    # typed as a pt-BR operator types them, whatever the browser's language (this one is en-US)
    driver.find_element(By.ID, "relatorio-de").send_keys(f"{de:%d/%m/%Y}")
    driver.find_element(By.ID, "relatorio-ate").send_keys(f"{ate:%d/%m/%Y}")
    assert driver.find_element(By.ID, "relatorio-de").get_attribute("value") == f"{de:%d/%m/%Y}"
    driver.find_element(By.ID, "relatorio-aplicar").click()
    esperado = f"de {de:%d/%m/%Y} até {ate:%d/%m/%Y}"
    esperar(lambda: esperado in aviso.text)
    assert modal.is_displayed()  # applying keeps the modal open, the range shown in it
    if os.environ.get("RELATORIOS_CAPTURA"):
        driver.save_screenshot(os.environ["RELATORIOS_CAPTURA"])

    periodos = {}
    for chave, prefixo in (
        ("pre-separacoes", "pre_separacoes"),
        ("separacoes", "separacoes"),
        ("carteira", "carteira"),
        ("carteira-detalhada", "carteira_detalhada"),
    ):
        link = driver.find_element(By.ID, f"relatorio-{chave}")
        assert f"de={de.isoformat()}" in link.get_attribute("href")
        link.click()
        arquivo = esperar_download(downloads, prefixo)
        assert arquivo.name == f"{prefixo}_{f.hoje():%Y-%m-%d}.xlsx"
        livro = load_workbook(BytesIO(arquivo.read_bytes()))
        periodos[chave] = livro.worksheets[0]["A2"].value
        if chave == "carteira":
            pedidos = [c.value for c in livro.worksheets[0]["A"][5:]]
            assert pedidos == ["PED1"]  # PED2 (D-30) is outside the range
        shutil.move(arquivo, downloads.parent / arquivo.name)  # "carteira_" is a prefix of "carteira_detalhada_"
    assert all(esperado in texto for texto in periodos.values())

    driver.find_element(By.ID, "relatorio-limpar").click()
    esperar(lambda: "sem filtro de data" in aviso.text)
    assert driver.find_element(By.ID, "relatorio-de").get_attribute("value") == ""
    driver.find_element(By.ID, "relatorio-de").send_keys("31/02/2026")  # a date that does not exist
    driver.find_element(By.ID, "relatorio-aplicar").click()
    erro = driver.find_element(By.ID, "relatorio-erro")
    esperar(lambda: "Data inválida" in erro.text)
    assert "sem filtro de data" in aviso.text  # nothing applied
    driver.find_element(By.ID, "relatorio-de").clear()
    assert driver.find_element(By.ID, "relatorio-carteira").get_attribute("href").endswith("/relatorios/carteira.xlsx")


@pytest.mark.django_db(transaction=True)
def test_botao_relatorios_producao(navegador, live_server, cenario, downloads):
    from selenium.webdriver.common.by import By

    driver = navegador
    entrar(driver, live_server, "/producao/")
    assert "Dashboard de Produção" in driver.page_source
    if os.environ.get("RELATORIOS_CAPTURA_PRODUCAO"):
        driver.save_screenshot(os.environ["RELATORIOS_CAPTURA_PRODUCAO"])
    driver.find_element(By.ID, "botao-relatorio-producao").click()
    arquivo = esperar_download(downloads, "relatorio_producao")
    livro = load_workbook(BytesIO(arquivo.read_bytes()))
    assert livro.sheetnames == ["Estoque", "Movimentações Previstas"]
    assert livro["Estoque"]["A6"].value == "P1"
    assert livro["Movimentações Previstas"].max_row > 5
