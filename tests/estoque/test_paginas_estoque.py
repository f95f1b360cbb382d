"""Pages /estoque/ (Saldo de estoque) and /estoque/produto/<cod>/: filters, sort, pages, status,
404, permissions, constant query count, and the list API that shares the page's FilterSet."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from estoque.models import EstoqueTempoReal
from tests import fabricas as f

pytestmark = pytest.mark.django_db

SALDO = "/estoque/"
API_SALDO = "/api/estoque/tempo-real/saldo"
TODAS = (
    "view_estoquetemporeal",
    "view_carteiraprincipal",
    "view_preseparacaoitem",
    "view_separacao",
    "view_programacaoproducao",
    "view_movimentacaoestoque",
)


def conceder(usuario, *codenames):
    usuario.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    # has_perm caches per user object: the test client reloads the user on each request.


@pytest.fixture
def leitor(client, django_user_model):
    """Logged in with every view permission the pages use (not staff, not superuser)."""
    usuario = django_user_model.objects.create_user("leitor", "leitor@example.com", "senha-forte-123")
    conceder(usuario, *TODAS)
    client.force_login(usuario)
    return usuario


@pytest.fixture
def so_estoque(client, django_user_model):
    """Logged in with the stock permission only."""
    usuario = django_user_model.objects.create_user("estoquista", "e@example.com", "senha-forte-123")
    conceder(usuario, "view_estoquetemporeal")
    client.force_login(usuario)
    return usuario


def cenario():
    """CRÍTICO (C1, ruptura D+3), ATENÇÃO (A1, D+12), OK (K1, K2), a group B1<-B2 (principal B1),
    carteira, pré-separações, separações and production."""
    f.produto("C1", "CREME DE LEITE", peso_bruto="0.3")
    f.produto("A1", "AZEITE EXTRA VIRGEM")
    f.produto("K1", "KETCHUP TRADICIONAL")
    f.produto("K2", "KETCHUP PICANTE")
    f.produto("B1", "BATATA PALHA")
    f.produto("B2", "BATATA PALHA CX")
    for cod, linha, categoria in (
        ("C1", "LINHA 1", "LATICINIOS"),
        ("A1", "LINHA 2", "OLEOS"),
        ("K1", "LINHA 1", "MOLHOS"),
    ):
        EstoqueTempoReal.objects.none()  # (catalog fields below)
        from estoque.models import CadastroPalletizacao

        CadastroPalletizacao.objects.filter(cod_produto=cod).update(linha_producao=linha, categoria=categoria)
    f.unificar("B2", "B1")
    f.movimento("C1", 5)
    f.separacao("C1", 10, k=3, lote="L1", pedido="P1")  # C1: 5 - 10 on D3
    f.linha_carteira("P1", "C1", 30, raz_social_red="CLIENTE UM")
    f.pre_separacao("C1", 4, k=1, pedido="P1")
    f.movimento("A1", 5)
    f.pre_separacao("A1", 10, k=12, pedido="P2")  # A1: 5 - 10 on D12
    f.linha_carteira("P2", "A1", 10, raz_social_red="CLIENTE DOIS")
    f.movimento("K1", 100)
    f.producao("K1", 40, k=2)
    f.movimento("K2", 50)
    f.movimento("B2", 70)  # counts under B1
    f.linha_carteira("P3", "B2", 25, raz_social_red="CLIENTE TRES")


def codigos(resposta) -> list[str]:
    return re.findall(r'<tr data-produto="([^"]+)"', resposta.content.decode())


# ---------------------------------------------------------------- permissions


@pytest.mark.parametrize("url", [SALDO, "/estoque/produto/C1/"])
def test_anonimo_vai_para_o_login(client, url):
    resposta = client.get(url)
    assert resposta.status_code == 302
    assert resposta["Location"].startswith("/entrar/?next=")


@pytest.mark.parametrize("url", [SALDO, "/estoque/produto/C1/"])
def test_sem_permissao_de_estoque_403(cliente_comum, url):
    f.produto("C1")
    assert cliente_comum.get(url).status_code == 403


def test_so_estoque_ve_a_pagina_sem_as_colunas_de_carteira(client, so_estoque):
    cenario()
    resposta = client.get(SALDO)
    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert "Estoque D0" in html and "Disponível" in html
    cabecalho = html[html.index("<thead") : html.index("</thead>")]
    assert "Estoque D0" in cabecalho
    assert "Em carteira" not in cabecalho and "Em pré-separação" not in cabecalho and "Em separação" not in cabecalho
    assert 'name="com_carteira"' not in html
    # a sort by a hidden column falls back to the default
    assert codigos(client.get(SALDO, {"ordem": "carteira"}))[:2] == ["C1", "A1"]


# ---------------------------------------------------------------- list: numbers, badges, filters, sort, pages


def test_linhas_numeros_e_status(client, leitor):
    cenario()
    resposta = client.get(SALDO)
    assert resposta.status_code == 200
    html = resposta.content.decode()
    # default order: severity, then ruptura day; OK last by code
    assert codigos(resposta) == ["C1", "A1", "B1", "K1", "K2"]
    linha_c1 = html[html.index('<tr data-produto="C1"') :].split("</tr>")[0]
    assert "CRÍTICO" in linha_c1 and "app-status-critico" in linha_c1
    assert f"{f.dia(3):%d/%m/%Y}" in linha_c1 and "D+3" in linha_c1
    assert 'data-campo="em_carteira">16<' in linha_c1  # 30 - 4 (pré) - 10 (separação)
    assert 'data-campo="em_pre_separacao">4<' in linha_c1
    assert 'data-campo="em_separacao">10<' in linha_c1
    assert 'data-campo="disponivel">-9<' in linha_c1  # 5 - 4 - 10
    assert "app-negativo" in linha_c1
    linha_a1 = html[html.index('<tr data-produto="A1"') :].split("</tr>")[0]
    assert "ATENÇÃO" in linha_a1 and "D+12" in linha_a1
    linha_b1 = html[html.index('<tr data-produto="B1"') :].split("</tr>")[0]
    assert "B2" in linha_b1  # the unified code under the principal
    assert 'data-campo="estoque_atual">70<' in linha_b1
    assert 'data-campo="em_carteira">25<' in linha_b1  # B2's order counts under B1
    linha_k1 = html[html.index('<tr data-produto="K1"') :].split("</tr>")[0]
    assert 'data-campo="producao_prevista">40<' in linha_k1 and ">OK<" in linha_k1
    assert 'href="/estoque/produto/K1/"' in linha_k1


@pytest.mark.parametrize(
    ("parametros", "esperados"),
    [
        ({"q": "c1"}, ["C1"]),
        ({"q": "ketchup"}, ["K1", "K2"]),
        ({"q": "B2"}, ["B1"]),  # any unified code finds the group
        ({"q": "cx"}, ["B1"]),  # a unified code's catalog name too
        ({"status": "CRITICO"}, ["C1"]),
        ({"status": "ATENCAO"}, ["A1"]),
        ({"status": "OK"}, ["B1", "K1", "K2"]),
        ({"linha": "LINHA 1"}, ["C1", "K1"]),
        ({"categoria": "OLEOS"}, ["A1"]),
        ({"ruptura_d7": "1"}, ["C1"]),
        ({"com_carteira": "1"}, ["C1", "B1"]),  # A1's only order line is all pré-separada
        ({"linha": "LINHA 1", "status": "OK"}, ["K1"]),
        ({"q": "nada disso"}, []),
    ],
)
def test_filtros(client, leitor, parametros, esperados):
    cenario()
    assert codigos(client.get(SALDO, parametros)) == esperados
    # the list API takes the same filters (one FilterSet)
    resposta = client.get(API_SALDO, parametros)
    assert resposta.status_code == 200
    assert [linha["cod_produto"] for linha in resposta.json()["results"]] == esperados


@pytest.mark.parametrize(
    ("ordem", "esperados"),
    [
        ("status", ["C1", "A1", "B1", "K1", "K2"]),
        ("-status", ["B1", "K1", "K2", "A1", "C1"]),
        ("codigo", ["A1", "B1", "C1", "K1", "K2"]),
        ("-codigo", ["K2", "K1", "C1", "B1", "A1"]),
        ("produto", ["A1", "B1", "C1", "K2", "K1"]),
        ("estoque", ["A1", "C1", "K2", "B1", "K1"]),
        ("-estoque", ["K1", "B1", "K2", "A1", "C1"]),
        ("disponivel", ["C1", "A1", "K2", "B1", "K1"]),
        ("carteira", ["A1", "K1", "K2", "C1", "B1"]),
        ("-carteira", ["B1", "C1", "A1", "K1", "K2"]),
        ("producao", ["A1", "B1", "C1", "K2", "K1"]),
        ("-pre_separacao", ["A1", "C1", "B1", "K1", "K2"]),
        ("separacao", ["A1", "B1", "K1", "K2", "C1"]),
        ("linha", ["C1", "K1", "A1", "B1", "K2"]),  # no catalog line: last
        ("-linha", ["A1", "C1", "K1", "B1", "K2"]),
        ("ruptura", ["C1", "A1", "B1", "K1", "K2"]),
        ("-ruptura", ["A1", "C1", "B1", "K1", "K2"]),
        ("menor_d7", ["C1", "A1", "K2", "B1", "K1"]),
    ],
)
def test_ordenacao(client, leitor, ordem, esperados):
    cenario()
    resposta = client.get(SALDO, {"ordem": ordem})
    assert codigos(resposta) == esperados
    assert [linha["cod_produto"] for linha in client.get(API_SALDO, {"ordem": ordem}).json()["results"]] == esperados


def test_cabecalho_ordena_e_guarda_os_filtros_na_url(client, leitor):
    cenario()
    html = client.get(SALDO, {"status": "OK", "ordem": "codigo"}).content.decode()
    # the active column offers the reverse order, keeping the filter; aria-sort says the state
    assert re.search(r'aria-sort="ascending"><a class="app-ordenar" href="\?status=OK&amp;ordem=-codigo"', html)
    assert 'href="?status=OK&amp;ordem=estoque"' in html
    assert 'href="/relatorios/saldo-estoque.xlsx?status=OK&amp;ordem=codigo"' in html


def test_paginacao(client, leitor):
    for i in range(120):
        f.movimento(f"P{i:03d}", i + 1)
    resposta = client.get(SALDO, {"ordem": "codigo"})
    assert codigos(resposta)[:2] == ["P000", "P001"] and len(codigos(resposta)) == 50
    assert "Página 1 de 3" in resposta.content.decode()
    assert codigos(client.get(SALDO, {"ordem": "codigo", "pagina": 3})) == [f"P{i:03d}" for i in range(100, 120)]
    assert len(codigos(client.get(SALDO, {"por_pagina": 100}))) == 100
    assert len(codigos(client.get(SALDO, {"por_pagina": 200}))) == 120
    assert len(codigos(client.get(SALDO, {"por_pagina": 7}))) == 50  # only 50/100/200
    html = client.get(SALDO, {"ordem": "codigo", "por_pagina": 100}).content.decode()
    assert 'href="?ordem=codigo&amp;por_pagina=100&amp;pagina=2"' in html


def test_filtro_invalido_mostra_o_erro_e_a_api_responde_400(client, leitor):
    cenario()
    resposta = client.get(SALDO, {"status": "QUEBRADO"})
    assert resposta.status_code == 200
    assert "status:" in resposta.content.decode()
    assert client.get(API_SALDO, {"status": "QUEBRADO"}).status_code == 400
    assert client.get(API_SALDO, {"page_size": "0"}).status_code == 400


def _criar_produtos(n):
    for i in range(n):
        f.movimento(f"N{i:03d}", 10 + i)
        if i % 3 == 0:
            f.linha_carteira(f"PED{i}", f"N{i:03d}", 5)
            f.pre_separacao(f"N{i:03d}", 1, k=2, pedido=f"PED{i}")
        if i % 5 == 0:
            f.separacao(f"N{i:03d}", 20 + i, k=1, lote=f"L{i}", pedido=f"PED{i}")
        if i % 7 == 0:
            f.producao(f"N{i:03d}", 3, k=4)
    for i in range(0, n, 10):
        f.unificar(f"X{i:03d}", f"N{i:03d}")


@pytest.mark.parametrize("ordem", ["status", "carteira"])
def test_mesmo_numero_de_consultas_para_50_e_200_linhas(client, leitor, ordem):
    _criar_produtos(210)
    contagens = {}
    for por_pagina in (50, 200):
        with CaptureQueriesContext(connection) as consultas:
            resposta = client.get(SALDO, {"por_pagina": por_pagina, "ordem": ordem})
        assert resposta.status_code == 200
        assert len(codigos(resposta)) == por_pagina
        contagens[por_pagina] = len(consultas)
    assert contagens[50] == contagens[200], contagens
    assert contagens[50] <= 16, contagens


# ---------------------------------------------------------------- product page


def test_produto_abre_o_grupo_por_qualquer_codigo(client, leitor):
    cenario()
    for cod in ("B1", "B2"):
        resposta = client.get(f"/estoque/produto/{cod}/")
        assert resposta.status_code == 200
        html = resposta.content.decode()
        assert "B1 · BATATA PALHA" in html
        assert "Códigos unificados" in html and "B1, B2" in html
    assert "aberto pelo código B2" in client.get("/estoque/produto/B2/").content.decode()


def test_produto_desconhecido_404_com_busca(client, leitor):
    resposta = client.get("/estoque/produto/NAOEXISTE/")
    assert resposta.status_code == 404
    html = resposta.content.decode()
    assert "Produto não encontrado" in html
    assert 'action="/estoque/"' in html and 'name="q"' in html and 'value="NAOEXISTE"' in html


def test_produto_numeros_tabela_e_composicao(client, leitor):
    cenario()
    f.separacao("C1", 2, k=-3, lote="L9", pedido="P1")  # overdue: counts on D0
    f.producao("C1", 7, k=-1)  # before today: does not count
    f.producao("C1", 8, k=5)
    resposta = client.get("/estoque/produto/C1/")
    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert "CRÍTICO" in html
    assert 'data-campo="estoque_atual">5<' in html
    dados = resposta.context["dados"]
    assert [d["d"] for d in dados["dias"]] == list(range(29))
    d0 = dados["dias"][0]
    assert d0["saida"] == 2 and [linha["atrasada"] for linha in d0["linhas"]] == [True]
    assert [(linha["origem"], linha["qtd"]) for linha in dados["dias"][5]["linhas"]] == [("producao", 8)]
    for dia in dados["dias"]:  # the rows of a day add up to its entrada and saída
        entradas = sum(linha["qtd"] for linha in dia["linhas"] if linha["origem"] == "producao")
        saidas = sum(linha["qtd"] for linha in dia["linhas"] if linha["origem"] != "producao")
        assert (entradas, saidas) == (dia["entrada"], dia["saida"])
    assert "atrasada" in html
    assert 'id="dia-3"' in html and "L1" in html and "CLIENTE UM" in html
    assert 'href="/carteira/pedidos/?q=P1"' in html
    assert "Pedidos em aberto" in html and "Últimas movimentações" in html
    assert "/admin/estoque/movimentacaoestoque/?cod_produto__in=C1" in html
    assert 'id="dados-produto" type="application/json"' in html
    assert "Palletização" in html and "100 un/pallet" in html and "0,3 kg/un" in html


def test_produto_esconde_as_secoes_sem_permissao(client, so_estoque):
    cenario()
    resposta = client.get("/estoque/produto/C1/")
    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert "Dia a dia" in html and "grafico-projecao" in html
    assert "Pedidos em aberto" not in html and "Últimas movimentações" not in html
    assert "Sem permissão para ver as linhas de: produção, pré-separações, separações" in html
    assert "CLIENTE UM" not in html
    dados = resposta.context["dados"]
    assert dados["dias"][3]["saida"] == 10 and dados["dias"][3]["linhas"] == []


def test_sem_texto_de_dado_dentro_de_script_inline(client, leitor):
    """Strict CSP: no inline script or handler; data only in data- attributes or JSON blocks."""
    cenario()
    for url in (SALDO, "/estoque/produto/C1/", "/estoque/produto/NAOEXISTE/"):
        html = client.get(url).content.decode()
        for abertura in re.findall(r"<script[^>]*>", html):
            assert "src=" in abertura or 'type="application/json"' in abertura, abertura
        assert not re.search(r"\son[a-z]+=", html)
        assert "style=" not in html


# ---------------------------------------------------------------- live update endpoints


def test_api_saldo_por_codigos_para_a_atualizacao_ao_vivo(client, leitor):
    cenario()
    resposta = client.get(API_SALDO, {"produtos": "B2,C1,NADA", "page_size": 3})
    assert resposta.status_code == 200
    corpo = f.corpo(resposta)
    assert [linha["cod_produto"] for linha in corpo["results"]] == ["C1", "B1"]
    c1 = corpo["results"][0]
    assert c1["status"] == "CRITICO" and c1["status_rotulo"] == "CRÍTICO"
    assert c1["em_carteira"] == Decimal("16") and c1["disponivel"] == Decimal("-9")
    assert c1["dia_ruptura"] == f.dia(3).isoformat() and c1["dias_ate_ruptura"] == 3


def test_api_saldo_sem_permissao_de_carteira_devolve_nulos(client, so_estoque):
    cenario()
    linha = client.get(API_SALDO, {"produtos": "C1"}).json()["results"][0]
    assert linha["em_carteira"] is None and linha["em_separacao"] is None
    assert linha["estoque_atual"] == 5
    # the carteira filter does nothing for them, but a bad value is the same 400 as for anyone
    assert client.get(API_SALDO, {"com_carteira": "1"}).json()["count"] == client.get(API_SALDO).json()["count"]
    assert client.get(API_SALDO, {"com_carteira": "AAA"}).status_code == 400


def test_api_mudancas(client, leitor):
    """The polling twin of the events stream, which the pages fall back to (one for every page)."""
    cenario()
    primeira = client.get("/api/estoque/eventos/mudancas").json()
    assert primeira["produtos"] == {}
    f.movimento("K2", 1)
    segunda = client.get("/api/estoque/eventos/mudancas", {"desde": primeira["cursor"]}).json()
    assert "K2" in segunda["produtos"]
    assert client.get("/api/estoque/eventos/mudancas", {"desde": "ontem"}).status_code == 400
    # present but empty is not "absent"; an offset PostgreSQL refuses or a date with no UTC is a 400 too
    for desde in ("", "2857-02-20T17:44:56+21:15", "9999-12-31T23:00:00-05:00"):
        resposta = client.get("/api/estoque/eventos/mudancas", {"desde": desde})
        assert resposta.status_code == (200 if "+21:15" in desde else 400), desde


def test_api_composicao(client, leitor):
    cenario()
    resposta = client.get("/api/estoque/tempo-real/produto/B2/composicao", {"dias": 7})
    assert resposta.status_code == 200
    corpo = resposta.json()
    assert corpo["cod_principal"] == "B1" and len(corpo["dias"]) == 8
    assert [o["chave"] for o in corpo["origens"]] == ["producao", "pre_separacao", "separacao"]
    c1 = client.get("/api/estoque/tempo-real/produto/C1/composicao").json()
    assert c1["status"] == "CRITICO" and c1["dia_ruptura"] == f.dia(3).isoformat()
    linhas = c1["dias"][3]["linhas"]
    assert linhas[0]["origem"] == "separacao" and linhas[0]["detalhes"]["lote"] == "L1"
    assert client.get("/api/estoque/tempo-real/produto/NADA/composicao").status_code == 404
    assert client.get("/api/estoque/tempo-real/produto/C1/composicao", {"dias": 29}).status_code == 400


# ---------------------------------------------------------------- pt-BR whatever the browser


def test_paginas_em_portugues_com_navegador_em_ingles(client, leitor):
    cenario()
    html = client.get(SALDO, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="pt-br">' in html and "Saldo de estoque" in html
    client.logout()
    login = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Usuário" in login and "Senha" in login
    assert "Username" not in login
