"""The admin goes through the services: no add, change, delete or action skips a rule."""

from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.messages import get_messages

from carteira.models import Separacao
from embarques import faturamento, services
from embarques.models import Embarque, EmbarqueItem, FaturamentoLote
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque
from estoque.services import operacoes
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
D = Decimal


def mensagens(resposta):
    return [str(m) for m in get_messages(resposta.wsgi_request)]


def acao(cliente, modelo, nome, pks):
    return cliente.post(
        f"/admin/{modelo}/", {"action": nome, "_selected_action": [str(pk) for pk in pks], "index": "0"}, follow=True
    )


def test_criar_embarque_pelo_servico(cliente_papel):
    cliente = cliente_papel("Expedição")
    with mock.patch.object(services, "criar_embarque", wraps=services.criar_embarque) as espiao:
        resposta = cliente.post(
            "/admin/embarques/embarque/add/",
            {"numero": "7", "transportadora": "T", "itens-TOTAL_FORMS": "0", "itens-INITIAL_FORMS": "0"},
        )
    assert resposta.status_code == 302, resposta.content.decode()[:2000]
    assert espiao.call_count == 1
    assert Embarque.objects.get().numero == 7


def test_adicionar_lote_pelo_servico_e_recusa_com_mensagem(cliente_papel):
    f.produto("A")
    f.separacao("A", 5, lote="L1")
    f.separacao("A", 5, lote="LF", status="FATURADO")
    emb = services.criar_embarque()
    cliente = cliente_papel("Expedição")
    resposta = cliente.post("/admin/embarques/embarqueitem/add/", {"embarque": emb.pk, "separacao_lote_id": "LF"})
    assert resposta.status_code == 200 and "LF está FATURADO" in resposta.content.decode()
    assert EmbarqueItem.objects.count() == 0
    resposta = cliente.post("/admin/embarques/embarqueitem/add/", {"embarque": emb.pk, "separacao_lote_id": "L1"})
    assert resposta.status_code == 302
    item = EmbarqueItem.objects.get()
    assert (item.num_pedido, item.erro_validacao) == ("PED1", "NF_PENDENTE_FATURAMENTO")
    assert Separacao.objects.get(separacao_lote_id="L1").status == "COTADO"


def test_item_nao_se_edita_nem_se_apaga_a_mao(cliente_papel):
    f.produto("A")
    f.separacao("A", 5, lote="L1")
    emb = services.criar_embarque()
    item = services.adicionar_lote(emb.pk, "L1")
    cliente = cliente_papel("Gestão")
    cliente.post(f"/admin/embarques/embarqueitem/{item.pk}/change/", {"erro_validacao": "", "status": "CANCELADO"})
    item.refresh_from_db()
    assert (item.status, item.erro_validacao) == ("ATIVO", "NF_PENDENTE_FATURAMENTO")
    assert cliente.post(f"/admin/embarques/embarqueitem/{item.pk}/delete/", {"post": "yes"}).status_code == 403
    assert cliente.post(f"/admin/embarques/embarque/{emb.pk}/delete/", {"post": "yes"}).status_code == 403
    assert EmbarqueItem.objects.filter(pk=item.pk, status="ATIVO").exists()


def test_acoes_do_embarque_pelos_servicos(cliente_papel):
    f.produto("A")
    f.separacao("A", 5, lote="L1")
    emb = services.criar_embarque()
    item = services.adicionar_lote(emb.pk, "L1")
    cliente = cliente_papel("Expedição")
    with mock.patch.object(services, "marcar_embarcado", wraps=services.marcar_embarcado) as espiao:
        acao(cliente, "embarques/embarque", "marcar_embarcado", [emb.pk])
    assert espiao.call_count == 1 and Separacao.objects.get().status == "EMBARCADO"
    acao(cliente, "embarques/embarqueitem", "remover_lotes", [item.pk])
    assert Separacao.objects.get().status == "ABERTO"
    assert EmbarqueItem.objects.get().status == "CANCELADO"
    acao(cliente, "embarques/embarque", "cancelar_embarques", [emb.pk])
    assert Embarque.objects.get().status == "CANCELADO"


