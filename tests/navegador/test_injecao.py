"""A product whose name and production line are script-bearing HTML, arriving the ways data
really arrives (the Odoo sync, spreadsheet imports through the admin), shows as literal text on
every page and modal that displays it and runs nothing; and no page logs a CSP violation.

Set INJECAO_CAPTURA=/pasta to keep screenshots of /carteira/pedidos/ with the ruptura modal open.
"""

import os
from io import BytesIO

import openpyxl
import pytest
from django_q.conf import Conf
from selenium.webdriver.common.by import By

from carteira.models import CarteiraPrincipal, SincronizacaoCarteira
from estoque.models import CadastroPalletizacao
from producao.models import ProgramacaoProducao
from producao.services import criar_programacao
from tests import fabricas as f
from tests.carteira.test_sincronizacao_odoo import BANCO, CHAVE, LOGIN, OdooFalso
from tests.navegador.apoio import SENHA, esperar, violacoes_csp

pytestmark = pytest.mark.django_db(transaction=True)

NOME = '<img src=x onerror="window.__xss=1">'
LINHA = "<script>window.__xss=2</script>"
CLIENTE = '<svg onload="window.__xss=3">CLIENTE'
COD, PEDIDO = "XSS1", "PXSS"


# ---------------------------------------------------------------- helpers

# Elements the payloads would make if parsed as HTML: a handler attribute, an inline script,
# an <img src=x> or an <svg>.
FEITOS_DOS_DADOS = """
return Array.from(arguments[0].querySelectorAll("*")).filter(function (n) {
  var manipulador = Array.from(n.attributes).some(function (a) { return a.name.indexOf("on") === 0; });
  return manipulador || (n.tagName === "SCRIPT" && !n.src) || n.getAttribute("src") === "x" || n.tagName === "svg";
}).map(function (n) { return n.outerHTML; });
"""


def limpa(driver, onde):
    """Nothing ran (window.__xss untouched) and the page logged no CSP violation."""
    assert driver.execute_script("return typeof window.__xss;") == "undefined", f"script executado em {onde}"
    assert violacoes_csp(driver) == [], onde


def mostra_literal(driver, seletor, *textos):
    elemento = esperar(lambda: driver.find_elements(By.CSS_SELECTOR, seletor), 15)[0]
    for texto in textos:
        esperar(lambda t=texto: t in elemento.text, 15)
    # Shown as characters, not parsed: no element was made from the data.
    feitos = driver.execute_script(FEITOS_DOS_DADOS, elemento)
    assert feitos == [], f"{seletor}: elementos criados a partir dos dados: {feitos}"


def abrir(driver, live_server, caminho):
    driver.get(live_server.url + caminho)
    esperar(lambda: driver.execute_script("return document.readyState") == "complete")


def entrar(driver, live_server):
    abrir(driver, live_server, "/admin/login/")
    driver.find_element(By.NAME, "username").send_keys("analista")
    driver.find_element(By.NAME, "password").send_keys(SENHA)
    driver.find_element(By.CSS_SELECTOR, "[type=submit]").click()
    esperar(lambda: "/admin/login/" not in driver.current_url)
    limpa(driver, "/admin/")


def planilha(tmp_path, nome, linhas) -> str:
    livro = openpyxl.Workbook()
    for linha in linhas:
        livro.active.append(linha)
    saida = BytesIO()
    livro.save(saida)
    caminho = tmp_path / nome
    caminho.write_bytes(saida.getvalue())
    return str(caminho)


def importar_pela_pagina(driver, live_server, tipo, arquivo):
    """The import page: upload, preview (data shown as text), confirm."""
    abrir(driver, live_server, f"/importacoes/{tipo}/")
    limpa(driver, f"importação {tipo}")
    driver.find_element(By.ID, "id_arquivo").send_keys(arquivo)
    driver.find_element(By.CSS_SELECTOR, "#form-enviar button[type=submit]").click()
    esperar(lambda: driver.find_elements(By.ID, "botao-confirmar"))
    mostra_literal(driver, "#totais", NOME)
    limpa(driver, f"prévia da importação {tipo}")
    driver.find_element(By.ID, "botao-confirmar").click()
    esperar(lambda: driver.find_elements(By.CSS_SELECTOR, "#mensagens .alert-success"))
    limpa(driver, f"importação {tipo} concluída")


# ---------------------------------------------------------------- the two ways in


