"""Montagem de carga end to end in headless Chromium, as an operator does it: two lines of an
order allocated into ONE lote on the order page, the product page (another tab) changing live,
the lote confirmed into a separação, put on an embarque, its NF registered, and the outflow gone
from the product's projection with the stock lowered, without reloading the product page."""

import contextlib
from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from carteira.models import PreSeparacaoItem, Separacao
from estoque.models import MovimentacaoEstoque
from tests import fabricas as f
from tests.navegador.apoio import SENHA, esperar
from tests.oracle import diferencas_com_derivados

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

LIMITE = 5  # seconds for a live change to show (the stream delivers within ~1 s)


def entrar(driver, base, destino):
    driver.get(f"{base}/entrar/?next={destino}")
    driver.find_element(By.NAME, "username").send_keys("operador")
    driver.find_element(By.NAME, "password").send_keys(SENHA)
    driver.find_element(By.CSS_SELECTOR, "form [type=submit]").click()
    esperar(lambda: driver.current_url.split("?")[0].endswith(destino))


def campo(driver, nome):
    return driver.find_element(By.CSS_SELECTOR, f'#pagina-produto [data-campo="{nome}"]').text


def saida_do_dia(driver, dia):
    return driver.find_element(By.CSS_SELECTOR, f"#tabela-dias tbody tr[data-dia='{dia}']").text


def linha(driver, cod):
    return driver.find_element(By.CSS_SELECTOR, f'#tabela-pedido tr[data-produto="{cod}"]')


def enviar(driver, botao):
    """Click a submit button; accept the page's confirm() when it asks (data-confirmar)."""
    botao.click()
    with contextlib.suppress(NoAlertPresentException):  # no dialog for this button
        driver.switch_to.alert.accept()


def test_montagem_ate_o_faturamento(navegador, servidor_asgi, django_user_model, tmp_path):
    base = servidor_asgi
    django_user_model.objects.create_superuser("operador", "operador@example.com", SENHA)
    f.produto("P1", "POLPA")
    f.produto("P2", "KETCHUP")
    f.movimento("P1", 100)
    f.movimento("P2", 50)
    f.linha_carteira("PED1", "P1", 30)
    f.linha_carteira("PED1", "P2", 20)
    expedicao = timezone.localdate() + timedelta(days=2)

    # ---- the product page, open in its own tab for the whole flow
    entrar(navegador, base, "/estoque/produto/P1/")
    esperar(lambda: navegador.find_element(By.ID, "pagina-produto").get_attribute("data-modo") == "ao-vivo")
    produto = navegador.current_window_handle
    navegador.execute_script("window.semRecarga = 'sim';")
    assert campo(navegador, "estoque_atual") == "100" and campo(navegador, "disponivel") == "100"

    # ---- the order page: two lines into one lote
    navegador.switch_to.new_window("tab")
    pedido = navegador.current_window_handle
    navegador.get(f"{base}/carteira/pedidos/PED1/")
    for cod, qtd in (("P1", "30"), ("P2", "15")):
        tr = linha(navegador, cod)
        tr.find_element(By.CSS_SELECTOR, "input[name$='-incluir']").click()
        quantidade = tr.find_element(By.CSS_SELECTOR, "input[name$='-qtd']")
        quantidade.clear()
        quantidade.send_keys(qtd)
        data = tr.find_element(By.CSS_SELECTOR, "input[name$='-data_expedicao']")
        navegador.execute_script("arguments[0].value = arguments[1];", data, expedicao.isoformat())
    enviar(navegador, navegador.find_element(By.ID, "botao-criar-lote"))
    esperar(lambda: navegador.find_elements(By.CSS_SELECTOR, "[data-lote]"))
    lotes = set(PreSeparacaoItem.objects.values_list("separacao_lote_id", flat=True))
    assert len(lotes) == 1 and PreSeparacaoItem.objects.count() == 2  # ONE lote, both lines
    (lote,) = lotes
    navegador.save_screenshot(str(tmp_path / "pedido.png"))

    # ---- the product page changed by itself: 30 leave on D+2
    navegador.switch_to.window(produto)
    esperar(lambda: campo(navegador, "disponivel") == "70", segundos=LIMITE)
    assert "30" in saida_do_dia(navegador, 2)
    assert campo(navegador, "estoque_atual") == "100"

    # ---- confirm the lote: a separação lote with the same id
    navegador.switch_to.window(pedido)
    botao = navegador.find_element(By.CSS_SELECTOR, f'[data-lote="{lote}"] button[data-confirmar^="Enviar"]')
    enviar(navegador, botao)
    esperar(lambda: navegador.find_elements(By.CSS_SELECTOR, f'[data-lote-separacao="{lote}"]'))
    assert set(Separacao.objects.values_list("separacao_lote_id", flat=True)) == {lote}

    # ---- an embarque with the lote, then its NF
    navegador.get(f"{base}/embarques/")
    navegador.find_element(By.ID, "transportadora").send_keys("TRANSPORTES SUL")
    navegador.find_element(By.CSS_SELECTOR, "#form-criar [type=submit]").click()
    esperar(lambda: navegador.find_elements(By.CSS_SELECTOR, "section.embarque"))
    secao = navegador.find_element(By.CSS_SELECTOR, "section.embarque")
    Select(secao.find_element(By.NAME, "separacao_lote_id")).select_by_value(lote)
    secao.find_element(By.XPATH, ".//button[normalize-space()='Adicionar lote']").click()
    esperar(lambda: navegador.find_elements(By.CSS_SELECTOR, f'tr.lote[data-lote="{lote}"]'))
    assert set(Separacao.objects.values_list("status", flat=True)) == {"COTADO"}
    secao = navegador.find_element(By.CSS_SELECTOR, "section.embarque")
    data = secao.find_element(By.NAME, "data_embarque")
    navegador.execute_script("arguments[0].value = arguments[1];", data, timezone.localdate().isoformat())
    secao.find_element(By.XPATH, ".//button[normalize-space()='Marcar embarcado']").click()
    esperar(lambda: set(Separacao.objects.values_list("status", flat=True)) == {"EMBARCADO"})
    formulario = navegador.find_element(By.CSS_SELECTOR, f'tr.lote[data-lote="{lote}"] form.faturar')
    formulario.find_element(By.NAME, "nota_fiscal").send_keys("123456")
    formulario.find_element(By.XPATH, ".//button[normalize-space()='Registrar NF']").click()
    esperar(lambda: Separacao.objects.filter(status="FATURADO").count() == 2)
    navegador.save_screenshot(str(tmp_path / "embarques.png"))

    # ---- the product page again, never reloaded: stock lowered, the outflow gone
    navegador.switch_to.window(produto)
    esperar(lambda: campo(navegador, "estoque_atual") == "70", segundos=LIMITE)
    assert campo(navegador, "disponivel") == "70"
    esperar(lambda: "30" not in saida_do_dia(navegador, 2), segundos=LIMITE)
    assert navegador.execute_script("return window.semRecarga;") == "sim"
    navegador.save_screenshot(str(tmp_path / "produto.png"))
    assert MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO", ativo=True).count() == 2
    assert diferencas_com_derivados() == []
