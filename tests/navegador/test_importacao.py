"""A spreadsheet import as an operator does it, in headless Chromium on the ASGI server: download
the template, fill it (as LibreOffice would save it), upload, read the preview's totals, confirm,
and see the stock change on the product page open in another tab, without reloading it."""

import openpyxl
import pytest
from selenium.webdriver.common.by import By

from core.models import Importacao
from estoque.models import MovimentacaoEstoque
from tests import fabricas as f
from tests.navegador.apoio import SENHA, esperar
from tests.navegador.test_montagem import campo, entrar
from tests.navegador.test_relatorios import esperar_download
from tests.oracle import diferencas_com_derivados

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def test_modelo_preenchido_importado_muda_a_pagina_do_produto(navegador, servidor_asgi, django_user_model, downloads):
    base = servidor_asgi
    django_user_model.objects.create_superuser("operador", "operador@example.com", SENHA)
    f.produto("4510156", "PEPINO 300G")
    f.movimento("4510156", 100)

    entrar(navegador, base, "/estoque/produto/4510156/")
    esperar(lambda: navegador.find_element(By.ID, "pagina-produto").get_attribute("data-modo") == "ao-vivo")
    produto = navegador.current_window_handle
    navegador.execute_script("window.semRecarga = 'sim';")
    assert campo(navegador, "estoque_atual") == "100"

    # ---- the import page: download the template
    navegador.switch_to.new_window("tab")
    navegador.get(f"{base}/importacoes/")
    cartao = navegador.find_element(By.CSS_SELECTOR, ".tipo-importacao[data-tipo='movimentacoes']")
    cartao.find_element(By.LINK_TEXT, "Enviar planilha").click()
    esperar(lambda: navegador.find_elements(By.ID, "form-enviar"))
    navegador.find_element(By.ID, "baixar-modelo").click()
    modelo = esperar_download(downloads, "modelo")
    livro = openpyxl.load_workbook(modelo)
    dados = livro["Dados"]
    assert [c.value for c in dados[1]][:4] == ["Código do produto", "Data", "Tipo", "Quantidade"]

    # ---- fill it: the example row replaced by two movements, pt-BR text as typed
    hoje = f"{f.hoje():%d/%m/%Y}"
    for coluna, valor in enumerate(["4510156", hoje, "Entrada", "1.234,5", "", "recebimento"], start=1):
        dados.cell(row=2, column=coluna, value=valor)
    for coluna, valor in enumerate(["4510156", hoje, "Saída", "-34,5"], start=1):
        dados.cell(row=3, column=coluna, value=valor)
    preenchido = downloads.parent / "movimentos.xlsx"
    livro.save(preenchido)

    # ---- upload, read the totals, confirm
    navegador.find_element(By.ID, "id_arquivo").send_keys(str(preenchido))
    navegador.find_element(By.CSS_SELECTOR, "#form-enviar button[type=submit]").click()
    esperar(lambda: navegador.find_elements(By.ID, "botao-confirmar"))
    totais = navegador.find_element(By.ID, "totais").text
    assert "PEPINO 300G" in totais and "1.234,5" in totais and "-34,5" in totais and "1.200" in totais, totais
    assert MovimentacaoEstoque.objects.count() == 1  # the preview wrote nothing
    navegador.find_element(By.ID, "botao-confirmar").click()
    esperar(lambda: navegador.find_elements(By.CSS_SELECTOR, "#mensagens .alert-success"))
    assert Importacao.objects.get().status == Importacao.Status.APLICADA

    # ---- the product page changed by itself
    navegador.switch_to.window(produto)
    esperar(lambda: campo(navegador, "estoque_atual") == "1.300", 10)
    assert navegador.execute_script("return window.semRecarga") == "sim"
    assert diferencas_com_derivados() == []

    # ---- the same file again is refused unless confirmed on purpose
    navegador.switch_to.new_window("tab")
    navegador.get(f"{base}/importacoes/movimentacoes/")
    navegador.find_element(By.ID, "id_arquivo").send_keys(str(preenchido))
    navegador.find_element(By.CSS_SELECTOR, "#form-enviar button[type=submit]").click()
    esperar(lambda: navegador.find_elements(By.ID, "repetida"))
    assert "já foi importado" in navegador.find_element(By.ID, "repetida").text
