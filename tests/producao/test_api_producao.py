"""Production schedule writes: create, edit, delete, list; the forecast follows at once."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from producao.models import ProgramacaoProducao
from tests import fabricas as f
from tests.fabricas import corpo
from tests.oracle import calcular, diferencas_com_derivados

pytestmark = pytest.mark.django_db

URL = "/api/producao/programacoes"
ZERO = Decimal("0")


def entradas(cliente, cod):
    projecao = corpo(cliente.get(f"/api/estoque/tempo-real/projecao/{cod}"))["projecao"]
    return {k: dia["entrada"] for k, dia in enumerate(projecao) if dia["entrada"]}


@pytest.fixture
def produtos():
    f.produto("A", "PRODUTO A")
    f.produto("C")
    f.unificar("A", "B")
    f.unificar("B", "C")
    f.movimento("A", 10)
    f.separacao("C", 25, k=3, lote="L1")  # stock-out on D3 without production


def test_criar_editar_excluir_programacao(cliente_staff, produtos):
    assert corpo(cliente_staff.get("/api/estoque/tempo-real/produto/B"))["status"] == "CRITICO"
    resposta = cliente_staff.post(
        URL,
        {"cod_produto": "B", "data_programacao": f.dia(2).isoformat(), "qtd_programada": 30, "linha_producao": "L-01"},
        content_type="application/json",
    )
    assert resposta.status_code == 201
    prog = corpo(resposta)
    assert (prog["nome_produto"], prog["qtd_programada"]) == ("", Decimal("30"))
    assert entradas(cliente_staff, "C") == {2: Decimal("30")}
    produto = corpo(cliente_staff.get("/api/estoque/tempo-real/produto/A"))
    assert (produto["status"], produto["dia_ruptura"], produto["menor_estoque_d7"]) == ("OK", None, Decimal("10"))

    resposta = cliente_staff.patch(
        f"{URL}/{prog['id']}", {"data_programacao": f.dia(5).isoformat()}, content_type="application/json"
    )
    assert resposta.status_code == 200
    assert entradas(cliente_staff, "A") == {5: Decimal("30")}
    produto = corpo(cliente_staff.get("/api/estoque/tempo-real/produto/A"))
    assert (produto["status"], produto["dia_ruptura"]) == ("CRITICO", f.dia(3).isoformat())
    assert diferencas_com_derivados() == []

    cliente_staff.patch(
        f"{URL}/{prog['id']}", {"cod_produto": "A", "qtd_programada": 12.5}, content_type="application/json"
    )
    assert entradas(cliente_staff, "A") == {5: Decimal("12.5")}
    assert ProgramacaoProducao.objects.get(pk=prog["id"]).nome_produto == "PRODUTO A"

    assert cliente_staff.delete(f"{URL}/{prog['id']}").status_code == 204
    assert entradas(cliente_staff, "A") == {}
    assert diferencas_com_derivados() == []
    oraculo = calcular(f.hoje())
    assert oraculo.d7["A"][1] == f.dia(3)


def test_listar_programacoes(cliente_staff, produtos):
    for k, cod in ((3, "A"), (1, "C"), (10, "A")):
        f.producao(cod, 5, k=k)
    dados = corpo(cliente_staff.get(URL))
    assert dados["count"] == 3
    assert [(p["cod_produto"], p["data_programacao"]) for p in dados["results"]] == [
        ("C", f.dia(1).isoformat()),
        ("A", f.dia(3).isoformat()),
        ("A", f.dia(10).isoformat()),
    ]
    filtrado = corpo(cliente_staff.get(f"{URL}?cod_produto=A&de={f.dia(2).isoformat()}&ate={f.dia(5).isoformat()}"))
    assert [p["data_programacao"] for p in filtrado["results"]] == [f.dia(3).isoformat()]
    assert cliente_staff.get(f"{URL}?de=ontem").status_code == 400


DIA = "em 30 dias"  # replaced in the test: parametrize runs at collection, the date window moves daily


@pytest.mark.parametrize(
    "dados, campo",
    [
        ({"cod_produto": "NAO-EXISTE", "data_programacao": DIA, "qtd_programada": 1}, "cod_produto"),
        ({"cod_produto": "A", "data_programacao": DIA, "qtd_programada": 0}, "qtd_programada"),
        ({"cod_produto": "A", "data_programacao": DIA, "qtd_programada": -5}, "qtd_programada"),
        ({"cod_produto": "A", "data_programacao": "01/01/2030", "qtd_programada": 5}, "data_programacao"),
        ({"cod_produto": "A", "data_programacao": "9999-12-31", "qtd_programada": 5}, "data_programacao"),
        ({"cod_produto": "A", "data_programacao": "20300101", "qtd_programada": 5}, "data_programacao"),
        ({"cod_produto": "A", "qtd_programada": 5}, "data_programacao"),
        ({"cod_produto": "A", "data_programacao": DIA}, "qtd_programada"),
    ],
)
def test_criar_programacao_400(cliente_staff, produtos, dados, campo):
    dados = {chave: f.dia(30).isoformat() if valor == DIA else valor for chave, valor in dados.items()}
    resposta = cliente_staff.post(URL, dados, content_type="application/json")
    assert resposta.status_code == 400
    assert campo in corpo(resposta)
    assert ProgramacaoProducao.objects.count() == 0
    assert diferencas_com_derivados() == []


def test_editar_programacao_400(cliente_staff, produtos):
    prog = f.producao("A", 5, k=1)
    for dados, campo in [
        ({"qtd_programada": 0}, "qtd_programada"),
        ({"cod_produto": "X"}, "cod_produto"),
        ({"data_programacao": "amanhã"}, "data_programacao"),
    ]:
        resposta = cliente_staff.patch(f"{URL}/{prog.pk}", dados, content_type="application/json")
        assert resposta.status_code == 400, dados
        assert campo in corpo(resposta)
    assert entradas(cliente_staff, "A") == {1: Decimal("5")}


def test_programacao_404_401_403(client, cliente_comum, comum, dar_papel, produtos):
    prog = f.producao("A", 5, k=1)
    assert cliente_comum.get(f"{URL}/{prog.pk}").status_code == 403  # no role: not even reading
    dar_papel(comum, "Comercial")  # reads the schedule, writes nothing
    assert cliente_comum.get(f"{URL}/999999").status_code == 404
    assert cliente_comum.get(f"{URL}/{prog.pk}").status_code == 200
    assert cliente_comum.get(URL).status_code == 200
    novo = {"cod_produto": "A", "data_programacao": f.dia(1).isoformat(), "qtd_programada": 1}
    assert cliente_comum.post(URL, novo, content_type="application/json").status_code == 403
    assert (
        cliente_comum.patch(f"{URL}/{prog.pk}", {"qtd_programada": 2}, content_type="application/json").status_code
        == 403
    )
    assert cliente_comum.delete(f"{URL}/{prog.pk}").status_code == 403
    comum.user_permissions.add(Permission.objects.get(codename="delete_programacaoproducao"))
    assert cliente_comum.delete(f"{URL}/999999").status_code == 404
    assert cliente_comum.delete(f"{URL}/{prog.pk}").status_code == 204
    client.logout()
    assert client.post(URL, novo, content_type="application/json").status_code == 401
    assert client.get(URL).status_code == 401
