"""Read endpoints of the real-time stock API: numbers equal the oracle, errors, query counts."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from estoque.models import EstoqueTempoReal, MovimentacaoPrevista, ReconciliacaoExecucao
from tests import fabricas as f
from tests.fabricas import corpo
from tests.oracle import calcular

pytestmark = pytest.mark.django_db

CONSULTAR = "/api/estoque/tempo-real/consultar"
ZERO = Decimal("0")


def cenario():
    """Every kind of source row, a unification chain A->B->C and products in each status."""
    f.produto("A", "PRODUTO A")
    f.produto("C", "PRODUTO C")
    f.produto("D", "PRODUTO D")
    f.produto("E", "PRODUTO E")
    f.produto("F", "PRODUTO F")
    f.produto("G", "PRODUTO G")
    f.unificar("A", "B")
    f.unificar("B", "C")
    f.movimento("A", 100)
    f.movimento("B", 50)
    f.movimento("C", -20, tipo="AJUSTE")
    f.movimento("D", 10)
    f.movimento("D", 500, ativo=False)
    f.producao("C", 30, k=2)
    f.producao("D", 5, k=-1)  # production in the past does not count
    f.producao("A", 7, k=40)  # beyond D28
    f.pre_separacao("B", 40, k=1)
    f.pre_separacao("A", 10, k=1, status="ENVIADO_SEPARACAO")
    f.pre_separacao("D", 3, k=5, status="RECOMPOSTO")
    f.separacao("A", 60, k=3, lote="L1")
    f.separacao("C", 20, k=-2, lote="L2")  # overdue: counts on D0
    f.separacao("A", 999, k=2, lote="L3", status="FATURADO")
    f.separacao("A", 888, k=2, lote="L4")
    f.embarque_item("L4", erro="")  # invoice matched: no longer a forecast
    f.separacao("D", 1, lote="L5", expedicao=False)  # no ship date: today
    f.movimento("E", 5)
    f.separacao("E", 10, k=3, lote="L6")  # CRITICO, stock-out on D3
    f.movimento("F", 5)
    f.pre_separacao("F", 10, k=12, pedido="PED2")  # ATENCAO, stock-out on D12
    f.movimento("G", 1)


def conferir_com_oraculo(produto: dict, dias: int):
    hoje = f.hoje()
    oraculo = calcular(hoje)
    principal = oraculo.principal_de(produto["cod_produto"])
    assert produto["cod_principal"] == principal
    assert produto["estoque_atual"] == oraculo.saldo.get(principal, ZERO)
    menor, ruptura = oraculo.d7.get(principal, (ZERO, None))
    assert produto["menor_estoque_d7"] == menor
    assert produto["dia_ruptura"] == (ruptura.isoformat() if ruptura else None)
    esperado = oraculo.projecao(produto["cod_produto"], hoje, dias)
    assert len(produto["projecao"]) == dias + 1
    for dia, (data, inicial, entrada, saida, final) in zip(produto["projecao"], esperado):
        assert dia == {
            "data": data.isoformat(),
            "saldo_inicial": inicial,
            "entrada": entrada,
            "saida": saida,
            "saldo_final": final,
        }
    projecao28 = oraculo.projecao(produto["cod_produto"], hoje, 28)
    negativo = next((k for k, dia in enumerate(projecao28) if dia[4] < 0), None)
    status = "OK" if negativo is None else ("CRITICO" if negativo <= 7 else "ATENCAO")
    assert produto["status"] == status


# ---------------------------------------------------------------- consultar


def test_consultar_iguala_oraculo_em_todos_os_codigos(cliente_staff):
    cenario()
    codigos = ["A", "B", "C", "D", "E", "F", "G"]
    for dias in (0, 7, 28):
        resposta = cliente_staff.post(CONSULTAR, {"produtos": codigos, "dias": dias}, content_type="application/json")
        assert resposta.status_code == 200
        dados = corpo(resposta)
        assert dados["nao_encontrados"] == []
        assert [p["cod_produto"] for p in dados["produtos"]] == codigos
        for produto in dados["produtos"]:
            conferir_com_oraculo(produto, dias)


def test_consultar_qualquer_codigo_do_grupo_da_o_numero_do_grupo(cliente_staff):
    cenario()
    resposta = cliente_staff.post(CONSULTAR, {"produtos": ["C", "B", "A"]}, content_type="application/json")
    produtos = corpo(resposta)["produtos"]
    assert {p["cod_principal"] for p in produtos} == {"A"}
    assert all(p["codigos_unificados"] == ["A", "B", "C"] for p in produtos)
    # 100 + 50 - 20 = 130 now; D0: overdue separação of C (20); D1: pré-separação of B (40)
    assert all(p["estoque_atual"] == Decimal("130") for p in produtos)
    assert produtos[0]["projecao"][0]["saida"] == Decimal("20")
    assert produtos[0]["projecao"][1]["saida"] == Decimal("40")
    assert [p["nome_produto"] for p in produtos] == ["PRODUTO C", "PRODUTO A", "PRODUTO A"]
    assert len(produtos[0]["projecao"]) == 8  # default dias=7


def test_consultar_status_e_d7(cliente_staff):
    cenario()
    resposta = cliente_staff.post(CONSULTAR, {"produtos": ["E", "F", "G"]}, content_type="application/json")
    e, f_, g = corpo(resposta)["produtos"]
    assert (e["status"], e["dia_ruptura"], e["menor_estoque_d7"]) == ("CRITICO", f.dia(3).isoformat(), Decimal("-5"))
    assert (f_["status"], f_["dia_ruptura"]) == ("ATENCAO", None)
    assert (g["status"], g["dia_ruptura"], g["menor_estoque_d7"]) == ("OK", None, Decimal("1"))


def test_consultar_codigos_desconhecidos(cliente_staff):
    cenario()
    resposta = cliente_staff.post(
        CONSULTAR, {"produtos": ["A", "NAO-EXISTE", "A", "X2"], "dias": 1}, content_type="application/json"
    )
    dados = corpo(resposta)
    assert [p["cod_produto"] for p in dados["produtos"]] == ["A"]
    assert dados["nao_encontrados"] == ["NAO-EXISTE", "X2"]


def test_consultar_produto_sem_cadastro_mas_com_estoque_e_conhecido(cliente_staff):
    f.movimento("SEMCAD", 3, nome_produto="SEM CADASTRO")
    dados = corpo(cliente_staff.post(CONSULTAR, {"produtos": ["SEMCAD"]}, content_type="application/json"))
    assert dados["nao_encontrados"] == []
    assert dados["produtos"][0]["estoque_atual"] == Decimal("3")


def test_consultar_produto_cadastrado_sem_movimento(cliente_staff):
    f.produto("NOVO")
    dados = corpo(cliente_staff.post(CONSULTAR, {"produtos": ["NOVO"]}, content_type="application/json"))
    produto = dados["produtos"][0]
    assert (produto["estoque_atual"], produto["status"], produto["atualizado_em"]) == (ZERO, "OK", None)


@pytest.mark.parametrize(
    "corpo_pedido, campo",
    [
        ({"produtos": [f"P{i}" for i in range(501)]}, "produtos"),
        ({"produtos": []}, "produtos"),
        ({}, "produtos"),
        ({"produtos": "A"}, "produtos"),
        ({"produtos": ["A"], "dias": 29}, "dias"),
        ({"produtos": ["A"], "dias": -1}, "dias"),
        ({"produtos": ["A"], "dias": "sete"}, "dias"),
    ],
)
def test_consultar_400(cliente_staff, corpo_pedido, campo):
    resposta = cliente_staff.post(CONSULTAR, corpo_pedido, content_type="application/json")
    assert resposta.status_code == 400
    assert campo in corpo(resposta)


def test_consultar_mais_de_500_mensagem_clara(cliente_staff):
    resposta = cliente_staff.post(CONSULTAR, {"produtos": ["A"] * 501}, content_type="application/json")
    assert resposta.status_code == 400
    assert "No máximo 500 produtos por consulta" in corpo(resposta)["produtos"][0]


def test_consultar_500_codigos_aceito(cliente_staff):
    resposta = cliente_staff.post(
        CONSULTAR, {"produtos": [f"P{i}" for i in range(500)]}, content_type="application/json"
    )
    assert resposta.status_code == 200
    assert len(corpo(resposta)["nao_encontrados"]) == 500


def test_consultar_401_sem_autenticacao(client):
    resposta = client.post(CONSULTAR, {"produtos": ["A"]}, content_type="application/json")
    assert resposta.status_code == 401
    assert resposta["WWW-Authenticate"] == "Token"


def test_consultar_com_token_e_usuario_comum(client, comum, dar_papel):
    f.produto("A")
    token = Token.objects.create(user=comum)

    def consultar():
        return client.post(
            CONSULTAR, {"produtos": ["A"]}, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token.key}"
        )

    assert consultar().status_code == 403  # no role: no stock reading
    dar_papel(comum, "Comercial")
    resposta = consultar()
    assert resposta.status_code == 200


def test_consultar_token_invalido_401(client):
    resposta = client.post(
        CONSULTAR, {"produtos": ["A"]}, content_type="application/json", HTTP_AUTHORIZATION="Token invalido"
    )
    assert resposta.status_code == 401


def _muitos_produtos(n):
    for i in range(n):
        cod = f"Q{i:03d}"
        f.produto(cod)
        f.movimento(cod, 10 + i)
        f.producao(cod, 5, k=i % 28)
        f.pre_separacao(cod, 3, k=(i * 3) % 28)
    for i in range(0, n - 1, 5):
        f.unificar(f"Q{i:03d}", f"Q{i + 1:03d}")


def test_consultar_numero_de_queries_nao_cresce_com_produtos(cliente_staff, django_assert_max_num_queries):
    _muitos_produtos(50)
    contagens = []
    for codigos in (["Q000"], [f"Q{i:03d}" for i in range(50)]):
        with CaptureQueriesContext(connection) as capturadas, django_assert_max_num_queries(6):
            resposta = cliente_staff.post(CONSULTAR, {"produtos": codigos, "dias": 28}, content_type="application/json")
        assert resposta.status_code == 200
        assert len(corpo(resposta)["produtos"]) == len(codigos)
        contagens.append(len(capturadas))
    assert contagens[0] == contagens[1]


def test_consultar_iguala_selector_ingenuo(cliente_staff):
    """The benchmark's reference (computed from the sources) gives the same answer."""
    from benchmarks.naive import consultar_ingenuo

    cenario()
    _muitos_produtos(12)
    codigos = ["A", "B", "C", "D", "E", "F", "G", "NAO"] + [f"Q{i:03d}" for i in range(12)]
    api = corpo(cliente_staff.post(CONSULTAR, {"produtos": codigos, "dias": 28}, content_type="application/json"))
    ingenuo = json.loads(json.dumps(consultar_ingenuo(codigos, 28), default=str), parse_float=Decimal)
    for produto in api["produtos"] + ingenuo["produtos"]:
        produto.pop("atualizado_em")
    for produto in ingenuo["produtos"]:
        for campo in ("estoque_atual", "menor_estoque_d7"):
            produto[campo] = Decimal(produto[campo])
        for dia in produto["projecao"]:
            for campo in ("saldo_inicial", "entrada", "saida", "saldo_final"):
                dia[campo] = Decimal(dia[campo])
    assert api == ingenuo


