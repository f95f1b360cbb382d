"""Export of the Saldo de estoque list (/relatorios/saldo-estoque.xlsx) and the links to the product page."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from relatorios.excel import LINHA_CABECALHO
from tests import fabricas as f
from tests.estoque.test_paginas_estoque import cenario, codigos

pytestmark = pytest.mark.django_db

URL = "/relatorios/saldo-estoque.xlsx"


def planilha(resposta):
    return load_workbook(BytesIO(b"".join(resposta.streaming_content)))["Saldo de estoque"]


def linhas_de_dados(ws) -> list[tuple]:
    return [linha for linha in ws.iter_rows(min_row=LINHA_CABECALHO + 1, values_only=True) if linha[0]]


@pytest.mark.parametrize(
    "parametros", [{}, {"status": "OK", "ordem": "-estoque"}, {"q": "ketchup"}, {"com_carteira": "1"}]
)
def test_exporta_as_linhas_filtradas_na_ordem_da_tela(cliente_staff, parametros):
    cenario()
    resposta = cliente_staff.get(URL, parametros)
    assert resposta.status_code == 200
    assert f'filename="saldo_estoque_{f.hoje():%Y-%m-%d}.xlsx"' in resposta["Content-Disposition"]
    ws = planilha(resposta)
    linhas = linhas_de_dados(ws)
    tela = codigos(cliente_staff.get("/estoque/", {**parametros, "por_pagina": 200}))
    assert [linha[0] for linha in linhas] == tela
    assert ws["A2"].value.startswith("Filtros:")


def test_exporta_numeros_status_e_colunas_permitidas(client, django_user_model):
    cenario()
    usuario = django_user_model.objects.create_user("leitor", "l@example.com", "senha-forte-123")
    usuario.user_permissions.add(*Permission.objects.filter(codename="view_estoquetemporeal"))
    client.force_login(usuario)
    ws = planilha(client.get(URL, {"ordem": "codigo"}))
    cabecalho = [c.value for c in ws[LINHA_CABECALHO]]
    assert "Em carteira" not in cabecalho and "Disponível" in cabecalho
    c1 = next(linha for linha in linhas_de_dados(ws) if linha[0] == "C1")
    por_coluna = dict(zip(cabecalho, c1))
    assert por_coluna["Status"] == "CRÍTICO"
    assert por_coluna["Estoque D0"] == 5 and por_coluna["Disponível"] == -9 and por_coluna["D+"] == 3
    assert por_coluna["Dia de ruptura"].date() == f.dia(3)
    b1 = next(linha for linha in linhas_de_dados(ws) if linha[0] == "B1")
    assert dict(zip(cabecalho, b1))["Códigos unificados"] == "B2"


def test_exportar_pede_login_e_permissao(client, cliente_comum):
    assert cliente_comum.get(URL).status_code == 403
    cliente_comum.logout()
    assert client.get(URL).status_code == 302


def test_exportar_com_filtro_invalido_e_400(cliente_staff):
    resposta = cliente_staff.get(URL, {"status": "NADA"})
    assert resposta.status_code == 400
    assert "status" in resposta.content.decode()


def test_codigos_levam_a_pagina_do_produto(cliente_staff):
    f.produto("R1", "PRODUTO EM RUPTURA")
    f.movimento("R1", 5)
    f.separacao("R1", 10, k=2, lote="L1", pedido="PED1")
    f.linha_carteira("PED1", "R1", 30)
    f.producao("R1", 3, k=4)
    for url in ("/carteira/", "/producao/"):
        html = cliente_staff.get(url).content.decode()
        assert 'href="/estoque/produto/R1/"' in html, url
    menu = cliente_staff.get("/producao/").content.decode()
    assert menu.index('href="/estoque/"') < menu.index('href="/carteira/"')  # first item of the menu
