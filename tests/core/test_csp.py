"""Every response leaves with the strict Content-Security-Policy, and no page we serve (ours,
the admin's, import-export's, DRF's, Swagger UI's, the error pages) carries code the policy
would block: no inline script, handler or style in the HTML as rendered."""

import contextlib
from io import BytesIO

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from carteira.models import SincronizacaoCarteira
from estoque.models import AlertaRuptura
from tests import fabricas as f
from tests.varredura_csp import achados_html

pytestmark = pytest.mark.django_db

POLITICA = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


def politica(resposta) -> dict[str, list[str]]:
    assert "Content-Security-Policy" in resposta, f"{resposta.status_code} sem Content-Security-Policy"
    diretivas = {}
    for parte in resposta["Content-Security-Policy"].split(";"):
        nome, *valores = parte.split()
        diretivas[nome] = valores
    return diretivas


def conferir(resposta, caminho):
    diretivas = politica(resposta)
    assert diretivas == POLITICA, caminho
    script = diretivas.get("script-src", diretivas["default-src"])
    assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'"} & set(script), caminho
    if resposta.get("Content-Type", "").startswith("text/html") and not resposta.streaming:
        assert achados_html(resposta.content.decode()) == [], caminho


@pytest.fixture
def dados():
    f.produto("P1", "AZEITONA VERDE 500G")
    f.movimento("P1", 50)
    f.producao("P1", 100, k=3)
    f.linha_carteira("PED1", "P1", 80, raz_social="CLIENTE UM")
    f.pre_separacao("P1", 70, k=1, pedido="PED2")
    f.separacao("P1", 5, k=2, lote="L1", pedido="PED1")
    f.embarque_item("L1")
    f.unificar("P9", "P1")
    AlertaRuptura.objects.create(cod_produto="P1", tipo="ENTROU_EM_RUPTURA", dia_ruptura=f.hoje(), menor_estoque_d7=-1)
    SincronizacaoCarteira.objects.create(
        iniciado_em=timezone.now(), origem="PLANILHA", status="SUCESSO", gatilho="ADMIN", relatorio="ok"
    )


def paginas_do_admin():
    """Index, every model's changelist and add form, a change form where a row exists, exports."""
    caminhos = [reverse("admin:index"), reverse("admin:password_change")]
    for modelo in admin.site._registry:
        rotulo = f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}"
        caminhos += [reverse(f"{rotulo}_changelist"), reverse(f"{rotulo}_add")]
        objeto = modelo._default_manager.first()
        if objeto is not None:
            caminhos.append(reverse(f"{rotulo}_change", args=[objeto.pk]))
        with contextlib.suppress(NoReverseMatch):
            caminhos.append(reverse(f"{rotulo}_export"))
    return caminhos + [reverse("admin:carteira_sincronizacaocarteira_planilha")]


def test_paginas_e_admin_logados(cliente_staff, dados):
    caminhos = ["/", "/carteira/", "/carteira/pedidos/", "/carteira/pedidos/PED1/", "/producao/", "/api/docs/"]
    caminhos += ["/importacoes/", "/importacoes/movimentacoes/", "/importacoes/faturamento/"]
    caminhos += ["/estoque/", "/estoque/alertas/"]
    caminhos += paginas_do_admin()
    assert len(caminhos) > 40
    vistos = set()
    for caminho in caminhos:
        resposta = cliente_staff.get(caminho)
        assert resposta.status_code in (200, 302, 403), (caminho, resposta.status_code)
        conferir(resposta, caminho)
        vistos.add(resposta.status_code)
    assert 200 in vistos


def test_swagger_ui_sem_script_inline(cliente_staff):
    pagina = cliente_staff.get("/api/docs/")
    conferir(pagina, "/api/docs/")
    assert b'src="/api/docs/?script=' in pagina.content  # the init script, from the same origin
    script = cliente_staff.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    conferir(script, "/api/docs/?script=")


def test_api_json_navegavel_e_esquema(cliente_staff, dados):
    for caminho, aceita in (
        ("/api/estoque/tempo-real/rupturas", "application/json"),
        ("/api/estoque/tempo-real/rupturas", "text/html"),  # DRF's browsable API
        ("/api/producao/programacoes", "text/html"),  # with its POST forms
        ("/api/schema/", "application/vnd.oai.openapi"),
    ):
        resposta = cliente_staff.get(caminho, HTTP_ACCEPT=aceita)
        assert resposta.status_code == 200, caminho
        conferir(resposta, f"{caminho} ({aceita})")


def test_anonimo_redirecionamentos_e_login(client):
    # The API docs are a page like the others: login first (acesso, issue 11).
    for caminho, status in (("/carteira/", 302), ("/admin/", 302), ("/admin/login/", 200), ("/api/docs/", 302)):
        resposta = client.get(caminho)
        assert resposta.status_code == status, caminho
        conferir(resposta, caminho)
    resposta = client.get("/api/estoque/tempo-real/rupturas")
    assert resposta.status_code == 401
    conferir(resposta, "api anônima")


def test_paginas_de_erro(cliente_staff, cliente_comum, staff, monkeypatch):
    resposta = cliente_staff.get("/nao-existe/")
    assert resposta.status_code == 404
    conferir(resposta, "404")

    resposta = cliente_comum.post("/api/producao/programacoes", {}, content_type="application/json")
    assert resposta.status_code == 403
    conferir(resposta, "403 da API")

    csrf = Client(enforce_csrf_checks=True)
    resposta = csrf.post("/admin/login/", {"username": "x", "password": "y"})
    assert resposta.status_code == 403 and "verificação de segurança (CSRF)" in resposta.content.decode()
    conferir(resposta, "403 CSRF")

    def quebra(_hoje):
        raise RuntimeError("falha simulada")

    monkeypatch.setattr("carteira.views.selectors.painel_carteira", quebra)
    # cliente_staff and cliente_comum are one test client: log the superuser back in.
    cliente_staff.force_login(staff)
    cliente_staff.raise_request_exception = False
    resposta = cliente_staff.get("/carteira/")
    assert resposta.status_code == 500
    conferir(resposta, "500")


def test_politica_sem_unsafe_em_script_src(settings):
    """The setting itself, so a later edit that loosens script-src fails here too."""
    diretivas = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert diretivas["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in diretivas["style-src"]
    assert not any("unsafe" in valor for valores in diretivas.values() for valor in valores)


def test_previa_da_importacao_sem_estilo_inline_e_escapada(cliente_staff):
    """The import preview (core.importacoes) under the policy; data shown escaped, as text."""
    import openpyxl
    from django.core.files.uploadedfile import SimpleUploadedFile

    f.produto("P1", "NOME ANTIGO")
    livro = openpyxl.Workbook()
    livro.active.append(["cod_produto", "nome_produto", "palletizacao", "peso_bruto"])
    livro.active.append(["P1", '<img src=x onerror="alert(1)">NOVO!', 100, 1])
    livro.active.append(["P2", "PRODUTO NOVO", 10, 1])
    saida = BytesIO()
    livro.save(saida)
    arquivo = SimpleUploadedFile("catalogo.xlsx", saida.getvalue())
    resposta = cliente_staff.post("/importacoes/cadastro/", {"arquivo": arquivo}, follow=True)
    assert resposta.status_code == 200 and "botao-confirmar" in resposta.content.decode()
    conferir(resposta, "prévia da importação")
    html = resposta.content.decode()
    assert "<td>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;NOVO!</td>" in html
    assert "<td>PRODUTO NOVO</td>" in html