# ---------------------------------------------------------------- produto / projecao


def test_produto_e_projecao(cliente_staff):
    cenario()
    produto = corpo(cliente_staff.get("/api/estoque/tempo-real/produto/B"))
    assert produto["cod_produto"] == "B"
    conferir_com_oraculo(produto, 7)
    projecao = corpo(cliente_staff.get("/api/estoque/tempo-real/projecao/C"))
    assert len(projecao["projecao"]) == 29
    conferir_com_oraculo(projecao, 28)
    curta = corpo(cliente_staff.get("/api/estoque/tempo-real/projecao/E?dias=3"))
    assert len(curta["projecao"]) == 4
    conferir_com_oraculo(curta, 3)


@pytest.mark.parametrize("url", ["/api/estoque/tempo-real/produto/", "/api/estoque/tempo-real/projecao/"])
def test_produto_e_projecao_erros(client, cliente_comum, comum, dar_papel, url):
    f.produto("A")
    assert cliente_comum.get(url + "A").status_code == 403  # no role
    dar_papel(comum, "Comercial")
    assert cliente_comum.get(url + "NAO-EXISTE").status_code == 404
    assert "NAO-EXISTE" in corpo(cliente_comum.get(url + "NAO-EXISTE"))["detail"]
    assert cliente_comum.get(url + "A?dias=29").status_code == 400
    assert cliente_comum.get(url + "A?dias=x").status_code == 400
    assert cliente_comum.get(url + "A").status_code == 200
    client.logout()
    assert client.get(url + "A").status_code == 401