def chegar_pelo_odoo(driver, live_server, tmp_path, settings):
    """The catalog as an operator typed it; the order line and client from the Odoo sync (admin button)."""
    CadastroPalletizacao.objects.create(
        cod_produto=COD, nome_produto=NOME, palletizacao=100, peso_bruto=1, linha_producao=LINHA
    )
    odoo = OdooFalso()
    try:
        settings.ODOO_URL, settings.ODOO_DB, settings.ODOO_LOGIN, settings.ODOO_API_KEY = odoo.url, BANCO, LOGIN, CHAVE
        settings.ODOO_PAGE_SIZE, settings.ODOO_TIMEOUT = 50, 5
        settings.ODOO_PERMITIR_HTTP = "1"  # the loopback Odoo speaks plain http
        odoo.linha(1, odoo.pedido(PEDIDO, cliente=odoo.parceiro(CLIENTE)), odoo.produto(COD, nome=NOME), 10)
        abrir(driver, live_server, "/admin/carteira/sincronizacaocarteira/")
        limpa(driver, "tela de sincronização")
        driver.find_element(By.XPATH, "//button[normalize-space()='Sincronizar agora']").click()
        # "Sincronizar agora" is a background job now: its page shows it done.
        esperar(lambda: "Concluído" in driver.find_element(By.TAG_NAME, "body").text)
        limpa(driver, "sincronização concluída")
    finally:
        odoo.parar()
    assert CarteiraPrincipal.objects.get(num_pedido=PEDIDO).nome_produto == NOME
    criar_programacao(cod_produto=COD, data_programacao=f.dia(3), qtd_programada=100, linha_producao=LINHA)


