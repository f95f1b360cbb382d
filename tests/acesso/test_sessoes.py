"""core.sessoes: the session row names its user, and on PostgreSQL a request reads its session,
its user and the user's permissions in one statement; everything Django checks stays."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from core import sessoes
from core.models import Sessao
from tests import fabricas as f

pytestmark = pytest.mark.django_db

SENHA = "senha-forte-123"
CONSULTA = "/api/estoque/tempo-real/consultar"


@pytest.fixture
def ana(django_user_model):
    usuario = django_user_model.objects.create_user("ana", password=SENHA)
    usuario.groups.add(Group.objects.get(name="Comercial"))
    return usuario


def consultar(cliente):
    return cliente.post(CONSULTA, {"produtos": ["P1"]}, content_type="application/json")


@pytest.fixture
def logada(ana):
    f.produto("P1")
    cliente = Client()
    assert cliente.post("/entrar/", {"username": "ana", "password": SENHA}).status_code == 302
    return cliente


def test_a_sessao_guarda_o_usuario_e_uma_leitura_e_uma_consulta_so(logada, ana):
    assert list(Sessao.objects.values_list("usuario_id", flat=True)) == [ana.pk]
    with CaptureQueriesContext(connection) as consultas:
        resposta = consultar(logada)
    assert resposta.status_code == 200, resposta.content
    # Session + user + permissions in one statement on PostgreSQL, then the stock read.
    assert len(consultas) == (2 if connection.vendor == "postgresql" else 4)


def test_sair_apaga_a_sessao(logada):
    assert logada.post("/sair/").status_code == 302
    assert not Sessao.objects.exists()
    assert consultar(logada).status_code in (401, 403)


def test_senha_trocada_em_outro_lugar_derruba_a_sessao(logada, ana):
    ana.set_password("outra-senha-forte-456")
    ana.save()
    assert consultar(logada).status_code in (401, 403)


def test_usuario_inativo_ou_apagado_nao_entra(logada, ana):
    ana.is_active = False
    ana.save()
    assert consultar(logada).status_code in (401, 403)
    ana.delete()
    assert not Sessao.objects.exists()  # deleting a user deletes its sessions
    assert consultar(logada).status_code in (401, 403)


def test_permissao_retirada_vale_na_proxima_requisicao(logada, ana):
    assert consultar(logada).status_code == 200
    ana.groups.clear()
    assert consultar(logada).status_code == 403


def test_o_usuario_lido_com_a_sessao_so_serve_ao_mesmo_id_e_uma_vez(ana):
    sessoes._lido.set((str(ana.pk), ana))
    assert sessoes.usuario_lido(ana.pk + 1) is sessoes._NADA
    assert sessoes.usuario_lido(ana.pk) is ana
    assert sessoes.usuario_lido(ana.pk) is sessoes._NADA  # taken once


def test_entrar_como_outro_usuario_troca_o_dono_da_sessao(logada, django_user_model):
    bia = django_user_model.objects.create_user("bia", password=SENHA)
    assert logada.post("/entrar/", {"username": "bia", "password": SENHA}).status_code == 302
    assert list(Sessao.objects.values_list("usuario_id", flat=True)) == [bia.pk]
    assert consultar(logada).status_code == 403  # bia has no role


def test_sessoes_expiradas_saem_todo_dia(logada, ana):
    from datetime import timedelta

    from django.utils import timezone
    from django_q.models import Schedule

    agendamento = Schedule.objects.get(name=sessoes.LIMPEZA)  # created by core's migration 0004
    assert (agendamento.func, agendamento.schedule_type) == (sessoes.FUNCAO, Schedule.DAILY)
    viva = Sessao.objects.get()
    Sessao.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1))
    assert sessoes.limpar_expiradas() == 1
    assert list(Sessao.objects.all()) == [viva]
    assert consultar(logada).status_code == 200  # the live session still works
