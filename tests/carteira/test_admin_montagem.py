"""The carteira admin on the pages' rules: pré-separações, separações and order lines are written
through the services (free quantity, statuses, allocations); the import never writes origem/odoo_line_id."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.urls import reverse

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from carteira.resources import CarteiraPrincipalResource
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db

D = Decimal


def url(modelo, acao, *args):
    return reverse(f"admin:carteira_{modelo}_{acao}", args=args)


def dados_do_form(cliente, endereco, **mudar):
    """What the admin form would post as it is shown, with some fields changed."""
    form = cliente.get(endereco).context["adminform"].form
    dados = {}
    for nome, campo in form.fields.items():
        valor = form[nome].value()
        if isinstance(campo, forms.BooleanField):
            if valor:
                dados[nome] = "on"
            continue
        if isinstance(valor, date):
            valor = valor.isoformat()
        dados[nome] = "" if valor is None else valor
    for nome, valor in mudar.items():
        if valor is None:
            dados.pop(nome, None)
        else:
            dados[nome] = valor
    return dados


def erros(resposta) -> str:
    assert resposta.status_code == 200, "o formulário deveria voltar com erros"
    form = resposta.context["adminform"].form
    return " ".join(m for lista in form.errors.values() for m in lista)


@pytest.fixture
def linha():
    f.produto("A", palletizacao="10", peso_bruto="2")
    f.movimento("A", 100)
    return f.linha_carteira("PED1", "A", 20, preco="3.00")


@pytest.fixture
def admin_exp(cliente_papel):
    return cliente_papel("Expedição")


def pre_dados(**mudar):
    base = {
        "num_pedido": "PED1",
        "cod_produto": "A",
        "qtd_selecionada_usuario": "15",
        "data_expedicao_editada": f.dia(2).isoformat(),
        "data_agendamento_editada": "",
        "protocolo_editado": "",
        "observacoes_usuario": "",
        "status": "CRIADO",
        "tipo_envio": "parcial",
    }
    return {**base, **mudar}


def test_incluir_pre_separacao_pelo_admin_usa_o_servico(admin_exp, linha):
    resposta = admin_exp.post(url("preseparacaoitem", "add"), pre_dados())
    assert resposta.status_code == 302
    pre = PreSeparacaoItem.objects.get()
    assert pre.qtd_selecionada_usuario == D("15") and pre.criado_por == "papel-expedição"
    assert diferencas_com_derivados() == []


def test_pre_separacao_acima_do_saldo_livre_recusada_no_admin(admin_exp, linha):
    f.pre_separacao("A", 10)
    texto = erros(admin_exp.post(url("preseparacaoitem", "add"), pre_dados(qtd_selecionada_usuario="11")))
    assert "saldo livre da linha do pedido (10" in texto
    assert PreSeparacaoItem.objects.count() == 1


def test_enviado_separacao_a_mao_recusado_no_admin(admin_exp, linha):
    texto = erros(admin_exp.post(url("preseparacaoitem", "add"), pre_dados(status="ENVIADO_SEPARACAO")))
    assert "ENVIADO_SEPARACAO" in texto and "confirma" in texto
    assert not PreSeparacaoItem.objects.exists()


def test_editar_pre_separacao_pelo_admin_confere_o_saldo(admin_exp, linha):
    pre = f.pre_separacao("A", 5)
    endereco = url("preseparacaoitem", "change", pre.pk)
    texto = erros(admin_exp.post(endereco, dados_do_form(admin_exp, endereco, qtd_selecionada_usuario="21")))
    assert "saldo livre" in texto
    resposta = admin_exp.post(endereco, dados_do_form(admin_exp, endereco, qtd_selecionada_usuario="20"))
    assert resposta.status_code == 302
    pre.refresh_from_db()
    assert pre.qtd_selecionada_usuario == D("20")
    assert diferencas_com_derivados() == []


def test_pre_separacao_confirmada_fica_so_leitura(admin_exp, linha):
    pre = f.pre_separacao("A", 5, status="ENVIADO_SEPARACAO")
    endereco = url("preseparacaoitem", "change", pre.pk)
    form = admin_exp.get(endereco).context["adminform"].form
    assert "qtd_selecionada_usuario" not in form.fields and "status" not in form.fields
    assert admin_exp.post(url("preseparacaoitem", "delete", pre.pk), {"post": "yes"}).status_code == 403
    assert PreSeparacaoItem.objects.filter(pk=pre.pk).exists()


def test_excluir_selecionadas_pelo_servico_e_nunca_as_confirmadas(admin_exp, linha):
    ativas = [f.pre_separacao("A", 5).pk, f.pre_separacao("A", 3).pk]
    confirmada = f.pre_separacao("A", 5, status="ENVIADO_SEPARACAO").pk

    def excluir(selecionadas):
        return admin_exp.post(
            url("preseparacaoitem", "changelist"),
            {"action": "delete_selected", "_selected_action": selecionadas, "post": "yes"},
        )

    excluir([ativas[0], confirmada])  # a confirmed one in the selection: Django refuses the whole deletion
    assert PreSeparacaoItem.objects.count() == 3
    excluir(ativas)
    assert list(PreSeparacaoItem.objects.values_list("pk", flat=True)) == [confirmada]
    assert diferencas_com_derivados() == []


def sep_dados(**mudar):
    base = {
        "separacao_lote_id": "LM1",
        "num_pedido": "PED1",
        "cod_produto": "A",
        "qtd_saldo": "12",
        "valor_saldo": "36",
        "peso": "24",
        "pallet": "1.2",
        "expedicao": f.dia(1).isoformat(),
        "agendamento": "",
        "protocolo": "",
        "tipo_envio": "total",
        "status": "ABERTO",
        "numero_nf": "",
    }
    return {**base, **mudar}


def test_separacao_pelo_admin_confere_o_saldo_livre(admin_exp, linha):
    f.pre_separacao("A", 10)
    texto = erros(admin_exp.post(url("separacao", "add"), sep_dados()))
    assert "saldo livre da linha do pedido (10)" in texto
    assert admin_exp.post(url("separacao", "add"), sep_dados(qtd_saldo="10")).status_code == 302
    sep = Separacao.objects.get()
    endereco = url("separacao", "change", sep.pk)
    assert "saldo livre" in erros(admin_exp.post(endereco, dados_do_form(admin_exp, endereco, qtd_saldo="11")))
    assert diferencas_com_derivados() == []


def test_separacao_de_linha_inexistente_recusada(admin_exp, linha):
    texto = erros(admin_exp.post(url("separacao", "add"), sep_dados(num_pedido="OUTRO")))
    assert "não tem o produto" in texto
    assert not Separacao.objects.exists()


def test_saldo_da_linha_nao_fica_abaixo_do_alocado(cliente_papel, linha):
    gestao = cliente_papel("Gestão")
    f.pre_separacao("A", 8)
    f.separacao("A", 4)
    endereco = url("carteiraprincipal", "change", linha.pk)
    form = gestao.get(endereco).context["adminform"].form
    assert "origem" not in form.fields and "odoo_line_id" not in form.fields
    texto = erros(gestao.post(endereco, dados_do_form(gestao, endereco, qtd_saldo_produto_pedido="11")))
    assert "abaixo do já alocado" in texto and "(12)" in texto
    texto = erros(gestao.post(endereco, dados_do_form(gestao, endereco, ativo=None)))
    assert "não pode mudar de pedido ou produto nem ser desativada" in texto
    assert gestao.post(endereco, dados_do_form(gestao, endereco, qtd_saldo_produto_pedido="12")).status_code == 302
    linha.refresh_from_db()
    assert linha.qtd_saldo_produto_pedido == D("12") and linha.ativo


def test_linha_com_alocacao_nao_e_excluida(cliente_papel, linha):
    gestao = cliente_papel("Gestão")
    pre = f.pre_separacao("A", 8)
    assert gestao.post(url("carteiraprincipal", "delete", linha.pk), {"post": "yes"}).status_code == 403
    assert CarteiraPrincipal.objects.filter(pk=linha.pk).exists()
    pre.delete()
    gestao.post(url("carteiraprincipal", "delete", linha.pk), {"post": "yes"})
    assert not CarteiraPrincipal.objects.filter(pk=linha.pk).exists()


def test_carteira_nao_tem_importacao_propria_no_admin():
    """Carteira lines come from the sync (Odoo or its spreadsheet, which simulates first) or the
    admin form (services_admin); django-import-export's import wrote origem/odoo_line_id around both."""
    from django.urls import NoReverseMatch, reverse

    with pytest.raises(NoReverseMatch):
        reverse("admin:carteira_carteiraprincipal_import")
    campos = set(CarteiraPrincipalResource().fields)  # the export
    assert {"num_pedido", "cod_produto", "qtd_saldo_produto_pedido"} <= campos


