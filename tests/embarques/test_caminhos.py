"""Every path (page, API, spreadsheet import, admin) goes through the same services."""

from decimal import Decimal
from io import BytesIO
from unittest import mock

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from carteira.models import CarteiraPrincipal, Separacao
from core.importacoes import servico
from core.models import Importacao
from embarques import faturamento, services
from embarques.models import Embarque, EmbarqueItem, FaturamentoLote
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
D = Decimal


def saldo(cod):
    return EstoqueTempoReal.objects.get(cod_produto=cod).saldo_atual


def mensagens(resposta):
    return [str(m) for m in get_messages(resposta.wsgi_request)]


def xlsx(linhas) -> SimpleUploadedFile:
    livro = openpyxl.Workbook()
    for linha in linhas:
        livro.active.append(linha)
    saida = BytesIO()
    livro.save(saida)
    return SimpleUploadedFile("nfs.xlsx", saida.getvalue())


# ---------------------------------------------------------------- page


def test_pagina_lista_embarques_lotes_pesos_e_pallets(lote_embarcado, cliente_papel):
    cliente = cliente_papel("Expedição")
    resposta = cliente.get("/embarques/")
    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert "Embarque 1" in html and "TRANSPORTES XYZ" in html and "L1" in html and "PED1" in html
    assert "Peso: 75 kg" in html and "Pallets: 0,5" in html
    assert f.dia(2).strftime("%d/%m/%Y") in html
    assert "<script>" not in html and "style=" not in html  # strict CSP


def test_pagina_registra_e_cancela_nf_pelo_servico(lote_embarcado, cliente_papel):
    cliente = cliente_papel("Expedição")
    with mock.patch.object(faturamento, "registrar_faturamento", wraps=faturamento.registrar_faturamento) as espiao:
        resposta = cliente.post(
            "/embarques/",
            {
                "acao": "faturar",
                "separacao_lote_id": "L1",
                "nota_fiscal": "321",
                "produto": ["A", "B"],
                "qtd": ["10", "0"],
            },
        )
    assert resposta.status_code == 302
    assert espiao.call_count == 1
    assert "NF 321 registrada para o lote L1." in mensagens(resposta)
    assert (saldo("A"), saldo("B")) == (D(190), D(100))
    resposta = cliente.post("/embarques/", {"acao": "cancelar_nf", "separacao_lote_id": "L1", "nota_fiscal": "321"})
    assert "NF 321 do lote L1 cancelada." in mensagens(resposta)
    assert saldo("A") == D(200)
    assert diferencas_com_derivados() == []


def test_pagina_monta_embarque(db, cliente_papel):
    f.produto("A")
    f.separacao("A", 5, lote="L7", pedido="PED7")
    cliente = cliente_papel("Expedição")
    cliente.post(
        "/embarques/", {"acao": "criar", "transportadora": "T1", "data_prevista_embarque": f.dia(1).isoformat()}
    )
    emb = Embarque.objects.get()
    assert "L7" in cliente.get("/embarques/").content.decode()  # offered as a free lote
    cliente.post("/embarques/", {"acao": "adicionar", "embarque": emb.pk, "separacao_lote_id": "L7"})
    assert Separacao.objects.get().status == "COTADO"
    resposta = cliente.post("/embarques/", {"acao": "adicionar", "embarque": emb.pk, "separacao_lote_id": "L7"})
    assert any("já está no Embarque 1" in m for m in mensagens(resposta))
    cliente.post("/embarques/", {"acao": "embarcar", "embarque": emb.pk})
    assert Separacao.objects.get().status == "EMBARCADO"
    cliente.post("/embarques/", {"acao": "remover", "item": EmbarqueItem.objects.get().pk})
    assert Separacao.objects.get().status == "ABERTO"
    cliente.post("/embarques/", {"acao": "cancelar", "embarque": emb.pk})
    assert Embarque.objects.get().status == "CANCELADO"


def test_pagina_recusa_acao_sem_permissao(lote_embarcado, client, usuario_papel, dar_papel):
    from django.contrib.auth.models import Permission

    usuario = usuario_papel("Comercial")
    usuario.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_embarque", "view_embarqueitem"], content_type__app_label="embarques"
        )
    )
    client.force_login(usuario)
    assert client.get("/embarques/").status_code == 200
    resposta = client.post("/embarques/", {"acao": "faturar", "separacao_lote_id": "L1", "nota_fiscal": "1"})
    assert resposta.status_code == 403
    assert FaturamentoLote.objects.count() == 0


def test_menu_mostra_embarques_para_expedicao_e_nao_para_comercial(db, cliente_papel, client, usuario_papel):
    from acesso.navegacao import secoes

    assert "embarques" in [s["chave"] for s in secoes(usuario_papel("Expedição"))]
    assert "embarques" not in [s["chave"] for s in secoes(usuario_papel("Comercial"))]


