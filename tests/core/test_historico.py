"""History of the source rows (core.historico): every path records who, from where and what changed.

Paths: the admin, the API, the order page, a spreadsheet import (also undone), the Odoo/spreadsheet
sync, a management command, QuerySet.update(), bulk_create(), bulk_update(), QuerySet.delete() and a
cascade delete. The oracle (tests.oracle.diferencas_do_historico, run by diferencas_com_derivados
after every operation of the property tests) checks the other direction: no write escapes it.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from core import autoria
from core.autoria import Origem
from core.comandos import Comando
from core.historico import sem_historico
from core.importacoes import servico as importacoes
from embarques.models import Embarque, EmbarqueItem
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque, UnificacaoCodigos
from producao.models import ProgramacaoProducao
from tests import fabricas as f
from tests.core.test_importacoes import csv, hoje_br, receber
from tests.oracle import diferencas_com_derivados, diferencas_do_historico

pytestmark = pytest.mark.django_db
D = Decimal


def historico(obj):
    """The object's history, oldest first: (tipo, usuário, origem, autor, registro)."""
    return [
        (h.history_type, h.history_user.username if h.history_user else None, h.history_origem, h.history_autor, h)
        for h in type(obj).history.filter(id=obj.pk).order_by("history_date", "history_id")
    ]


def mudancas(registro):
    """{campo: (antes, depois)} against the previous record of the same row."""
    anterior = registro.prev_record
    return {m.field: (m.old, m.new) for m in registro.diff_against(anterior).changes} if anterior else {}


# ---------------------------------------------------------------- entry points: who and where


def test_admin_registra_usuario_origem_e_campos(cliente_staff):
    cadastro = f.produto("A", "PEPINO")
    resposta = cliente_staff.post(
        f"/admin/estoque/cadastropalletizacao/{cadastro.pk}/change/",
        {"cod_produto": "A", "nome_produto": "PEPINO 300G", "palletizacao": "120", "peso_bruto": "1.5", "ativo": "on"},
    )
    assert resposta.status_code == 302, resposta.content[:500]
    cadastro = CadastroPalletizacao.objects.get(cod_produto="A")
    registros = historico(cadastro)
    assert [r[:4] for r in registros] == [
        ("+", None, Origem.SISTEMA, "sistema"),
        ("~", "staff", Origem.ADMIN, "staff"),
    ]
    assert mudancas(registros[-1][4]) == {
        "nome_produto": ("PEPINO", "PEPINO 300G"),
        "palletizacao": (D("100"), D("120")),
    }


def test_api_registra_usuario_e_origem(cliente_staff):
    f.produto("A")
    resposta = cliente_staff.post(
        "/api/estoque/movimentacoes",
        {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 100},
        content_type="application/json",
    )
    assert resposta.status_code == 201
    mov = MovimentacaoEstoque.objects.get()
    cliente_staff.post(f"/api/estoque/movimentacoes/{mov.pk}/cancelar", content_type="application/json")
    registros = historico(mov)
    assert [r[:4] for r in registros] == [("+", "staff", Origem.API, "staff"), ("~", "staff", Origem.API, "staff")]
    assert mudancas(registros[-1][4])["ativo"] == (True, False)


