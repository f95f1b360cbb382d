"""The report pages and downloads: login, permission (403), date parameters, file name."""

from io import BytesIO

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from relatorios import exportacoes
from tests import fabricas as f

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHAVES = ["pre-separacoes", "separacoes", "carteira", "carteira-detalhada", "producao"]


@pytest.fixture
def dados():
    f.produto("P1", palletizacao="100", peso_bruto="1.5")
    f.movimento("P1", 10)
    f.linha_carteira("PED1", "P1", 100, data_pedido=f.dia(-2))
    f.linha_carteira("PED2", "P1", 5, data_pedido=f.dia(-2))
    f.separacao("P1", 30, k=2, lote="LOTE1", pedido="PED1")  # 10 - 30: ruptura on D+2
    f.producao("P1", 50, k=20)


@pytest.fixture
def sem_permissao(client, django_user_model):
    usuario = django_user_model.objects.create_user("leitor", "leitor@example.com", "senha-forte-123", is_staff=True)
    client.force_login(usuario)
    return usuario


def conceder(usuario, *codenames):
    usuario.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def baixar(cliente, chave, **parametros):
    return cliente.get(f"/relatorios/{chave}.xlsx", parametros)


def conteudo(resposta):
    return b"".join(resposta.streaming_content)


def test_raiz_vai_para_a_primeira_secao_permitida(client, cliente_papel):
    assert client.get("/")["Location"] == "/entrar/?next=/"
    # Saldo de estoque is the menu's first section and every role reads the stock (issue 12).
    assert cliente_papel("Comercial").get("/")["Location"] == "/estoque/"
    assert cliente_papel("PCP").get("/")["Location"] == "/estoque/"


@pytest.mark.parametrize("url", ["/carteira/", "/producao/"])
def test_paginas_pedem_login(client, url):
    resposta = client.get(url)
    assert resposta.status_code == 302
    assert resposta["Location"].startswith(f"/entrar/?next={url}")


@pytest.mark.parametrize("chave", CHAVES)
def test_download_pede_login(client, chave):
    resposta = baixar(client, chave)
    assert resposta.status_code == 302
    assert resposta["Location"].startswith("/entrar/")


@pytest.mark.parametrize("chave", CHAVES)
def test_download_sem_permissao_e_403(client, sem_permissao, chave):
    assert baixar(client, chave).status_code == 403


def test_permissoes_por_relatorio(client, sem_permissao, dados):
    conceder(sem_permissao, "view_carteiraprincipal")
    assert baixar(client, "carteira").status_code == 200
    assert baixar(client, "carteira-detalhada").status_code == 403  # also reads pré-separações and separações
    conceder(sem_permissao, "view_preseparacaoitem", "view_separacao")
    assert baixar(client, "carteira-detalhada").status_code == 200
    assert baixar(client, "producao").status_code == 403
    conceder(sem_permissao, "view_estoquetemporeal", "view_movimentacaoprevista")
    assert baixar(client, "producao").status_code == 200


@pytest.mark.parametrize("chave", CHAVES)
def test_download_xlsx_com_a_data_no_nome(cliente_staff, dados, chave):
    resposta = baixar(cliente_staff, chave)
    assert resposta.status_code == 200
    assert resposta["Content-Type"] == XLSX
    prefixo = exportacoes.RELATORIOS[chave].prefixo_arquivo
    assert f'filename="{prefixo}_{f.hoje():%Y-%m-%d}.xlsx"' in resposta["Content-Disposition"]
    assert resposta["Content-Disposition"].startswith("attachment")
    livro = load_workbook(BytesIO(conteudo(resposta)))
    assert livro.sheetnames


def test_download_com_periodo(cliente_staff, dados):
    resposta = baixar(cliente_staff, "separacoes", de=f.dia(0).isoformat(), ate=f.dia(3).isoformat())
    ws = load_workbook(BytesIO(conteudo(resposta)))["Separações"]
    assert ws["A2"].value == f"Período (data de expedição): de {f.dia(0):%d/%m/%Y} até {f.dia(3):%d/%m/%Y}"
    assert ws.max_row == 6
    resposta = baixar(cliente_staff, "separacoes", de=f"{f.dia(5):%d/%m/%Y}")  # dd/mm/aaaa accepted too
    ws = load_workbook(BytesIO(conteudo(resposta)))["Separações"]
    assert ws.max_row == 5  # header only


@pytest.mark.parametrize(
    "parametros", [{"de": "31/02/2026"}, {"ate": "amanhã"}, {"de": "2026-11-10", "ate": "2026-11-01"}]
)
def test_periodo_invalido_e_400(cliente_staff, parametros):
    resposta = baixar(cliente_staff, "carteira", **parametros)
    assert resposta.status_code == 400
    assert "data" in resposta.content.decode().lower()


def test_relatorio_inexistente_e_404(cliente_staff):
    assert baixar(cliente_staff, "nada").status_code == 404


def test_dashboard_da_carteira(cliente_staff, dados):
    resposta = cliente_staff.get("/carteira/")
    assert resposta.status_code == 200
    html = resposta.content.decode()
    painel = resposta.context["painel"]
    assert (painel["pedidos"], painel["linhas"], painel["linhas_ruptura"]) == (2, 2, 2)
    assert str(painel["valor"]) == "1050.00"
    assert "R$ 1.050,00" in html  # pt-BR number format
    assert 'id="botao-relatorios"' in html and 'data-bs-target="#modalRelatorios"' in html
    for campo in ('id="relatorio-de"', 'id="relatorio-ate"', 'id="relatorio-aplicar"', 'id="relatorio-limpar"'):
        assert campo in html
    for chave in CHAVES[:4]:
        assert f'href="/relatorios/{chave}.xlsx"' in html
    assert "vendor/bootstrap/css/bootstrap.min.css" in html and "js/relatorios.js" in html
    assert "cdn" not in html.lower()


def test_dashboard_sem_permissao_mostra_botoes_desabilitados(client, sem_permissao, dados):
    assert client.get("/carteira/").status_code == 403  # the page itself needs the carteira and the stock
    conceder(sem_permissao, "view_carteiraprincipal", "view_estoquetemporeal", "view_movimentacaoprevista")
    html = client.get("/carteira/").content.decode()
    assert 'href="/relatorios/carteira.xlsx"' in html
    assert 'href="/relatorios/carteira-detalhada.xlsx"' not in html  # also reads pré-separações and separações
    assert "sem permissão" in html


def test_dashboard_de_producao(cliente_staff, dados):
    resposta = cliente_staff.get("/producao/")
    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert "Relatórios Produção" in html and 'href="/relatorios/producao.xlsx"' in html
    assert resposta.context["painel"]["itens"] == 1
    assert f"{f.dia(20):%d/%m/%Y}" in html
    filtrada = cliente_staff.get("/producao/", {"de": f.dia(0).isoformat(), "ate": f.dia(10).isoformat()})
    assert filtrada.context["painel"]["itens"] == 0
    invalida = cliente_staff.get("/producao/", {"de": "xx"})
    assert invalida.status_code == 200 and "inválida" in invalida.content.decode()


def test_base_tem_a_navegacao(cliente_staff, dados):
    html = cliente_staff.get("/producao/").content.decode()
    for href in (
        'href="/carteira/"',
        'href="/carteira/pedidos/"',
        'href="/producao/"',
        'href="/admin/"',
        'href="/api/docs/"',
    ):
        assert href in html


def test_arquivos_estaticos_locais(client):
    from django.contrib.staticfiles import finders

    for caminho in (
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "css/app.css",
        "js/relatorios.js",
    ):
        assert finders.find(caminho), caminho