# ---------------------------------------------------------------- API


def test_api_registra_duplicada_e_cancela(lote_embarcado, cliente_papel):
    cliente = cliente_papel("Expedição")
    corpo = {"separacao_lote_id": "L1", "nota_fiscal": "900", "itens": [{"cod_produto": "A", "qtd_faturada": 12.5}]}
    with mock.patch.object(faturamento, "registrar_faturamento", wraps=faturamento.registrar_faturamento) as espiao:
        r1 = cliente.post("/api/embarques/faturamento", corpo, content_type="application/json")
        r2 = cliente.post("/api/embarques/faturamento", corpo, content_type="application/json")
    assert espiao.call_count == 2
    assert r1.status_code == 201 and r1.json()["criado"] is True
    assert r2.status_code == 200 and r2.json()["criado"] is False and "nada foi alterado" in r2.json()["mensagem"]
    itens = {i["cod_produto"]: i for i in r1.json()["faturamento"]["itens"]}
    assert (itens["A"]["qtd_faturada"], itens["B"]["qtd_faturada"]) == (12.5, 20)  # B defaults to its separação
    assert (saldo("A"), saldo("B")) == (D("187.5"), D(80))
    r3 = cliente.post(
        "/api/embarques/faturamento/cancelar",
        {"separacao_lote_id": "L1", "nota_fiscal": "900"},
        content_type="application/json",
    )
    assert r3.status_code == 200 and r3.json()["status"] == "CANCELADO"
    assert (saldo("A"), saldo("B")) == (D(200), D(100))
    assert diferencas_com_derivados() == []


@pytest.mark.parametrize(
    "corpo",
    [
        {"separacao_lote_id": "L1"},
        {"separacao_lote_id": "L1", "nota_fiscal": "1", "itens": [{"cod_produto": "A", "qtd_faturada": "3"}]},
        {"separacao_lote_id": "L1", "nota_fiscal": "1", "itens": [{"cod_produto": "A", "qtd_faturada": -1}]},
        {"separacao_lote_id": "L1", "nota_fiscal": "1", "itens": [{"cod_produto": "A", "qtd_faturada": 1}] * 2},
        {"separacao_lote_id": "L1", "nota_fiscal": "1", "itens": [{"cod_produto": "A", "qtd_faturada": 99}]},
        {"separacao_lote_id": "L1", "nota_fiscal": "x" * 21},
    ],
)
def test_api_recusa_entrada_invalida(lote_embarcado, cliente_papel, corpo):
    resposta = cliente_papel("Expedição").post("/api/embarques/faturamento", corpo, content_type="application/json")
    assert resposta.status_code == 400
    assert FaturamentoLote.objects.count() == 0 and saldo("A") == D(200)


def test_api_sem_permissao(lote_embarcado, cliente_papel, client):
    corpo = {"separacao_lote_id": "L1", "nota_fiscal": "1"}
    assert client.post("/api/embarques/faturamento", corpo, content_type="application/json").status_code == 401
    resposta = cliente_papel("Comercial").post("/api/embarques/faturamento", corpo, content_type="application/json")
    assert resposta.status_code == 403


# ---------------------------------------------------------------- spreadsheet


def _dois_lotes():
    f.separacao("A", 10, k=2, lote="L2", pedido="PED1")
    emb = services.criar_embarque()
    services.adicionar_lote(emb.pk, "L2")
    services.marcar_embarcado(emb.pk)


def _importar(cliente, planilha):
    """Upload, then confirm when the preview allows it: (the import, the messages of the confirmation)."""
    resposta = cliente.post("/importacoes/faturamento/", {"arquivo": planilha})
    assert resposta.status_code == 302, resposta.content.decode()[:2000]
    importacao = Importacao.objects.order_by("-pk").first()
    if importacao.status != Importacao.Status.PREVIA:
        return importacao, []
    textos = mensagens(cliente.post(f"/importacoes/{importacao.pk}/confirmar"))
    importacao.refresh_from_db()
    return importacao, textos


def test_importacao_registra_pelo_servico(lote_embarcado, cliente_papel):
    _dois_lotes()
    planilha = xlsx(
        [["NF", "Lote", "Produto", "Qtd"], ["100", "L1", "A", 30], ["100", "L1", "B", "15,5"], [200, "L2", "A", 10]]
    )
    with mock.patch.object(faturamento, "registrar_faturamento", wraps=faturamento.registrar_faturamento) as espiao:
        importacao, textos = _importar(cliente_papel("Expedição"), planilha)
    # two lotes, three times: the preview checks them (rolled back), the confirmation checks them again, then writes
    assert espiao.call_count == 6
    assert "Importação aplicada." in textos and "2 NF(s) registrada(s)" in importacao.resultado
    assert (saldo("A"), saldo("B")) == (D(160), D("84.5"))
    assert CarteiraPrincipal.objects.get(cod_produto="A").qtd_saldo_produto_pedido == D(60)
    assert set(FaturamentoLote.objects.values_list("separacao_lote_id", "nota_fiscal", "importacao")) == {
        ("L1", "100", importacao.pk),
        ("L2", "200", importacao.pk),
    }
    assert diferencas_com_derivados() == []
    servico.desfazer(importacao.pk, "exp")  # undo: the NFs it registered are cancelled exactly
    assert (saldo("A"), saldo("B")) == (D(200), D(100))
    assert FaturamentoLote.objects.filter(status="ATIVO").count() == 0
    assert diferencas_com_derivados() == []