def chegar_por_planilhas(driver, live_server, tmp_path, settings):
    """Catalog and production plan by the import pages; the carteira by the spreadsheet sync page."""
    catalogo = planilha(
        tmp_path,
        "catalogo.xlsx",
        [["cod_produto", "nome_produto", "palletizacao", "peso_bruto", "linha_producao"], [COD, NOME, 100, 1, LINHA]],
    )
    importar_pela_pagina(driver, live_server, "cadastro", catalogo)
    producao = planilha(
        tmp_path,
        "producao.xlsx",
        [
            ["data_programacao", "cod_produto", "nome_produto", "qtd_programada", "linha_producao"],
            [f.dia(3).strftime("%d/%m/%Y"), COD, NOME, 100, LINHA],
        ],
    )
    importar_pela_pagina(driver, live_server, "producao", producao)

    carteira = planilha(
        tmp_path,
        "carteira.xlsx",
        [
            ["num_pedido", "cod_produto", "nome_produto", "qtd_saldo_produto_pedido", "preco_produto_pedido"]
            + ["raz_social", "raz_social_red"],
            [PEDIDO, COD, NOME, 10, 10, CLIENTE, CLIENTE],
        ],
    )
    abrir(driver, live_server, "/admin/carteira/sincronizacaocarteira/planilha/")
    limpa(driver, "tela da planilha da carteira")
    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(carteira)
    driver.find_element(By.CSS_SELECTOR, "#content-main input[type=submit]").click()
    # Sending it only simulates; the simulation's page applies the kept file.
    esperar(lambda: driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li.info"))
    limpa(driver, "simulação da planilha da carteira")
    driver.find_element(By.CSS_SELECTOR, "input[type=submit][value='Aplicar este plano']").click()
    esperar(lambda: driver.find_elements(By.CSS_SELECTOR, "ul.messagelist li.success"))
    limpa(driver, "planilha da carteira importada")
    assert CadastroPalletizacao.objects.get(cod_produto=COD).linha_producao == LINHA
    assert ProgramacaoProducao.objects.get(cod_produto=COD).linha_producao == LINHA
    assert CarteiraPrincipal.objects.get(num_pedido=PEDIDO).nome_produto == NOME


# ---------------------------------------------------------------- every page that shows it


@pytest.mark.parametrize("chegada", [chegar_pelo_odoo, chegar_por_planilhas], ids=["odoo", "planilhas"])
def test_nome_malicioso_aparece_como_texto_e_nada_executa(
    chegada, navegador, live_server, django_user_model, monkeypatch, settings, tmp_path
):
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 tasks inline: no cluster in the test
    # The page's stock-event stream would otherwise run on in the live server for 600 s after
    # the page is gone, polling a database that the test has torn down.
    monkeypatch.setattr("estoque.api_eventos.DURACAO_EVENTOS_SEGUNDOS", 1)
    django_user_model.objects.create_superuser("analista", "analista@example.com", SENHA)
    driver = navegador
    entrar(driver, live_server)
    chegada(driver, live_server, tmp_path, settings)
    # 5 in stock, another order takes 30 tomorrow (ruptura D+1); production of 100 on D+3
    # is what makes this order available, so the modal lists its production line.
    f.movimento(COD, 5)
    f.pre_separacao(COD, 30, k=1, pedido="RESERVA")

    abrir(driver, live_server, "/carteira/")
    mostra_literal(driver, "main .card table", NOME)
    limpa(driver, "/carteira/")

    abrir(driver, live_server, "/carteira/pedidos/")
    mostra_literal(driver, "#tabela-pedidos", CLIENTE)
    botao = f'button.btn-ruptura[data-pedido="{PEDIDO}"]'
    # The button is clickable while analysing (it then analyses that order at once): wait for the result.
    esperar(lambda: driver.find_element(By.CSS_SELECTOR, botao).get_attribute("data-criticidade"))
    assert driver.find_element(By.CSS_SELECTOR, botao).text.strip() == f"Disp. 0% | Total Disp. {f.dia(3):%d/%m}"
    driver.execute_script(
        "arguments[0].scrollIntoView(); arguments[0].click();", driver.find_element(By.CSS_SELECTOR, botao)
    )
    esperar(lambda: "show" in driver.find_element(By.ID, "modal-ruptura").get_attribute("class"))
    esperar(lambda: "Produção que resolve" in driver.find_element(By.ID, "modal-ruptura").text)
    limpa(driver, "modal de ruptura aberto")
    mostra_literal(driver, "#modal-ruptura-titulo", f"Pedido {PEDIDO} · {CLIENTE}")
    mostra_literal(driver, "#modal-ruptura-corpo", NOME, f"{f.dia(3):%d/%m/%Y}: 100 ({LINHA})")
    celulas = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#modal-ruptura-corpo tbody td")]
    assert celulas == [COD, NOME, "10", "5", "-25", f"{f.dia(3):%d/%m/%Y}", f"{f.dia(3):%d/%m/%Y}: 100 ({LINHA})"]
    if os.environ.get("INJECAO_CAPTURA"):
        driver.save_screenshot(os.path.join(os.environ["INJECAO_CAPTURA"], f"pedidos_modal_{chegada.__name__}.png"))
    limpa(driver, "/carteira/pedidos/ com o modal aberto")

    abrir(driver, live_server, "/producao/")
    mostra_literal(driver, "main .card table", NOME, LINHA)
    limpa(driver, "/producao/")

    for modelo, textos in (
        ("estoque/cadastropalletizacao", (NOME, LINHA)),
        ("estoque/estoquetemporeal", (NOME,)),
        ("carteira/carteiraprincipal", (NOME, CLIENTE)),
        ("producao/programacaoproducao", (NOME, LINHA)),
    ):
        abrir(driver, live_server, f"/admin/{modelo}/")
        mostra_literal(driver, "#result_list", *textos)
        limpa(driver, f"admin {modelo}")

    produto = CadastroPalletizacao.objects.get(cod_produto=COD)
    abrir(driver, live_server, f"/admin/estoque/cadastropalletizacao/{produto.pk}/change/")
    assert driver.find_element(By.ID, "id_nome_produto").get_attribute("value") == NOME
    limpa(driver, "admin: formulário do produto")

    execucao = SincronizacaoCarteira.objects.latest("iniciado_em")
    abrir(driver, live_server, f"/admin/carteira/sincronizacaocarteira/{execucao.pk}/change/")
    assert driver.find_element(By.CSS_SELECTOR, "pre.app-relatorio").value_of_css_property("white-space") == "pre-wrap"
    limpa(driver, "admin: relatório da sincronização")

    # import-export's export page, its inline onchange replaced by js/admin_exportacao.js.
    abrir(driver, live_server, "/admin/estoque/cadastropalletizacao/export/")
    campos = "input[type=checkbox]:not(.select-toggle)"
    esperar(lambda: driver.find_elements(By.CSS_SELECTOR, campos))
    driver.find_element(By.CSS_SELECTOR, "input.select-toggle").click()
    assert not any(c.is_selected() for c in driver.find_elements(By.CSS_SELECTOR, campos))
    driver.find_element(By.CSS_SELECTOR, "input.select-toggle").click()
    assert all(c.is_selected() for c in driver.find_elements(By.CSS_SELECTOR, campos))
    limpa(driver, "admin: exportação")

    abrir(driver, live_server, "/api/docs/")
    esperar(lambda: driver.find_elements(By.CSS_SELECTOR, ".opblock"))  # Swagger UI rendered the schema
    limpa(driver, "/api/docs/")