def test_api_por_token_registra_o_dono_do_token(staff, client):
    """DRF authenticates inside the view: the user is read when the row is written, not by the middleware."""
    from rest_framework.authtoken.models import Token

    f.produto("A")
    token = Token.objects.create(user=staff)
    resposta = client.post(
        "/api/estoque/movimentacoes",
        {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 5},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert resposta.status_code == 201
    assert [r[:3] for r in historico(MovimentacaoEstoque.objects.get())] == [("+", "staff", Origem.API)]


def test_pagina_do_pedido_registra_edicao_e_remocao(cliente_papel):
    from tests.carteira.test_pagina_pedido import URL, dados_lote

    for cod in "AB":
        f.produto(cod)
    f.movimento("A", 100)
    f.linha_carteira("PED1", "A", 40)
    f.linha_carteira("PED1", "B", 1234.5)
    cliente = cliente_papel("Expedição")
    cliente.post(f"{URL}lotes/", dados_lote(incluir=("A",), qtd={"A": "10"}))
    pre = PreSeparacaoItem.objects.get()
    cliente.post(f"{URL}itens/{pre.pk}/editar/", {"qtd_selecionada_usuario": "12", "data_expedicao_editada": f.dia(4)})
    cliente.post(f"{URL}itens/{pre.pk}/remover/")
    registros = historico(pre)
    assert [r[:3] for r in registros] == [
        ("+", "papel-expedição", Origem.PAGINA),
        ("~", "papel-expedição", Origem.PAGINA),
        ("-", "papel-expedição", Origem.PAGINA),
    ]
    assert mudancas(registros[1][4]) == {
        "qtd_selecionada_usuario": (D("10"), D("12")),
        "data_expedicao_editada": (f.dia(2), f.dia(4)),
    }
    assert diferencas_com_derivados() == []


def test_importacao_registra_quem_confirmou_e_o_numero_tambem_ao_desfazer(staff):
    f.produto("4510156")
    f.produto("P2")
    texto = f"Código do produto;Data;Tipo;Quantidade\n4510156;{hoje_br()};Entrada;10\nP2;{hoje_br()};Entrada;5\n"
    imp = receber(csv(texto), nome="mov.csv", usuario="staff")
    importacoes.aplicar(imp.pk, "staff")
    movs = list(MovimentacaoEstoque.objects.order_by("pk"))
    rotulo = f"staff (importação nº {imp.pk})"
    assert [historico(m)[0][:4] for m in movs] == [("+", "staff", Origem.IMPORTACAO, rotulo)] * 2
    importacoes.desfazer(imp.pk, "staff")
    assert {historico(m)[-1][:4] for m in movs} == {("~", "staff", Origem.IMPORTACAO, rotulo)}
    assert diferencas_do_historico() == []


def test_importacao_recusada_ao_gravar_nao_deixa_historico(staff, monkeypatch):
    """The history row is in the write's transaction: a failed import leaves none."""
    f.produto("4510156")
    imp = receber(csv(f"Código do produto;Data;Tipo;Quantidade\n4510156;{hoje_br()};Entrada;10\n"), nome="m.csv")
    from estoque import importadores

    original = importadores.MovimentacoesImportador.aplicar

    def falhar_no_fim(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise importacoes.ErroImportacao("falha simulada depois de gravar")

    monkeypatch.setattr(importadores.MovimentacoesImportador, "aplicar", falhar_no_fim)
    with pytest.raises(importacoes.ErroImportacao):
        importacoes.aplicar(imp.pk, "staff")
    assert MovimentacaoEstoque.objects.count() == 0
    assert MovimentacaoEstoque.history.count() == 0


def test_sincronizacao_registra_a_execucao_e_quem_a_pediu(staff, tmp_path):
    from carteira.sincronizacao import servico
    from tests.carteira.test_sincronizacao import xlsx

    f.produto("P1")
    f.movimento("P1", 500)
    f.linha_carteira("PED1", "P1", 100, origem="ODOO", odoo_line_id=5)
    pre = f.pre_separacao("P1", 90, pedido="PED1")
    arquivo = tmp_path / "carteira.xlsx"
    arquivo.write_bytes(
        xlsx(
            [
                ["Pedido", "Código do produto", "Saldo do pedido", "Qtd pedida"],
                ["PED1", "P1", 60, 100],
                ["PED2", "P1", 7, 7],
            ]
        )
    )
    execucao = servico.sincronizar_planilha(str(arquivo), gatilho="ADMIN", usuario="staff")
    assert execucao.status == "SUCESSO"
    rotulo = f"staff (sincronização por planilha nº {execucao.pk})"
    linha = CarteiraPrincipal.objects.get(num_pedido="PED1")
    assert historico(linha)[-1][:4] == ("~", "staff", Origem.SINCRONIZACAO, rotulo)
    assert mudancas(historico(linha)[-1][4])["qtd_saldo_produto_pedido"] == (D("100"), D("60"))
    nova = CarteiraPrincipal.objects.get(num_pedido="PED2")
    assert [r[:4] for r in historico(nova)] == [("+", "staff", Origem.SINCRONIZACAO, rotulo)]
    assert historico(pre)[-1][:4] == ("~", "staff", Origem.SINCRONIZACAO, rotulo)  # reduced to the new balance
    assert diferencas_com_derivados() == []


def test_comando_registra_o_nome_do_comando():
    f.produto("A")

    class Gravar(Comando):
        def handle(self, *args, **options):
            f.movimento("A", 3)

    call_command(Gravar())
    mov = MovimentacaoEstoque.objects.get()
    assert historico(mov)[0][:4] == ("+", None, Origem.COMANDO, "comando test_historico")


def test_fora_de_qualquer_entrada_e_o_sistema():
    f.produto("A")
    assert historico(f.movimento("A", 3))[0][:4] == ("+", None, Origem.SISTEMA, "sistema")


# ---------------------------------------------------------------- the bulk paths signals never see


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user("ana")


def test_update_em_massa_registra_cada_linha_com_o_campo(ana):
    f.produto("A")
    movs = [f.movimento("A", q) for q in (1, 2, 3)]
    outra = f.movimento("A", 9)
    with autoria.atuando(Origem.PAGINA, usuario=ana):
        alteradas = MovimentacaoEstoque.objects.filter(pk__in=[m.pk for m in movs]).update(ativo=False)
    assert alteradas == 3
    for mov in movs:
        ultimo = historico(mov)[-1]
        assert ultimo[:3] == ("~", "ana", Origem.PAGINA)
        assert mudancas(ultimo[4]) == {"ativo": (True, False)}
    assert [r[0] for r in historico(outra)] == ["+"]
    assert diferencas_com_derivados() == []


def test_update_em_massa_de_tabela_que_nao_e_fonte(ana):
    linhas = [f.linha_carteira("PED1", cod, 10) for cod in ("A", "B")]
    with autoria.atuando(Origem.ADMIN, usuario=ana):
        CarteiraPrincipal.objects.filter(num_pedido="PED1").update(vendedor="Vera")
    for linha in linhas:
        assert historico(linha)[-1][:3] == ("~", "ana", Origem.ADMIN)
        assert mudancas(historico(linha)[-1][4]) == {"vendedor": ("", "Vera")}
    assert diferencas_do_historico() == []


def test_bulk_create_e_bulk_update(ana):
    f.produto("A")
    with autoria.atuando(Origem.PAGINA, usuario=ana):
        criadas = ProgramacaoProducao.objects.bulk_create(
            [ProgramacaoProducao(cod_produto="A", data_programacao=f.dia(k), qtd_programada=D(k)) for k in (1, 2)]
        )
        for prog in criadas:
            prog.qtd_programada += 10
        ProgramacaoProducao.objects.bulk_update(criadas, ["qtd_programada"])
    for prog in criadas:
        registros = historico(prog)
        assert [r[:3] for r in registros] == [("+", "ana", Origem.PAGINA), ("~", "ana", Origem.PAGINA)]
        antes = registros[0][4].qtd_programada
        assert mudancas(registros[1][4]) == {"qtd_programada": (antes, antes + 10)}
    assert diferencas_com_derivados() == []


def test_bulk_create_com_conflitos_e_recusado():
    with pytest.raises(ValueError, match="histórico"):
        CarteiraPrincipal.objects.bulk_create(
            [CarteiraPrincipal(num_pedido="P", cod_produto="A")], ignore_conflicts=True
        )


def test_delete_em_massa_e_cascata(ana):
    f.produto("A")
    unificacao = f.unificar("B", "A")
    itens = [f.embarque_item(lote, numero=7) for lote in ("L1", "L2")]
    embarque = Embarque.objects.get(numero=7)
    numero_embarque = embarque.pk
    with autoria.atuando(Origem.ADMIN, usuario=ana):
        UnificacaoCodigos.objects.filter(codigo_origem="B").delete()
        embarque.delete()  # its items go by cascade
    assert historico(UnificacaoCodigos(pk=unificacao.pk))[-1][:3] == ("-", "ana", Origem.ADMIN)
    assert historico(Embarque(pk=numero_embarque))[-1][:3] == ("-", "ana", Origem.ADMIN)
    for item in itens:
        assert historico(item)[-1][:3] == ("-", "ana", Origem.ADMIN)
    assert EmbarqueItem.objects.count() == 0
    assert diferencas_com_derivados() == []


def test_separacao_e_programacao_tem_usuario_que_nao_tinham(ana):
    """Rows with no author column of their own (programação, separação, unificação) get one in history."""
    f.produto("A")
    with autoria.atuando(Origem.API, usuario=ana):
        sep = f.separacao("A", 5)
        prog = f.producao("A", 7)
        uni = f.unificar("Z", "A")
    for obj in (sep, prog, uni):
        assert historico(obj)[0][:3] == ("+", "ana", Origem.API)


def test_rollback_nao_deixa_historico():
    f.produto("A")
    with pytest.raises(RuntimeError), transaction.atomic():
        f.movimento("A", 3)
        raise RuntimeError
    assert MovimentacaoEstoque.history.count() == 0


def test_sem_historico_so_para_quem_pede():
    f.produto("A")
    with sem_historico():
        f.movimento("A", 1)
    f.movimento("A", 2)
    assert MovimentacaoEstoque.history.count() == 1


def test_oraculo_do_historico_ve_o_que_escapou():
    """The history oracle would catch a write that bypassed the history (a check that can fail)."""
    f.produto("A")
    mov = f.movimento("A", 1)
    assert diferencas_do_historico() == []
    with sem_historico():
        MovimentacaoEstoque.objects.filter(pk=mov.pk).update(observacao="por fora")
        Separacao.objects.bulk_create([Separacao(separacao_lote_id="L", num_pedido="P", cod_produto="A", qtd_saldo=1)])
    difs = diferencas_do_historico()
    assert any("MovimentacaoEstoque" in d and "observacao" in d for d in difs)
    assert any("Separacao" in d and "não a tem" in d for d in difs)