def test_cancelar_nf_no_admin_pelo_servico(lote_embarcado, cliente_papel):
    faturamento.registrar_faturamento(separacao_lote_id="L1", nota_fiscal="5")
    fat = FaturamentoLote.objects.get()
    with mock.patch.object(faturamento, "cancelar_faturamento", wraps=faturamento.cancelar_faturamento) as espiao:
        resposta = acao(cliente_papel("Expedição"), "embarques/faturamentolote", "cancelar_nf", [fat.pk])
    assert espiao.call_count == 1
    assert "1 NF(s) cancelada(s)." in mensagens(resposta)
    assert EstoqueTempoReal.objects.get(cod_produto="A").saldo_atual == D(200)
    assert diferencas_com_derivados() == []


def test_cancelar_embarque_com_lote_faturado_recusa_com_mensagem(lote_embarcado, cliente_papel):
    embarque, _ = lote_embarcado
    faturamento.registrar_faturamento(separacao_lote_id="L1", nota_fiscal="5")
    resposta = acao(cliente_papel("Expedição"), "embarques/embarque", "cancelar_embarques", [embarque.pk])
    assert any("cancele as NFs antes" in m for m in mensagens(resposta))
    assert Embarque.objects.get().status == "ATIVO"


# ---------------------------------------------------------------- movements


def test_movimentacao_cancelada_pela_acao_do_servico(cliente_papel):
    f.produto("A")
    mov = f.movimento("A", 10)
    with mock.patch.object(operacoes, "cancelar_movimentacao", wraps=operacoes.cancelar_movimentacao) as espiao:
        acao(cliente_papel("Estoque"), "estoque/movimentacaoestoque", "cancelar", [mov.pk])
    assert espiao.call_count == 1
    mov.refresh_from_db()
    assert mov.ativo is False and mov.atualizado_por == "papel-estoque"
    assert EstoqueTempoReal.objects.get(cod_produto="A").saldo_atual == D(0)


def test_movimentacao_so_o_superusuario_apaga(cliente_papel, staff):
    from django.test import Client

    superusuario = Client()
    superusuario.force_login(staff)
    f.produto("A")
    mov = f.movimento("A", 10)
    assert (
        cliente_papel("Gestão")
        .post(f"/admin/estoque/movimentacaoestoque/{mov.pk}/delete/", {"post": "yes"})
        .status_code
        == 403
    )
    assert MovimentacaoEstoque.objects.filter(pk=mov.pk).exists()
    assert superusuario.post(f"/admin/estoque/movimentacaoestoque/{mov.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not MovimentacaoEstoque.objects.filter(pk=mov.pk).exists()


def test_movimentacao_do_faturamento_nao_se_cancela_no_admin(lote_embarcado, cliente_papel):
    faturamento.registrar_faturamento(separacao_lote_id="L1", nota_fiscal="5")
    mov = MovimentacaoEstoque.objects.get(tipo_movimentacao="FATURAMENTO", cod_produto="A")
    cliente = cliente_papel("Estoque")
    resposta = acao(cliente, "estoque/movimentacaoestoque", "cancelar", [mov.pk])
    assert any("cancele a NF em Embarques" in m for m in mensagens(resposta))
    mov.refresh_from_db()
    assert mov.ativo is True
    # its form is read-only: a POST changes nothing
    cliente.post(f"/admin/estoque/movimentacaoestoque/{mov.pk}/change/", {"qtd_movimentacao": "-1", "ativo": ""})
    mov.refresh_from_db()
    assert (mov.ativo, mov.qtd_movimentacao) == (True, D(-30))
    assert diferencas_com_derivados() == []


def test_registrar_nf_no_admin_pelo_servico(lote_embarcado, cliente_papel):
    _, item = lote_embarcado
    cliente = cliente_papel("Expedição")
    pagina = acao(cliente, "embarques/embarqueitem", "registrar_nf", [item.pk])
    assert "Registrar NF do lote L1" in pagina.content.decode()
    with mock.patch.object(faturamento, "registrar_faturamento", wraps=faturamento.registrar_faturamento) as espiao:
        resposta = cliente.post(
            "/admin/embarques/embarqueitem/",
            {
                "action": "registrar_nf",
                "_selected_action": [str(item.pk)],
                "index": "0",
                "confirmar": "1",
                "nota_fiscal": "77",
                "produto": ["A", "B"],
                "qtd": ["30", "5"],
            },
            follow=True,
        )
    assert espiao.call_count == 1
    assert "NF 77 registrada para o lote L1." in mensagens(resposta)
    assert (EstoqueTempoReal.objects.get(cod_produto="B").saldo_atual, FaturamentoLote.objects.get().nota_fiscal) == (
        D(95),
        "77",
    )
    assert diferencas_com_derivados() == []
