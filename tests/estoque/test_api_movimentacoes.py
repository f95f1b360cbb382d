"""Stock movement writes: create, edit, cancel; visible on the next read; bad input writes nothing."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token

from estoque.models import EstoqueTempoReal, MovimentacaoEstoque
from tests import fabricas as f
from tests.fabricas import corpo
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db

URL = "/api/estoque/movimentacoes"


def estoque(cliente, cod):
    return corpo(cliente.get(f"/api/estoque/tempo-real/produto/{cod}"))["estoque_atual"]


@pytest.fixture
def produtos():
    f.produto("A", "PRODUTO A")
    f.produto("C")
    f.unificar("B", "C")  # B is known only through the unification


def test_criar_editar_cancelar_visivel_na_leitura_seguinte(cliente_staff, produtos):
    resposta = cliente_staff.post(
        URL,
        {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 100, "observacao": "NF 123"},
        content_type="application/json",
    )
    assert resposta.status_code == 201
    mov = corpo(resposta)
    assert (mov["qtd_movimentacao"], mov["data_movimentacao"], mov["nome_produto"], mov["ativo"]) == (
        Decimal("100"),
        f.hoje().isoformat(),
        "PRODUTO A",
        True,
    )
    assert mov["criado_por"] == "staff"
    assert estoque(cliente_staff, "A") == Decimal("100")

    saida = corpo(
        cliente_staff.post(
            URL,
            {
                "cod_produto": "A",
                "tipo_movimentacao": "SAIDA",
                "qtd_movimentacao": -30.5,
                "data_movimentacao": f.dia(-1).isoformat(),
            },
            content_type="application/json",
        )
    )
    assert estoque(cliente_staff, "A") == Decimal("69.5")

    editada = cliente_staff.patch(f"{URL}/{saida['id']}", {"qtd_movimentacao": -40}, content_type="application/json")
    assert editada.status_code == 200
    assert estoque(cliente_staff, "A") == Decimal("60")

    # Moving it to another product moves the stock with it (B resolves to group B/C).
    cliente_staff.patch(f"{URL}/{saida['id']}", {"cod_produto": "B"}, content_type="application/json")
    assert estoque(cliente_staff, "A") == Decimal("100")
    assert estoque(cliente_staff, "C") == Decimal("-40")

    cancelada = cliente_staff.post(f"{URL}/{saida['id']}/cancelar")
    assert cancelada.status_code == 200 and corpo(cancelada)["ativo"] is False
    assert estoque(cliente_staff, "C") == Decimal("0")
    assert cliente_staff.post(f"{URL}/{saida['id']}/cancelar").status_code == 200  # idempotent
    assert corpo(cliente_staff.get(f"{URL}/{saida['id']}"))["ativo"] is False
    assert diferencas_com_derivados() == []


def test_ajuste_aceita_qualquer_sinal(cliente_staff, produtos):
    for qtd in (5, -8):
        resposta = cliente_staff.post(
            URL,
            {"cod_produto": "C", "tipo_movimentacao": "AJUSTE", "qtd_movimentacao": qtd},
            content_type="application/json",
        )
        assert resposta.status_code == 201
    assert estoque(cliente_staff, "B") == Decimal("-3")


@pytest.mark.parametrize(
    "dados, campo",
    [
        ({"cod_produto": "NAO-EXISTE", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1}, "cod_produto"),
        ({"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 0}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "AJUSTE", "qtd_movimentacao": 0}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": -1}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "PRODUCAO", "qtd_movimentacao": -1}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "SAIDA", "qtd_movimentacao": 1}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "FATURAMENTO", "qtd_movimentacao": 1}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "ROUBO", "qtd_movimentacao": 1}, "tipo_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": "muito"}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1e12}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 0.0001}, "qtd_movimentacao"),
        ({"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": "5"}, "qtd_movimentacao"),
        ({"cod_produto": 7, "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 5}, "cod_produto"),
        (
            {
                "cod_produto": "A",
                "tipo_movimentacao": "ENTRADA",
                "qtd_movimentacao": 1,
                "data_movimentacao": "31/12/2025",
            },
            "data_movimentacao",
        ),
        (
            {
                "cod_produto": "A",
                "tipo_movimentacao": "ENTRADA",
                "qtd_movimentacao": 1,
                "data_movimentacao": "2025-02-30",
            },
            "data_movimentacao",
        ),
        ({"tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1}, "cod_produto"),
    ],
)
def test_criar_400_nomeia_o_campo_e_nada_grava(cliente_staff, produtos, dados, campo):
    derivados = list(EstoqueTempoReal.objects.values_list("cod_produto", "saldo_atual"))
    resposta = cliente_staff.post(URL, dados, content_type="application/json")
    assert resposta.status_code == 400
    assert campo in corpo(resposta)
    assert MovimentacaoEstoque.objects.count() == 0
    assert list(EstoqueTempoReal.objects.values_list("cod_produto", "saldo_atual")) == derivados


def test_mensagens_em_portugues(cliente_staff, produtos):
    resposta = cliente_staff.post(
        URL, {"cod_produto": "A", "tipo_movimentacao": "SAIDA", "qtd_movimentacao": 3}, content_type="application/json"
    )
    assert corpo(resposta)["qtd_movimentacao"] == ["Saída exige quantidade negativa."]
    resposta = cliente_staff.post(
        URL,
        {"cod_produto": "X", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 3},
        content_type="application/json",
    )
    assert "não encontrado" in corpo(resposta)["cod_produto"][0]


def test_editar_400_nada_muda(cliente_staff, produtos):
    mov = f.movimento("A", 10)
    for dados, campo in [
        ({"qtd_movimentacao": -5}, "qtd_movimentacao"),
        ({"tipo_movimentacao": "SAIDA"}, "qtd_movimentacao"),
        ({"cod_produto": "NAO-EXISTE"}, "cod_produto"),
        ({"data_movimentacao": "ontem"}, "data_movimentacao"),
        ({"tipo_movimentacao": "XYZ"}, "tipo_movimentacao"),
    ]:
        resposta = cliente_staff.patch(f"{URL}/{mov.pk}", dados, content_type="application/json")
        assert resposta.status_code == 400, dados
        assert campo in corpo(resposta)
    mov.refresh_from_db()
    assert (mov.cod_produto, mov.qtd_movimentacao, mov.tipo_movimentacao) == ("A", Decimal("10"), "ENTRADA")
    assert estoque(cliente_staff, "A") == Decimal("10")


def test_editar_movimentacao_cancelada_400(cliente_staff, produtos):
    mov = f.movimento("A", 10, ativo=False)
    resposta = cliente_staff.patch(f"{URL}/{mov.pk}", {"qtd_movimentacao": 5}, content_type="application/json")
    assert resposta.status_code == 400
    assert "ativo" in corpo(resposta)


def test_404(cliente_staff):
    assert cliente_staff.get(f"{URL}/999999").status_code == 404
    assert (
        cliente_staff.patch(f"{URL}/999999", {"qtd_movimentacao": 1}, content_type="application/json").status_code
        == 404
    )
    assert cliente_staff.post(f"{URL}/999999/cancelar").status_code == 404


def test_401_e_403(client, cliente_comum, comum, produtos):
    mov = f.movimento("A", 10)
    assert cliente_comum.get(f"{URL}/{mov.pk}").status_code == 403  # not even reading without permission
    comum.user_permissions.add(Permission.objects.get(codename="view_movimentacaoestoque"))
    novo = {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 1}
    assert cliente_comum.post(URL, novo, content_type="application/json").status_code == 403
    assert (
        cliente_comum.patch(f"{URL}/{mov.pk}", {"qtd_movimentacao": 2}, content_type="application/json").status_code
        == 403
    )
    assert cliente_comum.post(f"{URL}/{mov.pk}/cancelar").status_code == 403
    assert cliente_comum.get(f"{URL}/{mov.pk}").status_code == 200  # reading is allowed (view permission)
    assert MovimentacaoEstoque.objects.count() == 1
    client.logout()
    assert client.post(URL, novo, content_type="application/json").status_code == 401
    assert client.get(f"{URL}/{mov.pk}").status_code == 401


def test_permissao_de_modelo_sem_staff(client, comum, produtos):
    """A user with the Django model permissions may write, through a token."""
    comum.user_permissions.add(
        Permission.objects.get(codename="add_movimentacaoestoque"),
        Permission.objects.get(codename="change_movimentacaoestoque"),
    )
    cabecalho = {"HTTP_AUTHORIZATION": f"Token {Token.objects.create(user=comum).key}"}
    resposta = client.post(
        URL,
        {"cod_produto": "A", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 7},
        content_type="application/json",
        **cabecalho,
    )
    assert resposta.status_code == 201
    assert corpo(resposta)["criado_por"] == "comum"
    assert client.post(f"{URL}/{corpo(resposta)['id']}/cancelar", **cabecalho).status_code == 200
