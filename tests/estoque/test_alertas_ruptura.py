"""Ruptura alerts (estoque.services.alertas): one alert per transition into CRÍTICO or per ruptura
day moving earlier, detected after the commit of the stock change and at the day change."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from estoque import tasks
from estoque.models import AlertaRuptura, EstadoRuptura, MovimentacaoEstoque
from estoque.services import alertas
from tests import fabricas as f

pytestmark = pytest.mark.django_db
Tipo = AlertaRuptura.Tipo
D = Decimal


@pytest.fixture
def gravar(django_capture_on_commit_callbacks):
    """Run a write as its own committed transaction would: the after-commit work runs too."""

    def executar(funcao, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return funcao(*args, **kwargs)

    return executar


def lista():
    return list(
        AlertaRuptura.objects.order_by("id").values_list("cod_produto", "tipo", "dia_ruptura", "dia_ruptura_anterior")
    )


def test_entrar_em_critico_registra_um_alerta_e_nao_repete(gravar):
    gravar(f.movimento, "P1", 10)
    assert lista() == []
    gravar(f.separacao, "P1", 30, k=3)
    assert lista() == [("P1", Tipo.ENTROU_EM_RUPTURA, f.dia(3), None)]
    alerta = AlertaRuptura.objects.get()
    assert alerta.menor_estoque_d7 == D(-20)
    # Still critical, same day or later: nothing new.
    gravar(f.separacao, "P1", 5, k=3, lote="L2")
    gravar(f.movimento, "P1", 5)
    assert lista() == [("P1", Tipo.ENTROU_EM_RUPTURA, f.dia(3), None)]
    gravar(f.producao, "P1", 100, k=3)  # recovers: nothing either
    assert len(lista()) == 1
    assert EstadoRuptura.objects.get(cod_produto="P1").dia_ruptura is None


def test_recuperar_e_entrar_de_novo_registra_outro(gravar):
    gravar(f.movimento, "P1", 10)
    gravar(f.separacao, "P1", 30, k=2)
    entrada = gravar(f.movimento, "P1", 50)  # recovers
    assert EstadoRuptura.objects.get(cod_produto="P1").dia_ruptura is None
    gravar(entrada.delete)  # critical again
    assert [t for _, t, *_ in lista()] == [Tipo.ENTROU_EM_RUPTURA, Tipo.ENTROU_EM_RUPTURA]


def test_ruptura_antecipada_e_adiada(gravar):
    gravar(f.movimento, "P1", 10)
    gravar(f.separacao, "P1", 30, k=5)
    sep = gravar(f.separacao, "P1", 15, k=2, lote="L2")  # now negative from D2
    assert lista()[-1] == ("P1", Tipo.RUPTURA_ANTECIPADA, f.dia(2), f.dia(5))
    sep.expedicao = f.dia(4)  # later: nothing
    gravar(sep.save)
    assert len(lista()) == 2
    assert EstadoRuptura.objects.get(cod_produto="P1").dia_ruptura == f.dia(4)
    sep.expedicao = f.dia(3)  # earlier than the last known day (D4): news again
    gravar(sep.save)
    assert lista()[-1] == ("P1", Tipo.RUPTURA_ANTECIPADA, f.dia(3), f.dia(4))


def test_ruptura_alem_de_d7_nao_alerta(gravar):
    gravar(f.movimento, "P1", 10)
    gravar(f.separacao, "P1", 30, k=9)  # ATENÇÃO, not CRÍTICO
    assert lista() == []


def test_grupo_unificado_alerta_pelo_codigo_principal(gravar):
    gravar(f.unificar, "B2", "A1")
    gravar(f.movimento, "B2", 10)
    gravar(f.separacao, "B2", 30, k=1)
    assert lista() == [("A1", Tipo.ENTROU_EM_RUPTURA, f.dia(1), None)]


def test_escrita_sem_commit_nao_alerta():
    # Inside a transaction that never commits (the test's), nothing is detected.
    f.movimento("P1", 10)
    f.separacao("P1", 30, k=1)
    assert lista() == []


def test_falha_na_deteccao_nao_desfaz_a_gravacao(gravar, caplog):
    with mock.patch.object(alertas, "_detectar_lote", side_effect=RuntimeError("banco fora")):
        gravar(f.movimento, "P1", -5)
    assert MovimentacaoEstoque.objects.filter(cod_produto="P1").exists()
    assert "Falha depois do commit" in caplog.text and "alertas de ruptura" in caplog.text
    assert lista() == []


# ---------------------------------------------------------------- day change


@pytest.fixture
def relogio():
    """Move "today" forward (São Paulo), as the property tests do: timezone.now is patched."""
    agora_real = timezone.now()
    estado = {"dias": 0}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: agora_real + timedelta(days=estado["dias"])):

        def avancar(dias=1):
            estado["dias"] += dias

        yield avancar


def test_virada_do_dia_ruptura_entra_em_d7(gravar, relogio):
    gravar(f.movimento, "P1", 10)
    gravar(f.separacao, "P1", 30, k=9)  # D+9: outside the window
    assert lista() == []
    dia_da_saida = f.dia(9)
    relogio(2)  # now it is D+7
    tasks.virada_do_dia()
    assert lista() == [("P1", Tipo.ENTROU_EM_RUPTURA, dia_da_saida, None)]
    relogio(1)
    tasks.virada_do_dia()  # still critical: nothing new
    assert len(lista()) == 1


def test_virada_do_dia_ruptura_atrasada_continua_sem_repetir(gravar, relogio):
    gravar(f.movimento, "P1", 10)
    gravar(f.separacao, "P1", 30, k=0)
    assert len(lista()) == 1
    relogio(1)  # the overdue outflow counts on the new D0: the day moved later
    tasks.virada_do_dia()
    assert len(lista()) == 1
    assert EstadoRuptura.objects.get(cod_produto="P1").dia_ruptura == f.hoje()


# ---------------------------------------------------------------- e-mail


def test_email_um_por_lote_de_alertas(gravar, settings):
    settings.ESTOQUE_ALERTAS_EMAILS = ["pcp@example.com", "gestao@example.com"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    f.produto("P1", "BISCOITO")
    gravar(f.movimento, "P1", 10)
    assert mail.outbox == []

    def duas_saidas():
        f.separacao("P1", 30, k=2)
        f.separacao("P2", 5, k=1, lote="L2")

    gravar(duas_saidas)
    assert len(mail.outbox) == 1
    mensagem = mail.outbox[0]
    assert mensagem.to == ["pcp@example.com", "gestao@example.com"]
    assert mensagem.subject == "2 novos alertas de ruptura de estoque"
    assert f"P1 - BISCOITO: entrou em ruptura em {f.dia(2):%d/%m/%Y}; menor estoque D+7: -20" in mensagem.body
    assert f"P2: entrou em ruptura em {f.dia(1):%d/%m/%Y}" in mensagem.body


def test_sem_lista_nao_envia(gravar, settings):
    settings.ESTOQUE_ALERTAS_EMAILS = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    gravar(f.separacao, "P1", 5, k=1)
    assert len(lista()) == 1 and mail.outbox == []


def test_reconhecer():
    a = AlertaRuptura.objects.create(
        cod_produto="P1", tipo=Tipo.ENTROU_EM_RUPTURA, dia_ruptura=f.hoje(), menor_estoque_d7=D(-1)
    )
    AlertaRuptura.objects.create(
        cod_produto="P2", tipo=Tipo.ENTROU_EM_RUPTURA, dia_ruptura=f.hoje(), menor_estoque_d7=D(-1)
    )
    assert alertas.reconhecer([a.pk], "ana") == 1
    assert alertas.reconhecer([a.pk], "ana") == 0
    assert alertas.reconhecer(None, "bia") == 1
    assert set(AlertaRuptura.objects.values_list("reconhecido_por", flat=True)) == {"ana", "bia"}


# ---------------------------------------------------------------- pages


def _alerta(cod="P1", **extra):
    return AlertaRuptura.objects.create(
        cod_produto=cod, tipo=Tipo.ENTROU_EM_RUPTURA, dia_ruptura=f.dia(2), menor_estoque_d7=D("-1234.5"), **extra
    )


def test_contagem_em_estoque_e_carteira(cliente_papel):
    _alerta("P1")
    _alerta("P2")
    _alerta("P3", reconhecido=True)
    cliente = cliente_papel("Expedição")
    for endereco in ("/estoque/", "/carteira/"):
        html = cliente.get(endereco).content.decode()
        assert 'id="aviso-alertas-ruptura"' in html, endereco
        assert '<span id="total-alertas-ruptura">2</span> alertas de ruptura' in html, endereco
        assert 'href="/estoque/alertas/"' in html


def test_sem_permissao_de_ver_nao_mostra_a_contagem(client, django_user_model):
    from django.contrib.auth.models import Permission

    usuario = django_user_model.objects.create_user("so-estoque", "x@example.com", "senha-forte-123")
    usuario.user_permissions.add(Permission.objects.get(codename="view_estoquetemporeal"))
    client.force_login(usuario)
    _alerta()
    resposta = client.get("/estoque/")
    assert resposta.status_code == 200 and b"aviso-alertas-ruptura" not in resposta.content
    assert client.get("/estoque/alertas/").status_code == 403


def test_lista_em_pt_br(cliente_papel):
    _alerta("P1")
    html = cliente_papel("Comercial").get("/estoque/alertas/").content.decode()
    assert "Entrou em ruptura" in html and f"{f.dia(2):%d/%m/%Y}" in html and "-1.234,5" in html
    assert "Reconhecer" not in html  # Comercial only reads
    assert "style=" not in html and "<script>" not in html


def test_reconhecer_com_permissao(cliente_papel):
    alerta = _alerta()
    cliente = cliente_papel("PCP")
    resposta = cliente.post(f"/estoque/alertas/{alerta.pk}/reconhecer/")
    assert resposta.status_code == 302 and resposta["Location"] == "/estoque/alertas/"
    alerta.refresh_from_db()
    assert alerta.reconhecido and alerta.reconhecido_por == "papel-pcp" and alerta.reconhecido_em is not None
    html = cliente.get("/estoque/alertas/").content.decode()
    assert "Alerta de ruptura de P1 reconhecido." in html
    assert "Nenhum alerta de ruptura em aberto." in html


def test_reconhecer_todos(cliente_papel):
    _alerta("P1")
    _alerta("P2")
    resposta = cliente_papel("Estoque").post("/estoque/alertas/reconhecer-todos/")
    assert resposta.status_code == 302
    assert not AlertaRuptura.objects.filter(reconhecido=False).exists()


def test_reconhecer_sem_permissao_403(cliente_papel):
    alerta = _alerta()
    cliente = cliente_papel("Comercial")
    assert cliente.post(f"/estoque/alertas/{alerta.pk}/reconhecer/").status_code == 403
    assert cliente.post("/estoque/alertas/reconhecer-todos/").status_code == 403
    alerta.refresh_from_db()
    assert not alerta.reconhecido


def test_admin_acao_reconhecer(cliente_papel):
    alerta = _alerta()
    resposta = cliente_papel("Gestão").post(
        "/admin/estoque/alertaruptura/", {"action": "reconhecer", "_selected_action": [alerta.pk]}
    )
    assert resposta.status_code == 302
    alerta.refresh_from_db()
    assert alerta.reconhecido and alerta.reconhecido_por == "papel-gestão"