# ---------------------------------------------------------------- rupturas


def test_rupturas_ordem_e_dias(cliente_staff):
    cenario()
    f.movimento("H", -2, tipo="AJUSTE")  # already negative: D0
    oraculo = calcular(f.hoje())
    d7 = corpo(cliente_staff.get("/api/estoque/tempo-real/rupturas?dias=7"))
    assert [r["cod_produto"] for r in d7["results"]] == ["H", "E"]
    assert d7["count"] == 2
    h, e = d7["results"]
    assert (h["dia_ruptura"], h["dias_ate_ruptura"], h["estoque_atual"]) == (f.hoje().isoformat(), 0, Decimal("-2"))
    assert (e["dia_ruptura"], e["dias_ate_ruptura"], e["status"], e["nome_produto"]) == (
        f.dia(3).isoformat(),
        3,
        "CRITICO",
        "PRODUTO E",
    )
    assert e["menor_estoque"] == min(dia[4] for dia in oraculo.projecao("E", f.hoje(), 7))
    d28 = corpo(cliente_staff.get("/api/estoque/tempo-real/rupturas?dias=28"))
    assert [r["cod_produto"] for r in d28["results"]] == ["H", "E", "F"]
    assert d28["results"][2]["dias_ate_ruptura"] == 12
    assert d28["results"][2]["status"] == "ATENCAO"
    d2 = corpo(cliente_staff.get("/api/estoque/tempo-real/rupturas?dias=2"))
    assert [r["cod_produto"] for r in d2["results"]] == ["H"]


