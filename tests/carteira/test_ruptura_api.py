"""API of the ruptura analysis: one order now, many in the background, the SSE stream."""

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient
from django_q.conf import Conf

from carteira.models import AnaliseRuptura, AnaliseRupturaLote
from carteira.ruptura import jobs
from tests import fabricas as f
from tests.sse import LeitorSSE, eventos_de, rodar

pytestmark = pytest.mark.django_db


@pytest.fixture
def workers_em_linha(monkeypatch):
    # django-q2 runs each task inline: the test needs no cluster.
    monkeypatch.setattr(Conf, "SYNC", True)


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


def test_job_em_lotes_crescentes_e_stream_ate_o_evento_final(cliente_staff, staff, workers_em_linha):
    cenario(150)
    resposta = cliente_staff.post("/api/carteira/ruptura/analisar", {}, content_type="application/json")
    assert resposta.status_code == 202
    job = resposta.json()
    assert (job["total_pedidos"], job["total_lotes"]) == (150, 4)
    # A small first lot (the page's first results come fast), then each twice the last.
    lotes = AnaliseRupturaLote.objects.order_by("indice")
    assert [len(lote.pedidos) for lote in lotes] == [20, 40, 80, 10]
    eventos = ler_stream(staff, job["stream"])
    tipos = [tipo for tipo, _ in eventos]
    assert tipos == ["progresso", "lote", "lote", "lote", "lote", "fim"]
    resultados = [r for tipo, dados in eventos if tipo == "lote" for r in dados["resultados"]]
    assert len(resultados) == 150
    assert [dados["percentual"] for tipo, dados in eventos if tipo == "lote"] == [25, 50, 75, 100]
    por_pedido = {r["num_pedido"]: r for r in resultados}
    assert por_pedido["PED001"]["pedido_ok"] is True
    assert por_pedido["PED000"]["pedido_ok"] is False


def ler_stream(usuario, url):
    """[(event, data)] of a stream read to its end through the ASGI handler (bounded in time)."""

    async def ler():
        cliente = AsyncClient()
        await cliente.aforce_login(usuario)
        resposta = await cliente.get(url)
        assert resposta.status_code == 200, resposta.content
        partes = [parte async for parte in resposta.streaming_content]
        return b"".join(p if isinstance(p, bytes) else p.encode() for p in partes).decode()

    return eventos_de(rodar(ler))


def test_stream_recebe_lotes_concluidos_depois_de_aberto(cliente_staff, staff):
    """The lots are finished by 'workers' while the stream waits (no inline SYNC mode)."""
    cenario(25)
    job = cliente_staff.post("/api/carteira/ruptura/analisar", {}, content_type="application/json").json()

    async def ler():
        cliente = AsyncClient()
        await cliente.aforce_login(staff)
        leitor = LeitorSSE(await cliente.get(job["stream"]))
        try:
            assert (await leitor.proximo(10))[0] == "progresso"
            for lote in await sync_to_async(list)(AnaliseRupturaLote.objects.order_by("indice")):
                await sync_to_async(jobs.processar_lote)(lote.pk)
                dados = await leitor.esperar("lote", 10)
                assert dados["indice"] == lote.indice
            await leitor.esperar("fim", 10)
        finally:
            await leitor.fechar()

    rodar(ler)


def test_situacao_por_consulta_com_cursor(cliente_staff, workers_em_linha):
    cenario(25)
    job = cliente_staff.post("/api/carteira/ruptura/analisar", {}, content_type="application/json").json()
    dados = cliente_staff.get(job["situacao"]).json()
    assert (dados["lotes_concluidos"], dados["total_lotes"], dados["percentual"], dados["concluida"]) == (
        2,
        2,
        100,
        True,
    )
    assert sorted(len(lote["resultados"]) for lote in dados["lotes"]) == [5, 20]
    assert cliente_staff.get(job["situacao"], {"desde": "x"}).status_code == 400
    assert cliente_staff.get("/api/carteira/ruptura/analise/00000000-0000-0000-0000-000000000000").status_code == 404


def test_fila_indisponivel_responde_503_e_nao_deixa_analise(cliente_staff, monkeypatch):
    cenario(3)

    def recusar(*_args, **_kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(jobs, "async_task", recusar)
    resposta = cliente_staff.post("/api/carteira/ruptura/analisar", {}, content_type="application/json")
    assert resposta.status_code == 503
    assert "fila de processamento" in resposta.json()["detail"]
    assert resposta["Retry-After"]
    assert not AnaliseRuptura.objects.exists() and not AnaliseRupturaLote.objects.exists()


def test_lote_de_analise_desfeita_termina_sem_trabalho():
    assert jobs.processar_lote(987654) == 0


def test_stream_de_job_inexistente_404(staff):
    async def pedir():
        cliente = AsyncClient()
        await cliente.aforce_login(staff)
        return await cliente.get("/api/carteira/ruptura/stream/00000000-0000-0000-0000-000000000000")

    assert rodar(pedir).status_code == 404
