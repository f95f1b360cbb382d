"""Order assembly workspace and pré-separação writes (create, edit, delete, confirm)."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from carteira.models import PreSeparacaoItem, Separacao
from estoque.models import MovimentacaoPrevista
from tests import fabricas as f
from tests.fabricas import corpo
from tests.oracle import calcular, diferencas_com_derivados

pytestmark = pytest.mark.django_db

URL = "/api/carteira/pre-separacoes"
ZERO = Decimal("0")


def workspace(cliente, pedido="PED1"):
    resposta = cliente.get(f"/api/carteira/pedidos/{pedido}/workspace")
    assert resposta.status_code == 200
    dados = corpo(resposta)
    return dados, {item["cod_produto"]: item for item in dados["itens"]}


@pytest.fixture
def pedido():
    """PED1: A (group A/B/C), D and E. Other orders and sources weigh on the same stock."""
    f.produto("A", "PRODUTO A", palletizacao="40", peso_bruto="2.5")
    f.produto("C", "PRODUTO C")
    f.produto("D", "PRODUTO D", palletizacao="12", peso_bruto="0.75")
    f.produto("E", "PRODUTO E")
    f.unificar("A", "B")
    f.unificar("B", "C")
    f.movimento("A", 100)
    f.movimento("C", 20)
    f.movimento("D", 30)
    f.producao("B", 50, k=4)
    f.separacao("C", 70, k=2, lote="OUTRO", pedido="PED9")  # another order's committed outflow
    f.linha_carteira("PED1", "A", 90, preco="12.50", raz_social_red="CLIENTE X", municipio="Campinas", estado="SP")
    f.linha_carteira("PED1", "D", 20, preco="3.00")
    f.linha_carteira("PED1", "E", 5, preco="1.00")
    f.linha_carteira("PED9", "C", 70)
    f.pre_separacao("A", 15, k=1, pedido="PED1")
    f.pre_separacao("A", 5, k=1, pedido="PED1", status="ENVIADO_SEPARACAO")  # not active
    f.separacao("A", 5, k=1, lote="L1", pedido="PED1")
    f.separacao("A", 7, k=1, lote="L2", pedido="PED1", status="FATURADO")  # invoiced
    f.separacao("A", 3, k=1, lote="L3", pedido="PED1")
    f.embarque_item("L3", erro="")  # invoice matched: invoiced


def disponivel_em_oraculo(cod, qtd):
    hoje = f.hoje()
    projecao = calcular(hoje).projecao(cod, hoje, 28)
    for k in range(len(projecao)):
        if min(dia[4] for dia in projecao[k:]) >= qtd:
            return projecao[k][0].isoformat()
    return None


def test_workspace_linhas_e_numeros(cliente_staff, pedido):
    dados, itens = workspace(cliente_staff)
    assert (dados["num_pedido"], dados["raz_social_red"], dados["municipio"]) == ("PED1", "CLIENTE X", "Campinas")
    a = itens["A"]
    # 90 ordered - 15 pré-separado (active) - 5 separado (L1; L2 and L3 are invoiced)
    assert (a["qtd_pedido"], a["qtd_pre_separada"], a["qtd_separada"], a["qtd_saldo"]) == (
        Decimal("90"),
        Decimal("15"),
        Decimal("5"),
        Decimal("70"),
    )
    assert (a["preco"], a["valor"], a["peso"], a["pallets"]) == (
        Decimal("12.50"),
        Decimal("875.00"),
        Decimal("175.000"),
        Decimal("1.750"),
    )
    assert (a["cod_principal"], a["codigos_unificados"]) == ("A", ["A", "B", "C"])
    d = itens["D"]
    assert (d["qtd_saldo"], d["peso"], d["pallets"]) == (Decimal("20"), Decimal("15.000"), Decimal("1.667"))
    assert dados["valor_saldo"] == Decimal("875.00") + Decimal("60.00") + Decimal("5.00")
    assert [p["cod_produto"] for p in dados["pre_separacoes"]] == ["A"]
    assert [s["separacao_lote_id"] for s in dados["separacoes"]] == ["L1"]


def test_workspace_iguala_oraculo(cliente_staff, pedido):
    hoje = f.hoje()
    oraculo = calcular(hoje)
    _, itens = workspace(cliente_staff)
    for cod, item in itens.items():
        principal = oraculo.principal_de(cod)
        assert item["estoque_atual"] == oraculo.saldo.get(principal, ZERO)
        menor, ruptura = oraculo.d7.get(principal, (ZERO, None))
        assert item["menor_estoque_d7"] == menor
        assert item["dia_ruptura"] == (ruptura.isoformat() if ruptura else None)
        assert item["disponivel_em"] == disponivel_em_oraculo(cod, max(item["qtd_saldo"], ZERO))


def test_workspace_disponivel_em(cliente_staff, pedido):
    # Group A: 120 now; D1 -15 -5 (own pré-separação and separação); D2 -70 (other order); D4 +50.
    # Final balances: D0 120, D1 100, D2 30, D3 30, D4.. 80. The line's free 70 fits from D4 on.
    _, itens = workspace(cliente_staff)
    assert itens["A"]["disponivel_em"] == f.dia(4).isoformat()
    assert itens["D"]["disponivel_em"] == f.hoje().isoformat()  # 30 in stock, 20 free
    assert itens["E"]["disponivel_em"] is None  # no stock at all
    assert itens["E"]["estoque_atual"] == ZERO


def test_workspace_erros(client, cliente_comum, comum, dar_papel, pedido):
    assert cliente_comum.get("/api/carteira/pedidos/PED1/workspace").status_code == 403  # no role
    dar_papel(comum, "Comercial")  # reads the carteira and the stock
    assert cliente_comum.get("/api/carteira/pedidos/PED1/workspace").status_code == 200
    resposta = cliente_comum.get("/api/carteira/pedidos/NAO-EXISTE/workspace")
    assert resposta.status_code == 404
    assert "NAO-EXISTE" in corpo(resposta)["detail"]
    client.logout()
    assert client.get("/api/carteira/pedidos/PED1/workspace").status_code == 401


def test_workspace_numero_de_queries_nao_cresce_com_linhas(cliente_staff, django_assert_max_num_queries):
    for pedido, n in (("P1", 1), ("P30", 30)):
        for i in range(n):
            cod = f"{pedido}-{i}"
            f.produto(cod)
            f.movimento(cod, 10)
            f.linha_carteira(pedido, cod, 5)
            f.pre_separacao(cod, 1, pedido=pedido)
            f.separacao(cod, 1, lote=f"{pedido}-L", pedido=pedido)
    for pedido in ("P1", "P30"):
        with django_assert_max_num_queries(9):
            cliente_staff.get(f"/api/carteira/pedidos/{pedido}/workspace")


# ---------------------------------------------------------------- pré-separação writes


def novo(**extra):
    return {
        "num_pedido": "PED1",
        "cod_produto": "D",
        "qtd_selecionada_usuario": 8,
        "data_expedicao_editada": f.dia(2).isoformat(),
        **extra,
    }


def test_criar_editar_excluir_pre_separacao(cliente_staff, pedido):
    resposta = cliente_staff.post(URL, novo(protocolo_editado="AG-1"), content_type="application/json")
    assert resposta.status_code == 201
    pre = corpo(resposta)
    assert (pre["status"], pre["criado_por"], pre["protocolo_editado"]) == ("CRIADO", "staff", "AG-1")
    _, itens = workspace(cliente_staff)
    assert (itens["D"]["qtd_pre_separada"], itens["D"]["qtd_saldo"]) == (Decimal("8"), Decimal("12"))
    produto = corpo(cliente_staff.get("/api/estoque/tempo-real/produto/D"))
    assert produto["projecao"][2]["saida"] == Decimal("8")

    resposta = cliente_staff.patch(
        f"{URL}/{pre['id']}",
        {"qtd_selecionada_usuario": 20, "data_expedicao_editada": f.dia(3).isoformat(), "status": "RECOMPOSTO"},
        content_type="application/json",
    )
    assert resposta.status_code == 200 and corpo(resposta)["status"] == "RECOMPOSTO"
    produto = corpo(cliente_staff.get("/api/estoque/tempo-real/produto/D"))
    assert (produto["projecao"][2]["saida"], produto["projecao"][3]["saida"]) == (ZERO, Decimal("20"))
    assert diferencas_com_derivados() == []

    assert cliente_staff.delete(f"{URL}/{pre['id']}").status_code == 204
    assert not PreSeparacaoItem.objects.filter(pk=pre["id"]).exists()
    produto = corpo(cliente_staff.get("/api/estoque/tempo-real/produto/D"))
    assert all(dia["saida"] == ZERO for dia in produto["projecao"])
    assert diferencas_com_derivados() == []


def test_confirmar_pre_separacao_nao_conta_duas_vezes(cliente_staff, pedido):
    pre = corpo(cliente_staff.post(URL, novo(qtd_selecionada_usuario=10), content_type="application/json"))
    antes = corpo(cliente_staff.get("/api/estoque/tempo-real/projecao/D"))
    resposta = cliente_staff.post(f"{URL}/{pre['id']}/confirmar")
    assert resposta.status_code == 200
    dados = corpo(resposta)
    assert dados["pre_separacao"]["status"] == "ENVIADO_SEPARACAO"
    sep = dados["separacao"]
    assert (sep["cod_produto"], sep["qtd_saldo"], sep["expedicao"], sep["status"], sep["num_pedido"]) == (
        "D",
        Decimal("10"),
        f.dia(2).isoformat(),
        "ABERTO",
        "PED1",
    )
    assert sep["separacao_lote_id"].startswith("LOTE-")
    assert (sep["valor_saldo"], sep["peso"], sep["pallet"]) == (Decimal("30.00"), Decimal("7.500"), Decimal("0.833"))
    assert Separacao.objects.filter(separacao_lote_id=sep["separacao_lote_id"]).count() == 1
    depois = corpo(cliente_staff.get("/api/estoque/tempo-real/projecao/D"))
    assert depois["projecao"] == antes["projecao"]  # 10 out on D2, once
    assert MovimentacaoPrevista.objects.get(cod_produto="D", data_prevista=f.dia(2)).saida_prevista == Decimal("10")
    _, itens = workspace(cliente_staff)
    assert (itens["D"]["qtd_pre_separada"], itens["D"]["qtd_separada"], itens["D"]["qtd_saldo"]) == (
        ZERO,
        Decimal("10"),
        Decimal("10"),
    )
    assert diferencas_com_derivados() == []
    # A confirmed pré-separação is final.
    assert cliente_staff.post(f"{URL}/{pre['id']}/confirmar").status_code == 400
    assert (
        cliente_staff.patch(
            f"{URL}/{pre['id']}", {"qtd_selecionada_usuario": 1}, content_type="application/json"
        ).status_code
        == 400
    )
    assert cliente_staff.delete(f"{URL}/{pre['id']}").status_code == 400
    assert Separacao.objects.filter(num_pedido="PED1", cod_produto="D").count() == 1


@pytest.mark.parametrize(
    "dados, campo",
    [
        (novo(cod_produto="NAO-EXISTE"), "cod_produto"),
        (novo(num_pedido="PED-X"), "num_pedido"),
        (novo(cod_produto="C"), "num_pedido"),  # C is known but not in PED1
        (novo(qtd_selecionada_usuario=0), "qtd_selecionada_usuario"),
        (novo(qtd_selecionada_usuario=-3), "qtd_selecionada_usuario"),
        (novo(qtd_selecionada_usuario=21), "qtd_selecionada_usuario"),  # free quantity is 20
        (novo(qtd_selecionada_usuario="x"), "qtd_selecionada_usuario"),
        (novo(data_expedicao_editada="2025-13-01"), "data_expedicao_editada"),
        (novo(data_expedicao_editada=None), "data_expedicao_editada"),
        (novo(data_agendamento_editada="amanhã"), "data_agendamento_editada"),
        (novo(status="PERDIDO"), "status"),
        (novo(status="ENVIADO_SEPARACAO"), "status"),
        (novo(tipo_envio="metade"), "tipo_envio"),
    ],
)
def test_criar_pre_separacao_400(cliente_staff, pedido, dados, campo):
    antes = PreSeparacaoItem.objects.count()
    previstas = list(MovimentacaoPrevista.objects.values_list("cod_produto", "data_prevista", "saida_prevista"))
    resposta = cliente_staff.post(URL, dados, content_type="application/json")
    assert resposta.status_code == 400
    assert campo in corpo(resposta)
    assert PreSeparacaoItem.objects.count() == antes
    assert list(MovimentacaoPrevista.objects.values_list("cod_produto", "data_prevista", "saida_prevista")) == previstas


def test_editar_pre_separacao_400(cliente_staff, pedido):
    pre = PreSeparacaoItem.objects.get(cod_produto="A", status="CRIADO")
    for dados, campo in [
        ({"qtd_selecionada_usuario": 0}, "qtd_selecionada_usuario"),
        ({"qtd_selecionada_usuario": 86}, "qtd_selecionada_usuario"),  # 90 - 5 separated: at most 85
        ({"status": "ENVIADO_SEPARACAO"}, "status"),
        ({"status": "X"}, "status"),
        ({"data_expedicao_editada": "x"}, "data_expedicao_editada"),
    ]:
        resposta = cliente_staff.patch(f"{URL}/{pre.pk}", dados, content_type="application/json")
        assert resposta.status_code == 400, dados
        assert campo in corpo(resposta)
    assert (
        cliente_staff.patch(
            f"{URL}/{pre.pk}", {"qtd_selecionada_usuario": 85}, content_type="application/json"
        ).status_code
        == 200
    )
    pre.refresh_from_db()
    assert pre.qtd_selecionada_usuario == Decimal("85")


def test_pre_separacao_404(cliente_staff):
    assert cliente_staff.get(f"{URL}/424242").status_code == 404
    assert cliente_staff.patch(f"{URL}/424242", {}, content_type="application/json").status_code == 404
    assert cliente_staff.delete(f"{URL}/424242").status_code == 404
    assert cliente_staff.post(f"{URL}/424242/confirmar").status_code == 404


def test_pre_separacao_401_403(client, cliente_comum, comum, dar_papel, pedido):
    pre = PreSeparacaoItem.objects.get(cod_produto="A", status="CRIADO")
    assert cliente_comum.get(f"{URL}/{pre.pk}").status_code == 403  # no role: not even reading
    dar_papel(comum, "Comercial")  # read-only
    assert cliente_comum.get(f"{URL}/{pre.pk}").status_code == 200
    assert cliente_comum.post(URL, novo(), content_type="application/json").status_code == 403
    assert (
        cliente_comum.patch(
            f"{URL}/{pre.pk}", {"qtd_selecionada_usuario": 1}, content_type="application/json"
        ).status_code
        == 403
    )
    assert cliente_comum.delete(f"{URL}/{pre.pk}").status_code == 403
    assert cliente_comum.post(f"{URL}/{pre.pk}/confirmar").status_code == 403
    # Confirming needs both permissions: change the pré-separação and add a separação.
    comum.user_permissions.add(Permission.objects.get(codename="change_preseparacaoitem"))
    assert cliente_comum.post(f"{URL}/{pre.pk}/confirmar").status_code == 403
    comum.user_permissions.add(Permission.objects.get(codename="add_separacao"))
    assert cliente_comum.post(f"{URL}/{pre.pk}/confirmar").status_code == 200
    client.logout()
    assert client.post(URL, novo(), content_type="application/json").status_code == 401
    assert client.delete(f"{URL}/{pre.pk}").status_code == 401