def test_rupturas_iguala_oraculo(cliente_staff):
    cenario()
    _muitos_produtos(30)
    for i in range(0, 30, 4):
        f.separacao(f"Q{i:03d}", 100 + i, k=i % 20, lote=f"R{i}")
    hoje = f.hoje()
    oraculo = calcular(hoje)
    principais = {oraculo.principal_de(c) for c in ["A", "D", "E", "F", "G"] + [f"Q{i:03d}" for i in range(30)]}
    for dias in (0, 7, 28):
        esperado = []
        for cod in principais:
            projecao = oraculo.projecao(cod, hoje, dias)
            dia = next((d[0] for d in projecao if d[4] < 0), None)
            if dia:
                esperado.append((dia, min(d[4] for d in projecao), cod))
        esperado.sort()
        dados = corpo(cliente_staff.get(f"/api/estoque/tempo-real/rupturas?dias={dias}&page_size=500"))
        assert [(r["dia_ruptura"], r["cod_produto"]) for r in dados["results"]] == [
            (d.isoformat(), c) for d, _, c in esperado
        ]


def test_rupturas_paginadas(cliente_staff):
    for i in range(7):
        f.produto(f"R{i}")
        f.movimento(f"R{i}", -1 - i, tipo="AJUSTE")
    pagina1 = corpo(cliente_staff.get("/api/estoque/tempo-real/rupturas?page_size=3"))
    assert pagina1["count"] == 7 and len(pagina1["results"]) == 3 and pagina1["previous"] is None
    # Same day: the deepest stock-out first.
    assert [r["cod_produto"] for r in pagina1["results"]] == ["R6", "R5", "R4"]
    pagina3 = corpo(cliente_staff.get("/api/estoque/tempo-real/rupturas?page_size=3&page=3"))
    assert [r["cod_produto"] for r in pagina3["results"]] == ["R0"]
    assert pagina3["next"] is None