def test_acao_confirmar_envia_o_lote_inteiro_e_as_avulsas(admin_exp, linha):
    from carteira import montagem
    from carteira.montagem import ItemLote

    f.produto("B")
    f.linha_carteira("PED1", "B", 10)
    lote, pres = montagem.criar_lote_pre_separacao(
        "PED1", [ItemLote("A", D("5"), f.dia(2)), ItemLote("B", D("4"), f.dia(2))]
    )
    avulsa = f.pre_separacao("A", 3, k=1)
    confirmada = f.pre_separacao("A", 1, status="ENVIADO_SEPARACAO")
    admin_exp.post(
        url("preseparacaoitem", "changelist"),
        {"action": "confirmar", "_selected_action": [pres[0].pk, avulsa.pk, confirmada.pk], "index": "0"},
    )
    assert set(PreSeparacaoItem.objects.values_list("status", flat=True)) == {"ENVIADO_SEPARACAO"}
    assert sorted(Separacao.objects.filter(separacao_lote_id=lote).values_list("cod_produto", flat=True)) == ["A", "B"]
    assert Separacao.objects.exclude(separacao_lote_id=lote).get().qtd_saldo == D("3")
    assert diferencas_com_derivados() == []


def test_status_e_nf_da_separacao_so_pelo_ciclo(admin_exp, linha):
    """Status, NF and the NF flag are the lifecycle's (embarques): not on the admin form, refused by
    the service when forged; a separação past ABERTO is read-only and cannot be deleted."""
    from django.core.exceptions import ValidationError

    from carteira import services_admin

    assert admin_exp.post(url("separacao", "add"), sep_dados(qtd_saldo="10", status="FATURADO")).status_code == 302
    sep = Separacao.objects.get()
    assert sep.status == "ABERTO"  # the field is not on the form: the posted status is ignored
    form = admin_exp.get(url("separacao", "change", sep.pk)).context["adminform"].form
    assert not {"status", "numero_nf", "sincronizado_nf"} & set(form.fields)

    sep.status = "FATURADO"
    with pytest.raises(ValidationError, match="só pelo embarque"):
        services_admin.gravar_separacao(sep)
    with pytest.raises(ValidationError, match="começa ABERTO"):
        services_admin.gravar_separacao(Separacao(num_pedido="PED1", cod_produto="A", qtd_saldo=1, status="COTADO"))

    Separacao.objects.filter(pk=sep.pk).update(status="COTADO")  # as the embarque would
    form = admin_exp.get(url("separacao", "change", sep.pk)).context["adminform"].form
    assert "qtd_saldo" not in form.fields  # read-only
    with pytest.raises(ValidationError, match="só pelo embarque"):
        services_admin.excluir_separacao(sep.pk)
    assert Separacao.objects.filter(pk=sep.pk).exists()
    assert diferencas_com_derivados() == []