def test_importacao_produto_fora_da_planilha_nao_foi_faturado(lote_embarcado, cliente_papel):
    _importar(cliente_papel("Expedição"), xlsx([["nf", "lote", "produto", "qtd"], ["100", "L1", "A", 30]]))
    assert (saldo("A"), saldo("B")) == (D(170), D(100))


def test_importacao_tudo_ou_nada_com_linhas(lote_embarcado, cliente_papel):
    _dois_lotes()
    planilha = xlsx(
        [
            ["NF", "lote", "produto", "qtd"],
            ["100", "L1", "A", 30],  # fine alone
            ["200", "L2", "A", 999],  # more than separated
            ["", "L3", "A", "x"],
        ]
    )
    cliente = cliente_papel("Expedição")
    importacao, _ = _importar(cliente, planilha)
    assert importacao.status == Importacao.Status.RECUSADA
    assert {(e["linha"], e["coluna"]) for e in importacao.erros} >= {(4, "NF"), (4, "Quantidade faturada")}
    assert FaturamentoLote.objects.count() == 0 and saldo("A") == D(200)
    planilha = xlsx([["NF", "lote", "produto", "qtd"], ["100", "L1", "A", 30], ["200", "L2", "A", 999]])
    importacao, _ = _importar(cliente, planilha)
    assert importacao.status == Importacao.Status.RECUSADA
    assert [(e["linha"], e["valor"]) for e in importacao.erros] == [(3, "L2")]
    assert "999" in importacao.erros[0]["mensagem"]
    assert FaturamentoLote.objects.count() == 0 and saldo("A") == D(200)
    assert MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO").count() == 0
    assert diferencas_com_derivados() == []


def test_importacao_colunas_e_arquivo(lote_embarcado, cliente_papel):
    cliente = cliente_papel("Expedição")
    importacao, _ = _importar(cliente, xlsx([["NF", "lote", "produto"], ["1", "L1", "A"]]))
    assert "Quantidade faturada (qtd)" in importacao.erros[0]["mensagem"]
    importacao, _ = _importar(cliente, SimpleUploadedFile("nfs.xlsx", b"nao e zip"))
    assert importacao.status == Importacao.Status.RECUSADA
    importacao, _ = _importar(
        cliente, xlsx([["NF", "lote", "produto", "qtd"], ["1", "L1", "A", 1], ["2", "L1", "B", 1]])
    )
    assert "NFs 1 e 2" in importacao.erros[0]["mensagem"]


def test_api_registrar_com_poucas_consultas(lote_embarcado, cliente_papel, django_assert_max_num_queries):
    cliente = cliente_papel("Expedição")
    corpo = {"separacao_lote_id": "L1", "nota_fiscal": "900"}
    # Two products: per product a movement, its derivation and the carteira line (~75 on SQLite;
    # PostgreSQL adds its row and advisory locks). A bound, so a per-row loop over the lote's history shows.
    with django_assert_max_num_queries(100):
        assert cliente.post("/api/embarques/faturamento", corpo, content_type="application/json").status_code == 201
    with django_assert_max_num_queries(15):
        assert cliente.post("/api/embarques/faturamento", corpo, content_type="application/json").status_code == 200


def test_ids_acima_de_mil_sem_separador_de_milhar(db, cliente_papel):
    """Pages format numbers with "." for thousands: an id in a form or an attribute must not be
    "1.234" (the post would name no embarque), nor the embarque number in its heading."""
    from embarques.models import Embarque

    f.produto("A")
    f.movimento("A", 100)
    f.linha_carteira("PED9", "A", 50)
    f.separacao("A", 10, k=2, lote="L9", pedido="PED9")
    Embarque.objects.create(pk=1234, numero=5678, transportadora="T")
    cliente = cliente_papel("Expedição")
    html = cliente.get("/embarques/").content.decode()
    assert 'name="embarque" value="1234"' in html and "1.234" not in html
    assert "Embarque 5678" in html and "5.678" not in html
    resposta = cliente.post("/embarques/", {"acao": "adicionar", "embarque": "1234", "separacao_lote_id": "L9"})
    assert resposta.status_code == 302
    assert Embarque.objects.get(pk=1234).itens.filter(separacao_lote_id="L9").exists()
