"""The history on screen: the admin's Histórico of a row, the product's and the order's Histórico
pages (core.historico_leitura, core.historico_pagina), their permissions, filters and cursor."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from core import autoria, historico_leitura
from core.historico_leitura import Mudanca
from estoque.models import MovimentacaoEstoque
from producao.models import ProgramacaoProducao
from tests import fabricas as f
from tests.core.test_sem_ingles import texto_visivel

pytestmark = pytest.mark.django_db


def _texto(resposta) -> str:
    return texto_visivel(resposta.content.decode())


def _como(usuario):
    return autoria.atuando(autoria.Origem.PAGINA, usuario=usuario)


def _url_produto(cod):
    return reverse("estoque_paginas:produto-historico", args=[cod])


def _url_pedido(num):
    return reverse("carteira_paginas:pedido-historico", args=[num])


# ---------------------------------------------------------------- admin


def _dados_movimentacao(qtd):
    return {
        "cod_produto": "P1",
        "nome_produto": "PRODUTO P1",
        "data_movimentacao": timezone.localdate().strftime("%d/%m/%Y"),
        "tipo_movimentacao": "ENTRADA",
        "qtd_movimentacao": qtd,
        "local_movimentacao": "",
        "ativo": "on",
        "observacao": "",
        "numero_nf": "",
        "num_pedido": "",
        "separacao_lote_id": "",
    }


def test_historico_no_admin_mostra_quem_origem_e_mudanca(cliente_staff):
    f.produto("P1")
    assert (
        cliente_staff.post(reverse("admin:estoque_movimentacaoestoque_add"), _dados_movimentacao("10")).status_code
        == 302
    )
    mov = MovimentacaoEstoque.objects.get()
    alterar = reverse("admin:estoque_movimentacaoestoque_change", args=[mov.pk])
    assert cliente_staff.post(alterar, _dados_movimentacao("1234.5")).status_code == 302

    resposta = cliente_staff.get(reverse("admin:estoque_movimentacaoestoque_history", args=[mov.pk]))

    assert resposta.status_code == 200
    alterado, criado = resposta.context["entradas"]
    assert (alterado.acao, alterado.quem, alterado.origem) == ("alterado", "staff", "admin")
    assert alterado.mudancas == [Mudanca("quantidade", "10", "1.234,5")]  # atualizado_em (auto_now) left out
    assert criado.acao == "criado" and Mudanca("quantidade", "", "10") in criado.mudancas
    texto = _texto(resposta)
    assert "quantidade: 10 → 1.234,5" in texto
    assert "Histórico" in texto and "staff" in texto and "admin" in texto


def test_historico_do_admin_exige_ver_ou_alterar(client, usuario_papel):
    mov = f.movimento("P1", 10)
    url = reverse("admin:estoque_movimentacaoestoque_history", args=[mov.pk])
    client.force_login(usuario_papel("PCP"))  # no permission on movements
    assert client.get(url).status_code == 403
    client.force_login(usuario_papel("Estoque"))
    assert client.get(url).status_code == 200
    # An unknown row: the admin's own "does not exist" redirect, as Django's history_view.
    desconhecida = client.get(reverse("admin:estoque_movimentacaoestoque_history", args=[999999]))
    assert desconhecida.status_code == 302 and desconhecida["Location"] == reverse("admin:index")


def test_historico_do_admin_de_um_embarque_descrito_pelo_proprio_texto(cliente_staff):
    item = f.embarque_item("L1", numero=7)
    resposta = cliente_staff.get(reverse("admin:embarques_embarque_history", args=[item.embarque_id]))
    assert [e.descricao for e in resposta.context["entradas"]] == ["Embarque 7"]
    resposta = cliente_staff.get(reverse("admin:embarques_embarqueitem_history", args=[item.pk]))
    assert [e.descricao for e in resposta.context["entradas"]] == ["pedido PED1 · lote L1"]


def test_historico_do_admin_cursor_malformado_e_400(cliente_staff):
    mov = f.movimento("P1", 10)
    url = reverse("admin:estoque_movimentacaoestoque_history", args=[mov.pk])
    resposta = cliente_staff.get(url + "?antes=%%%nada")
    assert resposta.status_code == 400 and len(resposta.context["entradas"]) == 1


# ---------------------------------------------------------------- product page


@pytest.fixture
def usuarios(django_user_model):
    return (
        django_user_model.objects.create_user("ana", password="x"),
        django_user_model.objects.create_user("bruno", password="x"),
    )


def test_historico_do_produto_todos_os_codigos_do_grupo_mais_recente_primeiro(cliente_staff, usuarios):
    ana, bruno = usuarios
    f.produto("P1")
    f.unificar("P1-B", "P1")
    with _como(ana):
        mov = f.movimento("P1", 10)
        f.producao("P1-B", 20)
    with _como(bruno):
        f.pre_separacao("P1-B", 3)
        MovimentacaoEstoque.objects.filter(pk=mov.pk).update(qtd_movimentacao=Decimal("12"))
        f.movimento("P2", 99)  # another product

    resposta = cliente_staff.get(_url_produto("P1-B"))

    assert resposta.status_code == 200
    entradas = resposta.context["entradas"]
    assert [e.quando for e in entradas] == sorted((e.quando for e in entradas), reverse=True)
    descricoes = [e.descricao for e in entradas]
    assert not any("P2" in d for d in descricoes)
    assert {e.modelo for e in entradas} >= {"movimentação de estoque", "programação de produção"}
    assert {"produto P1", "produto P1-B", "pedido PED1 · produto P1-B"} <= set(descricoes)
    assert entradas[0].quem == "bruno" and entradas[0].mudancas == [Mudanca("quantidade", "10", "12")]
    assert "quantidade: 10 → 12" in _texto(resposta)
    assert {c for c, _ in resposta.context["form_historico"].fields["usuario"].choices} >= {"", "ana", "bruno"}


def test_historico_do_produto_filtra_por_usuario_e_por_data(cliente_staff, usuarios):
    ana, bruno = usuarios
    f.produto("P1")
    with _como(ana):
        antiga = f.movimento("P1", 10)
    with _como(bruno):
        f.movimento("P1", 20)
    tres_dias = timezone.now() - timedelta(days=3)
    MovimentacaoEstoque.history.filter(id=antiga.pk).update(history_date=tres_dias)

    so_ana = cliente_staff.get(_url_produto("P1"), {"usuario": "ana"}).context["entradas"]
    assert [e.quem for e in so_ana] == ["ana"]
    hoje = timezone.localdate()
    de_hoje = cliente_staff.get(_url_produto("P1"), {"de": hoje.strftime("%d/%m/%Y")}).context["entradas"]
    assert all(e.quando >= tres_dias + timedelta(days=1) for e in de_hoje)
    assert "ana" not in {e.quem for e in de_hoje} and "bruno" in {e.quem for e in de_hoje}
    ate_ontem = (hoje - timedelta(days=1)).strftime("%d/%m/%Y")
    antigas = cliente_staff.get(_url_produto("P1"), {"ate": ate_ontem}).context["entradas"]
    assert [(e.quem, e.objeto_id) for e in antigas] == [("ana", str(antiga.pk))]
    # A bad date is shown as an error and left out, not a 500.
    resposta = cliente_staff.get(_url_produto("P1"), {"de": "31/02/2026"})
    assert resposta.status_code == 200 and resposta.context["form_historico"].errors


def test_historico_do_produto_so_das_tabelas_que_o_usuario_pode_ver(client, usuario_papel):
    f.produto("P1")
    f.movimento("P1", 10)
    f.pre_separacao("P1", 3)
    usuario = usuario_papel("Estoque")  # sees movements, not the carteira
    assert not usuario.has_perm("carteira.view_preseparacaoitem")
    client.force_login(usuario)
    modelos = {e.modelo for e in client.get(_url_produto("P1")).context["entradas"]}
    assert "movimentação de estoque" in modelos
    assert str(PreSeparacaoItem._meta.verbose_name) not in modelos
    usuario.user_permissions.add(Permission.objects.get(codename="view_preseparacaoitem"))
    client.force_login(type(usuario).objects.get(pk=usuario.pk))
    modelos = {e.modelo for e in client.get(_url_produto("P1")).context["entradas"]}
    assert str(PreSeparacaoItem._meta.verbose_name) in modelos


def test_historico_do_produto_desconhecido_e_cursor_malformado(cliente_staff):
    assert cliente_staff.get(_url_produto("NAO-EXISTE")).status_code == 404
    f.produto("P1")
    assert cliente_staff.get(_url_produto("P1"), {"antes": "não é cursor"}).status_code == 400
    assert cliente_staff.get(_url_produto("P1"), {"antes": "YWJj"}).status_code == 400


@pytest.mark.parametrize(
    "texto",
    [
        "",
        "%%%",
        "YWJj",
        "não",
        "\x00",
        "MjAyNi0wMS0wMXx4fDE",
        "MjAyNi0wMS0wMVQwMDowMDowMCswMDowMHx4fDk5OTk5OTk5OTk5OTk5OTk5OTk5",
    ],
)
def test_cursor_malformado_e_recusado_com_clareza(texto):
    # "" is no cursor; the others: not base64, not three parts, a naive moment, an id beyond BIGINT.
    if texto == "":
        assert historico_leitura.listar([(MovimentacaoEstoque, Q())], antes=texto).proximo is None
        return
    with pytest.raises(historico_leitura.CursorInvalido):
        historico_leitura.listar([(MovimentacaoEstoque, Q())], antes=texto)


def test_pagina_do_produto_tem_a_aba_historico(cliente_staff):
    f.produto("P1")
    resposta = cliente_staff.get(reverse("estoque_paginas:produto", args=["P1"]))
    assert _url_produto("P1") in resposta.content.decode()


# ---------------------------------------------------------------- order page


def test_historico_do_pedido_linhas_e_lotes(cliente_staff, staff):
    f.produto("P1")
    with _como(staff):
        f.linha_carteira("PED1", "P1", 50)
        pre = f.pre_separacao("P1", 5, pedido="PED1", lote="LT1")
        f.separacao("P1", 3, lote="L1", pedido="PED1")
        f.movimento("P1", -3, separacao_lote_id="L1")  # the lote's exit: no order number on it
        f.linha_carteira("PED2", "P1", 7)  # another order
        f.separacao("P1", 1, lote="L9", pedido="PED2")
        # A lote the order had once: the pré-separação moved to another lote.
        PreSeparacaoItem.objects.filter(pk=pre.pk).update(separacao_lote_id="LT2")

    resposta = cliente_staff.get(_url_pedido("PED1"))

    assert resposta.status_code == 200
    assert resposta.context["lotes"] == ["L1", "LT1", "LT2"]
    entradas = resposta.context["entradas"]
    modelos = {e.modelo for e in entradas}
    assert {
        str(CarteiraPrincipal._meta.verbose_name),
        str(PreSeparacaoItem._meta.verbose_name),
        str(Separacao._meta.verbose_name),
        "movimentação de estoque",
    } <= modelos
    assert not any("PED2" in e.descricao or "L9" in e.descricao for e in entradas)
    assert any(m.campo == "lote de separação" or "LT2" in m.depois for m in entradas[0].mudancas)
    assert len({(e.modelo, e.objeto_id, e.chave) for e in entradas}) == len(entradas)  # each row once
    assert _url_pedido("PED1") in cliente_staff.get(reverse("carteira_paginas:pedido", args=["PED1"])).content.decode()


def test_historico_de_pedido_desconhecido_e_404(cliente_staff):
    assert cliente_staff.get(_url_pedido("NAO-EXISTE")).status_code == 404


# ---------------------------------------------------------------- cursor and cost


def test_cursor_percorre_cada_linha_uma_vez_com_datas_iguais():
    f.produto("P1")
    for i in range(50):
        f.movimento("P1", i + 1)
    for i in range(40):
        f.producao("P1", i + 1, k=1)
    for i in range(40):
        f.pre_separacao("P1", i + 1, k=1)
    # Bulk writes: most rows share one moment, across the three tables.
    mesma = timezone.now() - timedelta(hours=1)
    for model in (MovimentacaoEstoque, ProgramacaoProducao, PreSeparacaoItem):
        historico = model.history.model
        ids = list(historico.objects.order_by("history_id").values_list("history_id", flat=True))
        historico.objects.filter(history_id__in=ids[5:]).update(history_date=mesma)
    consultas = [(model, Q(cod_produto="P1")) for model in (MovimentacaoEstoque, ProgramacaoProducao, PreSeparacaoItem)]
    esperado = sorted(
        (
            (linha.history_date, model._meta.label_lower, linha.history_id)
            for model, _ in consultas
            for linha in model.history.all()
        ),
        reverse=True,
    )
    assert len(esperado) == 130

    vistas, cursor, paginas = [], None, 0
    while True:
        pagina = historico_leitura.listar(consultas, antes=cursor, limite=50)
        vistas += [e.chave for e in pagina.entradas]
        paginas += 1
        cursor = pagina.proximo
        if cursor is None:
            break
    assert paginas == 3
    assert vistas == esperado


def test_custo_da_pagina_nao_cresce_com_as_linhas(cliente_staff, django_assert_max_num_queries):
    f.produto("P1")
    f.linha_carteira("PED1", "P1", 500)
    for i in range(15):
        mov = f.movimento("P1", i + 1)
        MovimentacaoEstoque.objects.filter(pk=mov.pk).update(qtd_movimentacao=Decimal(i + 2))
        f.producao("P1", i + 1)
        f.pre_separacao("P1", 1, pedido="PED1")
        f.separacao("P1", 1, lote=f"L{i}", pedido="PED1")
        f.embarque_item(f"L{i}", numero=i + 1)
    # session, user, permissions, the product, the users, then one or two queries per table
    with django_assert_max_num_queries(20):
        resposta = cliente_staff.get(_url_produto("P1"))
    assert len(resposta.context["entradas"]) == 50
    with django_assert_max_num_queries(20):
        resposta = cliente_staff.get(_url_pedido("PED1"))
    assert len(resposta.context["entradas"]) == 46  # the line, 15 pré-separações, 15 separações, 15 items
    assert "pedido PED1 · lote L3" in {e.descricao for e in resposta.context["entradas"]}


def test_texto_do_proprio_modelo_le_as_chaves_estrangeiras_de_uma_vez(django_assert_max_num_queries):
    from embarques.models import EmbarqueItem

    for i in range(3):
        f.embarque_item(f"L{i}", numero=i + 1)
    linhas = list(EmbarqueItem.history.all())
    with django_assert_max_num_queries(1):  # the embarques, once
        descricoes = historico_leitura._pelo_str(EmbarqueItem, linhas)
    assert sorted(descricoes.values()) == ["Embarque 1 / L0", "Embarque 2 / L1", "Embarque 3 / L2"]


def test_unificacao_no_historico_dos_dois_produtos(cliente_staff, usuarios):
    ana, _ = usuarios
    f.produto("P1")
    f.produto("P9")
    with _como(ana):
        f.unificar("P1-B", "P1")
    for cod in ("P1", "P1-B"):
        entradas = cliente_staff.get(_url_produto(cod)).context["entradas"]
        assert [(e.modelo, e.descricao, e.quem) for e in entradas if e.modelo == "unificação de códigos"] == [
            ("unificação de códigos", "P1-B → P1", "ana")
        ], cod
    assert not [
        e for e in cliente_staff.get(_url_produto("P9")).context["entradas"] if e.modelo == "unificação de códigos"
    ]