def test_rupturas_erros(client, cliente_comum, comum, dar_papel):
    assert cliente_comum.get("/api/estoque/tempo-real/rupturas").status_code == 403  # no role
    dar_papel(comum, "Comercial")
    assert cliente_comum.get("/api/estoque/tempo-real/rupturas").status_code == 200
    assert cliente_comum.get("/api/estoque/tempo-real/rupturas?dias=40").status_code == 400
    assert cliente_comum.get("/api/estoque/tempo-real/rupturas?page=99").status_code == 404
    client.logout()
    assert client.get("/api/estoque/tempo-real/rupturas").status_code == 401


def test_rupturas_numero_de_queries(cliente_staff, django_assert_max_num_queries):
    _muitos_produtos(40)
    for i in range(40):
        f.separacao(f"Q{i:03d}", 1000, k=i % 28, lote=f"S{i}")
    with django_assert_max_num_queries(8):
        resposta = cliente_staff.get("/api/estoque/tempo-real/rupturas?dias=28&page_size=500")
    assert corpo(resposta)["count"] > 20


# ---------------------------------------------------------------- estatisticas


def test_estatisticas(cliente_staff):
    cenario()
    f.movimento("H", -2, tipo="AJUSTE")
    dados = corpo(cliente_staff.get("/api/estoque/tempo-real/estatisticas"))
    assert dados["data_referencia"] == f.hoje().isoformat()
    assert dados["total_produtos"] == EstoqueTempoReal.objects.count() == 6  # A (group), D, E, F, G, H
    assert dados["por_status"] == {"CRITICO": 2, "ATENCAO": 1, "OK": 3}
    assert (dados["em_ruptura_d7"], dados["em_ruptura_d28"], dados["estoque_negativo"]) == (2, 3, 1)
    assert dados["ultima_reconciliacao"] is None


def test_estatisticas_mostra_ultima_reconciliacao_e_drift(cliente_staff):
    from estoque.services.reconciliacao import reconciliar

    cenario()
    reconciliar(origem=ReconciliacaoExecucao.Origem.COMANDO)  # clean run
    EstoqueTempoReal.objects.filter(cod_produto="D").update(saldo_atual=Decimal("999"))  # drift
    execucao, _ = reconciliar(origem=ReconciliacaoExecucao.Origem.COMANDO)
    dados = corpo(cliente_staff.get("/api/estoque/tempo-real/estatisticas"))
    ultima = dados["ultima_reconciliacao"]
    assert ultima["execucao"]["id"] == execucao.id
    assert ultima["execucao"]["produtos_corrigidos"] == 1
    assert ultima["total_reparos"] >= 1
    reparo = next(r for r in ultima["reparos"] if r["cod_produto"] == "D" and r["campo"] == "saldo_atual")
    assert (Decimal(reparo["antes"]), Decimal(reparo["depois"])) == (Decimal("999"), Decimal("10"))


def test_estatisticas_401(client):
    assert client.get("/api/estoque/tempo-real/estatisticas").status_code == 401


# ---------------------------------------------------------------- recalcular


def test_recalcular_corrige_e_devolve_o_que_mudou(cliente_staff):
    cenario()
    EstoqueTempoReal.objects.filter(cod_produto="A").update(saldo_atual=Decimal("1"))
    MovimentacaoPrevista.objects.filter(cod_produto="A", data_prevista=f.dia(3)).delete()
    resposta = cliente_staff.post("/api/estoque/tempo-real/recalcular/C")
    assert resposta.status_code == 200
    dados = corpo(resposta)
    assert (dados["cod_produto"], dados["cod_principal"], dados["corrigido"]) == ("C", "A", True)
    campos = {a["campo"]: (a["antes"], a["depois"]) for a in dados["alteracoes"]}
    assert tuple(map(Decimal, campos["saldo_atual"])) == (Decimal("1"), Decimal("130"))
    assert f"prevista {f.dia(3):%d/%m/%Y}" in campos
    assert dados["execucao"]["origem"] == "API"
    conferir_com_oraculo(dados["produto"], 28)
    # Nothing left to fix.
    de_novo = corpo(cliente_staff.post("/api/estoque/tempo-real/recalcular/A"))
    assert (de_novo["corrigido"], de_novo["alteracoes"]) == (False, [])


