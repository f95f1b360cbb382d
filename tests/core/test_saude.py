"""GET /saude/ (core.saude) and the Operação page (operacao)."""

import json
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Task

from carteira.models import SincronizacaoCarteira
from core import saude
from estoque.models import ReconciliacaoExecucao, ReparoEstoque
from tests import fabricas as f

pytestmark = pytest.mark.django_db

CHECAGENS = {"banco", "cluster", "reconciliacao", "sincronizacao_carteira"}


@pytest.fixture
def saudavel():
    """What a healthy system has: a live cluster and a recent scheduled reconciliation."""
    f.batimento_cluster()
    return f.reconciliacao_agendada(idade=timedelta(seconds=30), produtos_verificados=7)


def _pedir(client):
    resposta = client.get("/saude/")
    return resposta, json.loads(resposta.content)


def test_saudavel_responde_200_so_com_o_status(client, saudavel, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        resposta, corpo = _pedir(client)
    assert resposta.status_code == 200
    assert corpo == {"status": "ok"}
    assert resposta["Content-Type"] == "application/json"
    assert "no-cache" in resposta["Cache-Control"]


def test_sem_sessao_nem_csrf_e_http_puro(client, saudavel, settings):
    """Load balancers probe the backend over plain http, without cookies."""
    settings.SECURE_SSL_REDIRECT = True
    resposta = client.get("/saude/")
    assert resposta.status_code == 200
    assert "Set-Cookie" not in resposta.headers
    assert client.get("/estoque/").status_code == 301  # the rest still goes to https


def test_reconciliacao_velha_da_503(client):
    f.batimento_cluster()
    f.reconciliacao_agendada(idade=timedelta(minutes=3 * 1 + 1))
    resposta, corpo = _pedir(client)
    assert resposta.status_code == 503
    assert corpo["status"] == "falha"
    assert corpo["verificacoes"]["reconciliacao"] == "falha"
    assert corpo["verificacoes"]["cluster"] == "ok"
    assert corpo["verificacoes"]["banco"] == "ok"


def test_limite_da_reconciliacao_segue_o_intervalo(client, settings):
    settings.ESTOQUE_RECONCILIACAO_MINUTOS = 10
    f.batimento_cluster()
    f.reconciliacao_agendada(idade=timedelta(minutes=25))
    assert client.get("/saude/").status_code == 200
    f.reconciliacao_agendada(idade=timedelta(minutes=31))  # older than the latest: does not count
    assert client.get("/saude/").status_code == 200
    ReconciliacaoExecucao.objects.filter(finalizado_em__gt=timezone.now() - timedelta(minutes=30)).delete()
    assert client.get("/saude/").status_code == 503


def test_sem_reconciliacao_ou_so_manual_ou_com_erro_da_503(client):
    f.batimento_cluster()
    assert _pedir(client)[1]["verificacoes"]["reconciliacao"] == "falha"
    ReconciliacaoExecucao.objects.create(origem="COMANDO", finalizado_em=timezone.now())
    f.reconciliacao_agendada(erro="OperationalError: caiu")
    resposta, corpo = _pedir(client)
    assert resposta.status_code == 503 and corpo["verificacoes"]["reconciliacao"] == "falha"


def test_sem_batimento_do_cluster_da_503(client):
    f.reconciliacao_agendada()
    resposta, corpo = _pedir(client)
    assert resposta.status_code == 503
    assert corpo["verificacoes"] == {
        "banco": "ok",
        "cluster": "falha",
        "reconciliacao": "ok",
        "sincronizacao_carteira": "ok",
    }


def test_batimento_velho_ou_cluster_parado_da_503(client):
    f.reconciliacao_agendada()
    f.batimento_cluster(idade=timedelta(minutes=2))
    assert client.get("/saude/").status_code == 503
    f.batimento_cluster(status=Conf.STOPPED)
    assert client.get("/saude/").status_code == 503
    f.batimento_cluster(status=Conf.WORKING)
    assert client.get("/saude/").status_code == 200


class _ConexaoCaida:
    def cursor(self):
        raise OperationalError("connection refused")


def test_banco_fora_do_ar_da_503(client, saudavel, monkeypatch):
    monkeypatch.setattr(saude, "connection", _ConexaoCaida())
    resposta, corpo = _pedir(client)
    assert resposta.status_code == 503
    assert corpo["verificacoes"]["banco"] == "falha"


def test_sincronizacao_do_odoo_que_falhou_da_503_so_quando_configurada(client, saudavel, settings):
    SincronizacaoCarteira.objects.create(
        iniciado_em=timezone.now(), origem="ODOO", status="FALHA", gatilho="AGENDAMENTO", erro="Odoo fora do ar"
    )
    settings.ODOO_URL = ""
    assert client.get("/saude/").status_code == 200
    settings.ODOO_URL = "https://odoo.exemplo.com.br"
    resposta, corpo = _pedir(client)
    assert resposta.status_code == 503 and corpo["verificacoes"]["sincronizacao_carteira"] == "falha"
    SincronizacaoCarteira.objects.create(
        iniciado_em=timezone.now() + timedelta(seconds=1), origem="ODOO", status="SUCESSO", gatilho="AGENDAMENTO"
    )
    assert client.get("/saude/").status_code == 200


def test_anonimo_nao_ve_dados(client, settings):
    """No counts, names, ages or messages: only each check's ok/falha."""
    settings.ODOO_URL = "https://odoo.exemplo.com.br"
    SincronizacaoCarteira.objects.create(
        iniciado_em=timezone.now(), origem="ODOO", status="FALHA", gatilho="ADMIN", usuario="maria", erro="segredo"
    )
    f.reconciliacao_agendada(idade=timedelta(hours=2), produtos_verificados=1234)
    resposta, corpo = _pedir(client)
    assert resposta.status_code == 503
    assert set(corpo) == {"status", "verificacoes"}
    assert set(corpo["verificacoes"]) == CHECAGENS
    assert set(corpo["verificacoes"].values()) <= {"ok", "falha"}
    texto = resposta.content.decode()
    for dado in ("maria", "segredo", "1234", "min", "nº"):
        assert dado not in texto


def test_sem_permissao_tambem_nao_ve_dados(cliente_papel, saudavel):
    corpo = json.loads(cliente_papel("Estoque").get("/saude/").content)
    assert corpo == {"status": "ok"}


def test_gestao_ve_os_detalhes(cliente_papel, saudavel):
    corpo = json.loads(cliente_papel("Gestão").get("/saude/").content)
    assert corpo["status"] == "ok"
    assert set(corpo["detalhes"]) == CHECAGENS
    assert "1 cluster(s) ativo(s), 2 worker(s)" in corpo["detalhes"]["cluster"]


def test_so_get_e_head(client, saudavel):
    assert client.head("/saude/").status_code == 200
    assert client.post("/saude/").status_code == 405


# ---------------------------------------------------------------- the Operação page


def test_operacao_abre_para_gestao_e_mostra_a_ultima_reconciliacao(cliente_papel, saudavel):
    ReparoEstoque.objects.create(execucao=saudavel, cod_produto="P-REPARO", campo="saldo_atual", antes="9", depois="10")
    SincronizacaoCarteira.objects.create(
        iniciado_em=timezone.now(), origem="ODOO", status="FALHA", gatilho="AGENDAMENTO", erro="Odoo fora do ar"
    )
    Task.objects.create(
        id="t1" * 16,
        name="tarefa-que-falhou",
        func="estoque.tasks.reconciliar_estoque",
        started=timezone.now(),
        stopped=timezone.now(),
        success=False,
        result="ValueError: quebrou",
    )
    resposta = cliente_papel("Gestão").get("/operacao/")
    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert f'class="reconciliacao" data-id="{saudavel.pk}"' in html
    assert timezone.localtime(saudavel.iniciado_em).strftime("%d/%m/%Y %H:%M") in html
    assert "P-REPARO" in html and "Falha" in html and "tarefa-que-falhou" in html
    assert 'data-fila="estoque"' in html and 'data-fila="ruptura"' in html
    assert "Reconciliação do estoque" in html and "<td>Ocioso</td>" in html  # labels and status in pt-BR
    assert "style=" not in html and "<script>" not in html
    assert 'href="/operacao/"' in html  # in the menu


def test_operacao_recusada_para_comercial_e_fora_do_menu(cliente_papel):
    cliente = cliente_papel("Comercial")
    assert cliente.get("/operacao/").status_code == 403
    assert 'href="/operacao/"' not in cliente.get("/estoque/").content.decode()


def test_operacao_sem_cluster_diz_isso(cliente_staff):
    html = cliente_staff.get("/operacao/").content.decode()
    assert "Nenhum cluster no ar" in html
