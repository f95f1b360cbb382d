"""Operator admin: every registered screen opens; derived tables and the Pedido view are read-only;
admin writes to source tables reach the derived stock."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from carteira.models import (
    AlertaSeparacaoCotada,
    AnaliseRuptura,
    AnaliseRupturaLote,
    Pedido,
    Separacao,
    SincronizacaoCarteira,
)
from embarques.models import Embarque, EmbarqueItem, FaturamentoItem, FaturamentoLote
from estoque.models import (
    AlertaRuptura,
    CodigoUnificado,
    CursorReconciliacao,
    EstadoRuptura,
    EstoqueTempoReal,
    LoteFaturado,
    MovimentacaoEstoque,
    MovimentacaoPrevista,
    ReconciliacaoExecucao,
    ReparoEstoque,
    UnificacaoCodigos,
)
from producao.models import ProgramacaoProducao

pytestmark = pytest.mark.django_db

REGISTRADOS = sorted(admin.site._registry, key=lambda m: m._meta.label)
SOMENTE_LEITURA = [
    EstoqueTempoReal,
    MovimentacaoPrevista,
    CodigoUnificado,
    ReconciliacaoExecucao,
    ReparoEstoque,
    CursorReconciliacao,
    LoteFaturado,
    Pedido,
    AnaliseRuptura,
    AnaliseRupturaLote,
    SincronizacaoCarteira,
    AlertaSeparacaoCotada,
    FaturamentoItem,
    AlertaRuptura,
    EstadoRuptura,
]
# Created only by a service outside the admin (the NF is registered on the embarques page, API or
# import); the admin reads them and runs their actions (cancel the NF).
SO_PELOS_SERVICOS = [FaturamentoLote]
NOSSOS_APPS = {"estoque", "producao", "carteira", "embarques"}


def _url(model, acao, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{acao}", args=args)


def _requisicao(usuario):
    requisicao = RequestFactory().get("/admin/")
    requisicao.user = usuario
    return requisicao


@pytest.fixture
def dados():
    """One row in every derived table, each made the way production makes it."""
    hoje = timezone.localdate()
    MovimentacaoEstoque.objects.create(
        cod_produto="P1", data_movimentacao=hoje, tipo_movimentacao="ENTRADA", qtd_movimentacao=Decimal("10")
    )
    ProgramacaoProducao.objects.create(
        cod_produto="P1", data_programacao=hoje + timedelta(days=2), qtd_programada=Decimal("5")
    )
    UnificacaoCodigos.objects.create(codigo_origem="X1", codigo_destino="X2")
    Separacao.objects.create(
        separacao_lote_id="L1", num_pedido="PED1", cod_produto="P1", qtd_saldo=Decimal("3"), expedicao=hoje
    )
    execucao = ReconciliacaoExecucao.objects.create(origem="COMANDO", produtos_verificados=1, produtos_corrigidos=1)
    ReparoEstoque.objects.create(execucao=execucao, cod_produto="P1", campo="saldo_atual", antes="9", depois="10")
    CursorReconciliacao.objects.update_or_create(id=1, defaults={"ultimo_codigo": "P1"})
    analise = AnaliseRuptura.objects.create(total_pedidos=1, total_lotes=1)
    AnaliseRupturaLote.objects.create(analise=analise, indice=0, pedidos=["PED1"])
    embarque = Embarque.objects.create(numero=99)
    item = EmbarqueItem.objects.create(embarque=embarque, separacao_lote_id="L1", erro_validacao=None)
    fat = FaturamentoLote.objects.create(item=item, separacao_lote_id="L1", num_pedido="PED1", nota_fiscal="1")
    FaturamentoItem.objects.create(
        faturamento=fat, num_pedido="PED1", cod_produto="P1", qtd_separada=3, qtd_faturada=3, qtd_baixada_carteira=0
    )
    SincronizacaoCarteira.objects.create(
        iniciado_em=timezone.now(), origem="ODOO", status="SUCESSO", gatilho=SincronizacaoCarteira.Gatilho.values[0]
    )
    # Ruptura alerts: what the detection records after a commit (the test's transaction never commits).
    AlertaRuptura.objects.create(cod_produto="P1", tipo="ENTROU_EM_RUPTURA", dia_ruptura=hoje, menor_estoque_d7=-1)
    EstadoRuptura.objects.create(cod_produto="P1", dia_ruptura=hoje)
    AlertaSeparacaoCotada.objects.create(
        separacao_lote_id="L1",
        num_pedido="PED1",
        cod_produto="P1",
        tipo="REDUCAO",
        qtd_antes=Decimal("3"),
        qtd_depois=Decimal("1"),
    )


def test_todos_os_modelos_dos_apps_estao_no_admin():
    from django.apps import apps

    from core.historico import HistoricoBase

    # The history tables are read through each row's "Histórico" (core.historico_telas), not as lists.
    nossos = {m for m in apps.get_models() if m._meta.app_label in NOSSOS_APPS and not issubclass(m, HistoricoBase)}
    assert nossos
    assert nossos <= set(admin.site._registry)


@pytest.mark.parametrize("model", REGISTRADOS, ids=lambda m: m._meta.label)
def test_changelist_abre(cliente_staff, model):
    assert cliente_staff.get(_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("model", REGISTRADOS, ids=lambda m: m._meta.label)
def test_changelist_com_busca_e_filtro_de_data(cliente_staff, model, dados):
    model_admin = admin.site._registry[model]
    params = {}
    if model_admin.search_fields:
        params["q"] = "P1"
    if model_admin.date_hierarchy:
        params[f"{model_admin.date_hierarchy}__year"] = timezone.localdate().year
    assert cliente_staff.get(_url(model, "changelist"), params).status_code == 200


@pytest.mark.parametrize("model", REGISTRADOS, ids=lambda m: m._meta.label)
def test_pagina_de_inclusao(cliente_staff, staff, model):
    pode_incluir = admin.site._registry[model].has_add_permission(_requisicao(staff))
    if model._meta.app_label in NOSSOS_APPS:
        assert pode_incluir is (model not in SOMENTE_LEITURA + SO_PELOS_SERVICOS)
    assert cliente_staff.get(_url(model, "add")).status_code == (200 if pode_incluir else 403)


@pytest.mark.parametrize("model", SOMENTE_LEITURA, ids=lambda m: m._meta.label)
def test_tabela_derivada_so_leitura(cliente_staff, staff, model, dados):
    model_admin = admin.site._registry[model]
    requisicao = _requisicao(staff)
    obj = model.objects.first()
    assert obj is not None

    assert model_admin.has_view_permission(requisicao, obj)
    assert not model_admin.has_add_permission(requisicao)
    assert not model_admin.has_change_permission(requisicao, obj)
    assert not model_admin.has_delete_permission(requisicao, obj)

    detalhe = cliente_staff.get(_url(model, "change", obj.pk))
    assert detalhe.status_code == 200
    assert b'name="_save"' not in detalhe.content
    assert cliente_staff.post(_url(model, "change", obj.pk), {}).status_code == 403
    assert cliente_staff.get(_url(model, "delete", obj.pk)).status_code == 403
    cliente_staff.post(
        _url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", SOMENTE_LEITURA, ids=lambda m: m._meta.label)
def test_tabela_derivada_visivel_com_a_permissao_de_ver(client, django_user_model, model, dados):
    # Staff only opens the admin's door; what a user sees there is their model permissions.
    operador = django_user_model.objects.create_user("operador", password="senha-forte-123", is_staff=True)
    client.force_login(operador)
    assert client.get(_url(model, "changelist")).status_code == 403
    assert client.get(_url(model, "change", model.objects.first().pk)).status_code == 403
    operador.user_permissions.add(
        Permission.objects.get(content_type=ContentType.objects.get_for_model(model), codename__startswith="view_")
    )
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "change", model.objects.first().pk)).status_code == 200


def test_execucao_mostra_reparos_inline(cliente_staff, dados):
    execucao = ReconciliacaoExecucao.objects.get()
    resposta = cliente_staff.get(_url(ReconciliacaoExecucao, "change", execucao.pk))
    assert resposta.status_code == 200
    assert "saldo_atual" in resposta.content.decode()
    inline = resposta.context["inline_admin_formsets"][0]
    assert inline.opts.model is ReparoEstoque
    assert not inline.has_add_permission and not inline.has_change_permission and not inline.has_delete_permission


def test_pedido_lista_o_lote_e_leva_as_separacoes(cliente_staff, dados):
    pedido = Pedido.objects.get(separacao_lote_id="L1")
    assert pedido.qtd_itens == 1
    lista = cliente_staff.get(_url(Pedido, "changelist"))
    assert "L1" in lista.content.decode()
    separacoes = cliente_staff.get(_url(Separacao, "changelist"), {"separacao_lote_id": "L1"})
    assert separacoes.status_code == 200
    assert list(separacoes.context["cl"].result_list) == list(Separacao.objects.filter(separacao_lote_id="L1"))


def test_movimentacao_incluida_no_admin_move_o_estoque(cliente_staff):
    resposta = cliente_staff.post(
        _url(MovimentacaoEstoque, "add"),
        {
            "cod_produto": "P9",
            "nome_produto": "PRODUTO 9",
            "data_movimentacao": timezone.localdate().strftime("%d/%m/%Y"),
            "tipo_movimentacao": "ENTRADA",
            "qtd_movimentacao": "12.5",  # an <input type=number> posts a dot
            "local_movimentacao": "",
            "ativo": "on",
            "observacao": "",
            "numero_nf": "",
            "num_pedido": "",
            "separacao_lote_id": "",
        },
    )
    assert resposta.status_code == 302, resposta.context["adminform"].form.errors
    mov = MovimentacaoEstoque.objects.get(cod_produto="P9")
    assert mov.criado_por == mov.atualizado_por == "staff"
    assert EstoqueTempoReal.objects.get(cod_produto="P9").saldo_atual == Decimal("12.5")


def test_saida_positiva_recusada_no_formulario(cliente_staff):
    resposta = cliente_staff.post(
        _url(MovimentacaoEstoque, "add"),
        {
            "cod_produto": "P9",
            "data_movimentacao": timezone.localdate().strftime("%d/%m/%Y"),
            "tipo_movimentacao": "SAIDA",
            "qtd_movimentacao": "5",
            "ativo": "on",
        },
    )
    assert resposta.status_code == 200
    assert resposta.context["adminform"].form.errors
    assert not MovimentacaoEstoque.objects.exists()
    assert not EstoqueTempoReal.objects.exists()


def test_acao_cancelar_e_reativar_passa_pelo_motor(cliente_staff, dados):
    mov = MovimentacaoEstoque.objects.get()
    url = _url(MovimentacaoEstoque, "changelist")

    resposta = cliente_staff.post(url, {"action": "cancelar", "_selected_action": [mov.pk]})
    assert resposta.status_code == 302
    mov.refresh_from_db()
    assert not mov.ativo and mov.atualizado_por == "staff"
    assert EstoqueTempoReal.objects.get(cod_produto="P1").saldo_atual == 0

    cliente_staff.post(url, {"action": "reativar", "_selected_action": [mov.pk]})
    assert EstoqueTempoReal.objects.get(cod_produto="P1").saldo_atual == Decimal("10")


def test_excluir_movimentacao_pelo_admin_devolve_o_saldo(cliente_staff, dados):
    mov = MovimentacaoEstoque.objects.get()
    resposta = cliente_staff.post(_url(MovimentacaoEstoque, "delete", mov.pk), {"post": "yes"})
    assert resposta.status_code == 302
    assert not MovimentacaoEstoque.objects.exists()
    assert EstoqueTempoReal.objects.get(cod_produto="P1").saldo_atual == 0