def test_recalcular_permissoes(client, cliente_comum, comum):
    f.produto("A")
    url = "/api/estoque/tempo-real/recalcular/A"
    assert cliente_comum.post(url).status_code == 403
    comum.user_permissions.add(Permission.objects.get(codename="change_estoquetemporeal"))
    assert cliente_comum.post(url).status_code == 200
    assert cliente_comum.post("/api/estoque/tempo-real/recalcular/NAO-EXISTE").status_code == 404
    client.logout()
    assert client.post(url).status_code == 401


def test_recalcular_404(cliente_staff):
    assert cliente_staff.post("/api/estoque/tempo-real/recalcular/NAO-EXISTE").status_code == 404
    assert ReconciliacaoExecucao.objects.count() == 0


def test_rupturas_dia_de_hoje_conta_saidas_atrasadas(cliente_staff):
    f.produto("Z")
    f.movimento("Z", 5)
    f.separacao("Z", 8, k=-3, lote="ATRASADO")
    dados = corpo(cliente_staff.get("/api/estoque/tempo-real/rupturas"))
    assert [(r["cod_produto"], r["dias_ate_ruptura"]) for r in dados["results"]] == [("Z", 0)]


@pytest.mark.parametrize(
    "url",
    [
        "/api/estoque/tempo-real/produto/A%00",
        "/api/estoque/tempo-real/projecao/%00",
        "/api/carteira/pedidos/%00/workspace",
        "/api/estoque/tempo-real/produto/" + "X" * 51,
        "/api/estoque/movimentacoes/abc",
        "/api/estoque/movimentacoes/0",
        "/api/estoque/movimentacoes/99999999999999999999999",
    ],
)
def test_caminhos_malformados_404_json(cliente_staff, url):
    """No 500 on PostgreSQL (NUL bytes) and no HTML page: a JSON 404."""
    resposta = cliente_staff.get(url)
    assert resposta.status_code == 404
    assert resposta["Content-Type"] == "application/json"


def test_consultar_caracteres_invalidos_400(cliente_staff):
    resposta = cliente_staff.post(CONSULTAR, '{"produtos": ["A\\u0000"]}', content_type="application/json")
    assert resposta.status_code == 400
    resposta = cliente_staff.post(CONSULTAR, '{"produtos": [7]}', content_type="application/json")
    assert resposta.status_code == 400


def test_sessao_sem_csrf_403(client, comum):
    """Session-authenticated POSTs need the CSRF token (a browser page can't be tricked into them)."""
    from django.test import Client

    f.produto("A")
    navegador = Client(enforce_csrf_checks=True)
    navegador.force_login(comum)
    resposta = navegador.post(CONSULTAR, {"produtos": ["A"]}, content_type="application/json")
    assert resposta.status_code == 403
    assert "CSRF" in corpo(resposta)["detail"]


@pytest.mark.parametrize("consulta", ["page=", "page=0", "page=x", "page_size=", "page_size=-1", "page_size=2.5"])
def test_rupturas_paginacao_malformada_400(cliente_staff, consulta):
    resposta = cliente_staff.get(f"/api/estoque/tempo-real/rupturas?{consulta}")
    assert resposta.status_code == 400
    assert consulta.split("=")[0] in corpo(resposta)


@pytest.mark.parametrize("momento", ["2026-03-10T13:45:12.123456+00:00", "1999-12-31T23:59:59.999999+00:00"])
def test_leitura_traz_atualizado_em_exato(momento):
    """ler reads atualizado_em as the ORM does, to the microsecond (PostgreSQL: as microseconds
    since the epoch, converted in Python), and the API writes it in São Paulo time."""
    from datetime import datetime

    from django.utils import timezone

    from estoque.selectors import ler

    f.produto("T1")
    f.movimento("T1", 5)
    EstoqueTempoReal.objects.filter(cod_produto="T1").update(atualizado_em=datetime.fromisoformat(momento))
    esperado = EstoqueTempoReal.objects.get(cod_produto="T1").atualizado_em
    lido = ler(["T1"], timezone.localdate()).estoques["T1"][2]
    assert lido == esperado == datetime.fromisoformat(momento)
    assert lido.utcoffset() is not None
