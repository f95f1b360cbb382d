"""/carteira/pedidos/: filters and sort in the URL, pt-BR errors, criticidade from stored analyses."""

from datetime import timedelta

import pytest
from django.utils import timezone

from carteira.models import AnaliseRuptura, AnaliseRupturaLote
from tests import fabricas as f

pytestmark = pytest.mark.django_db

URL = "/carteira/pedidos/"


@pytest.fixture
def pedidos():
    for cod in "AB":
        f.produto(cod)
    f.linha_carteira(
        "P1",
        "A",
        10,
        preco="1.00",
        estado="SP",
        municipio="Campinas",
        vendedor="Vera",
        status_pedido="Pedido de venda",
        data_entrega_pedido=f.dia(5),
    )
    f.linha_carteira(
        "P2",
        "A",
        10,
        preco="50.00",
        estado="MG",
        municipio="Uberlândia",
        vendedor="Caio",
        status_pedido="Cotação",
        data_entrega_pedido=f.dia(2),
    )
    f.linha_carteira(
        "P3",
        "B",
        10,
        preco="5.00",
        estado="SP",
        municipio="Santos",
        vendedor="Vera",
        status_pedido="Pedido de venda",
        data_entrega_pedido=f.dia(9),
    )
    analise = AnaliseRuptura.objects.create(total_pedidos=3, total_lotes=1)
    AnaliseRupturaLote.objects.create(
        analise=analise,
        indice=0,
        pedidos=["P1", "P2", "P3"],
        resultados=[
            {"num_pedido": "P1", "pedido_ok": True, "criticidade": "BAIXA"},
            {"num_pedido": "P2", "pedido_ok": False, "criticidade": "CRITICA"},
            {"num_pedido": "P3", "pedido_ok": False, "criticidade": "MEDIA"},
        ],
        concluido_em=timezone.now(),
    )


def numeros(resposta):
    return [p.num_pedido for p in resposta.context["pedidos"]]


@pytest.mark.parametrize(
    ("consulta", "esperado"),
    [
        ("", ["P1", "P2", "P3"]),
        ("uf=sp", ["P1", "P3"]),
        ("cidade=uberl", ["P2"]),
        ("vendedor=vera&uf=SP", ["P1", "P3"]),
        ("status=Cota%C3%A7%C3%A3o", ["P2"]),
        (f"entrega_de={f.dia(3)}&entrega_ate={f.dia(6)}", ["P1"]),
        ("entrega_ate=" + f.dia(4).strftime("%d/%m/%Y"), ["P2"]),
        ("criticidade=CRITICA", ["P2"]),
        ("criticidade=OK", ["P1"]),
        ("disponivel_hoje=1", ["P1"]),
        ("ordem=criticidade", ["P2", "P3", "P1"]),
        ("ordem=entrega", ["P2", "P1", "P3"]),
        ("ordem=-valor", ["P2", "P3", "P1"]),
        ("ordem=valor&uf=SP", ["P1", "P3"]),
    ],
)
def test_filtros_e_ordem(cliente_papel, pedidos, consulta, esperado):
    resposta = cliente_papel("Comercial").get(f"{URL}?{consulta}")
    assert resposta.status_code == 200
    assert numeros(resposta) == esperado


def test_estado_do_filtro_fica_no_formulario(cliente_papel, pedidos):
    html = cliente_papel("Comercial").get(f"{URL}?cidade=Santos&disponivel_hoje=1").content.decode()
    assert 'name="cidade" value="Santos"' in html
    assert 'id="id_disponivel_hoje" name="disponivel_hoje" value="1" checked' in html
    assert 'href="/carteira/pedidos/P1/"' not in html  # P1 is not in Santos


@pytest.mark.parametrize(
    ("consulta", "texto"),
    [
        ("entrega_de=31/02/2026", "Data inválida: use aaaa-mm-dd ou dd/mm/aaaa."),
        ("entrega_de=1900-01-01", "Entrega de:"),
        (f"entrega_de={f.dia(5)}&entrega_ate={f.dia(1)}", "anterior à data"),
        ("criticidade=PESSIMA", "Criticidade:"),
        ("disponivel_hoje=talvez", "Use 1 (ou true)"),
    ],
)
def test_entrada_ruim_da_erro_em_portugues(cliente_papel, pedidos, consulta, texto):
    resposta = cliente_papel("Comercial").get(f"{URL}?{consulta}")
    assert resposta.status_code == 400
    assert texto in " ".join(resposta.context["erros_filtro"])


def test_analise_velha_nao_conta(cliente_papel, pedidos):
    AnaliseRupturaLote.objects.update(concluido_em=timezone.now() - timedelta(days=2))
    assert numeros(cliente_papel("Comercial").get(f"{URL}?criticidade=CRITICA")) == []


def test_paginacao_mantem_os_filtros(cliente_papel, pedidos, monkeypatch):
    monkeypatch.setattr("carteira.ruptura.selectors.POR_PAGINA", 1)
    html = cliente_papel("Comercial").get(f"{URL}?uf=SP").content.decode()
    assert "uf=SP&amp;pagina=2" in html


def test_linha_leva_ao_pedido(cliente_papel, pedidos):
    html = cliente_papel("Comercial").get(URL).content.decode()
    assert 'href="/carteira/pedidos/P2/"' in html and 'data-url-pedido="/carteira/pedidos/__PEDIDO__/"' in html
