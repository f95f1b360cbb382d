"""API of the ruptura analysis: one order now, many in the background, the SSE stream."""

import json

import pytest
from django_q.conf import Conf

from carteira.models import AnaliseRupturaLote
from tests import fabricas as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers_em_linha(monkeypatch):
    # django-q2 runs each task inline: the test needs no cluster.
    monkeypatch.setattr(Conf, "SYNC", True)


def ler_sse(resposta):
    """[(event, data)] of a finished text/event-stream response."""
    texto = b"".join(resposta.streaming_content).decode()
    eventos = []
    for bloco in texto.split("\n\n"):
        campos = dict(
            linha.split(": ", 1) for linha in bloco.splitlines() if ": " in linha and not linha.startswith(":")
        )
        if "event" in campos:
            eventos.append((campos["event"], json.loads(campos["data"])))
    return eventos


def cenario(pedidos=45):
    f.movimento("A1", 100)
    for i in range(pedidos):
        f.linha_carteira(f"PED{i:03d}", "A1", 10 if i % 2 else 500, preco="3.00")


def test_ruptura_de_um_pedido(cliente_staff):
    cenario(2)
    resposta = cliente_staff.get("/api/carteira/pedidos/PED001/ruptura")
    assert resposta.status_code == 200
    dados = resposta.json()
    assert dados["pedido_ok"] is True and dados["linhas"][0]["disponivel_em"] == f.hoje().isoformat()
    dados = cliente_staff.get("/api/carteira/pedidos/PED000/ruptura").json()
    assert dados["pedido_ok"] is False and dados["data_disponibilidade_total"] is None
    assert cliente_staff.get("/api/carteira/pedidos/NAO-EXISTE/ruptura").status_code == 404


def test_ruptura_exige_autenticacao(client):
    assert client.get("/api/carteira/pedidos/X/ruptura").status_code in (401, 403)
    assert client.post("/api/carteira/ruptura/analisar", {}, content_type="application/json").status_code in (401, 403)


def test_analisar_entrada_invalida_400(cliente_staff):
    resposta = cliente_staff.post(
        "/api/carteira/ruptura/analisar", {"pedidos": "PED1"}, content_type="application/json"
    )
    assert resposta.status_code == 400 and "pedidos" in resposta.json()


def test_job_em_lotes_de_20_e_stream_ate_o_evento_final(cliente_staff, workers_em_linha):
    cenario(45)
    resposta = cliente_staff.post("/api/carteira/ruptura/analisar", {}, content_type="application/json")
    assert resposta.status_code == 202
    job = resposta.json()
    assert (job["total_pedidos"], job["total_lotes"]) == (45, 3)
    assert sorted(len(lote.pedidos) for lote in AnaliseRupturaLote.objects.all()) == [5, 20, 20]
    eventos = ler_sse(cliente_staff.get(job["stream"]))
    tipos = [tipo for tipo, _ in eventos]
    assert tipos == ["progresso", "lote", "lote", "lote", "fim"]
    resultados = [r for tipo, dados in eventos if tipo == "lote" for r in dados["resultados"]]
    assert len(resultados) == 45
    assert [dados["percentual"] for tipo, dados in eventos if tipo == "lote"] == [33, 67, 100]
    por_pedido = {r["num_pedido"]: r for r in resultados}
    assert por_pedido["PED001"]["pedido_ok"] is True
    assert por_pedido["PED000"]["pedido_ok"] is False


def test_stream_de_job_inexistente_404(cliente_staff):
    assert cliente_staff.get("/api/carteira/ruptura/stream/00000000-0000-0000-0000-000000000000").status_code == 404


def test_eventos_de_estoque_chegam_pelo_stream(cliente_staff, django_db_blocker):
    f.movimento("E1", 5)
    resposta = cliente_staff.get("/api/estoque/eventos?duracao=2")
    assert resposta.status_code == 200
    assert resposta["Content-Type"].startswith("text/event-stream")
    iterador = iter(resposta.streaming_content)
    primeiros = next(iterador) + next(iterador)
    assert b"pronto" in primeiros
