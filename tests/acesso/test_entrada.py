"""/entrar/ and /sair/, the failed-login limit (also on /admin/login/), the menu by role, the 403 page."""

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db

SENHA = "senha-forte-123"


@pytest.fixture
def operador(django_user_model):
    usuario = django_user_model.objects.create_user("operador", password=SENHA, is_staff=True)
    usuario.groups.add(Group.objects.get(name="Comercial"))
    return usuario


def entrar(client, usuario="operador", senha=SENHA, endereco="/entrar/", **extra):
    return client.post(endereco, {"username": usuario, "password": senha, **extra})


def test_pagina_de_entrada_em_portugues(client):
    html = client.get("/entrar/").content.decode()
    assert '<html lang="pt-br">' in html
    assert "Usuário" in html and "Senha" in html and 'id="botao-entrar"' in html
    assert 'action="/entrar/"' in html


def test_entrar_leva_ao_proximo_endereco_e_sair_encerra(client, operador):
    resposta = entrar(client, next="/carteira/pedidos/")
    assert resposta.status_code == 302 and resposta["Location"] == "/carteira/pedidos/"
    assert client.get("/carteira/pedidos/").status_code == 200
    assert client.get("/sair/").status_code == 405  # logout is a POST (a link cannot log you out)
    resposta = client.post("/sair/")
    assert resposta.status_code == 302 and resposta["Location"] == "/entrar/"
    assert client.get("/carteira/pedidos/")["Location"] == "/entrar/?next=/carteira/pedidos/"


def test_senha_errada_mensagem_em_portugues(client, operador):
    resposta = entrar(client, senha="errada")
    assert resposta.status_code == 200
    assert "Por favor, entre com um usuário" in resposta.content.decode()  # Django's pt-BR message
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("endereco", ["/entrar/", "/admin/login/"])
def test_tentativas_limitadas_por_usuario_e_endereco(client, operador, django_user_model, settings, endereco):
    settings.ESTOQUE_LOGIN_TENTATIVAS = 3
    settings.ESTOQUE_LOGIN_JANELA_MINUTOS = 15
    for _ in range(3):
        assert "Muitas tentativas" not in entrar(client, senha="errada", endereco=endereco).content.decode()
    bloqueada = entrar(client, endereco=endereco)  # even the right password, until the window ends
    assert bloqueada.status_code == 200
    assert "Muitas tentativas de entrada sem sucesso" in bloqueada.content.decode()
    assert "Aguarde 15 minutos" in bloqueada.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user from the same address, or the same user from another address, is not blocked.
    django_user_model.objects.create_user("outro", password=SENHA, is_staff=True)
    assert entrar(client, usuario="outro", endereco=endereco).status_code == 302
    client.logout()
    resposta = client.post(endereco, {"username": "operador", "password": SENHA}, REMOTE_ADDR="10.0.0.9")
    assert resposta.status_code == 302


def test_entrada_certa_zera_as_falhas(client, operador, settings):
    settings.ESTOQUE_LOGIN_TENTATIVAS = 2
    entrar(client, senha="errada")
    assert entrar(client).status_code == 302
    client.logout()
    entrar(client, senha="errada")
    assert entrar(client).status_code == 302  # one failure since the last success, under the limit


def _menu(html: str) -> list[str]:
    inicio = html.index('id="menu-secoes"')
    trecho = html[inicio : html.index("</ul>", inicio)]
    return [parte.split('"')[0] for parte in trecho.split('href="')[1:]]


@pytest.mark.parametrize(
    ("papel", "secoes", "pagina"),
    [
        # Saldo de estoque is the first item (issue 12): every role reads the stock.
        (
            "Comercial",
            ["/estoque/", "/carteira/", "/carteira/pedidos/", "/producao/", "/admin/", "/api/docs/"],
            "/carteira/",
        ),
        (
            "Expedição",
            ["/estoque/", "/carteira/", "/carteira/pedidos/", "/embarques/", "/importacoes/", "/admin/", "/api/docs/"],
            "/carteira/",
        ),
        ("PCP", ["/estoque/", "/producao/", "/importacoes/", "/admin/", "/api/docs/"], "/producao/"),
        (
            "Gestão",
            [
                "/estoque/",
                "/carteira/",
                "/carteira/pedidos/",
                "/producao/",
                "/embarques/",
                "/importacoes/",
                "/operacao/",
                "/admin/",
                "/api/docs/",
            ],
            "/estoque/",
        ),
    ],
)
def test_menu_mostra_so_as_secoes_permitidas(cliente_papel, papel, secoes, pagina):
    html = cliente_papel(papel).get(pagina).content.decode()
    assert _menu(html) == secoes
    assert f"papel-{papel.lower()}" in html and 'id="botao-sair"' in html and 'action="/sair/"' in html


def test_pagina_sem_permissao_e_403_em_portugues(cliente_papel):
    resposta = cliente_papel("PCP").get("/carteira/")
    assert resposta.status_code == 403
    html = resposta.content.decode()
    assert "Sem permissão" in html and "papel-pcp" in html
    assert _menu(html) == ["/estoque/", "/producao/", "/importacoes/", "/admin/", "/api/docs/"]


def test_usuario_sem_papel_nem_staff_ve_aviso(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("novo", password=SENHA))
    resposta = client.get("/")
    assert resposta.status_code == 403
    assert "Nenhuma seção disponível" in resposta.content.decode()
    assert _menu(resposta.content.decode()) == []
