"""Live stock events: a change committed after the stream opened reaches it (NOTIFY on
PostgreSQL, polling on SQLite), one event per product per transaction, nothing on rollback,
the caps answer 429, the polling twin returns the changes since a cursor, a failure after
commit never turns the write into an error, and the stream holds no database connection.

Stream tests need committed rows (NOTIFY is sent on commit; the stream reads in its own
connection): transaction=True. Each scenario is bounded in time (tests/sse.py).
"""

import asyncio
import logging
from collections import Counter
from decimal import Decimal

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction
from django.test import AsyncClient, Client

from core.sse import LIMITE, conninfo
from estoque.models import MovimentacaoEstoque
from tests import fabricas as f
from tests.sse import LeitorSSE, rodar

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/estoque/eventos"
CHEGADA_SEGUNDOS = 10  # generous: the machine is shared; the benchmark measures the latency


def postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture
def cliente_async(staff):
    cliente = AsyncClient()
    cliente.force_login(staff)
    return cliente


async def abrir(cliente, url=URL) -> LeitorSSE:
    resposta = await cliente.get(url)
    assert resposta.status_code == 200, resposta.content
    assert resposta["Content-Type"].startswith("text/event-stream")
    leitor = LeitorSSE(resposta)
    pronto = await leitor.esperar("pronto", CHEGADA_SEGUNDOS)
    assert pronto["modo"] == ("notify" if postgres() else "consulta")
    return leitor


def test_mudanca_gravada_depois_de_abrir_chega_ao_stream(cliente_async):
    f.produto("E1")
    f.movimento("E1", 5)  # before the stream: not announced

    async def cenario():
        leitor = await abrir(cliente_async)
        try:
            await sync_to_async(f.movimento)("E1", 7)
            dados = await leitor.esperar("estoque", CHEGADA_SEGUNDOS, lambda d: "E1" in d["produtos"])
            assert dados["todos"] is False
            assert leitor.ids, "every event carries its cursor (SSE id)"
        finally:
            await leitor.fechar()

    rodar(cenario)


@pytest.mark.postgres
def test_um_evento_por_produto_por_transacao_e_nenhum_no_rollback(cliente_async):
    async def escutar_notify(segundos):
        async with await psycopg.AsyncConnection.connect(conninfo(), autocommit=True) as conexao:
            await conexao.execute("LISTEN estoque")
            pronto.set()
            avisos = []
            async for aviso in conexao.notifies(timeout=segundos):
                avisos.append(aviso.payload)
            return avisos

    def uma_transacao():
        with transaction.atomic():
            for _ in range(3):
                f.movimento("A", 10)
            f.movimento("B", 4)
            f.movimento("B", -1)

    def desfeita():
        with pytest.raises(RuntimeError), transaction.atomic():
            f.movimento("R", 10)
            raise RuntimeError("desfaz")

    async def cenario():
        leitor = await abrir(cliente_async)
        try:
            escuta = asyncio.ensure_future(escutar_notify(3))
            await pronto.wait()
            await sync_to_async(desfeita)()
            await sync_to_async(uma_transacao)()
            avisos = await escuta
            assert Counter(avisos) == {"A": 1, "B": 1}
            recebidos = Counter(
                cod for tipo, dados in await leitor.coletar(2) if tipo == "estoque" for cod in dados["produtos"]
            )
            assert recebidos == {"A": 1, "B": 1}
        finally:
            await leitor.fechar()

    pronto = asyncio.Event()
    rodar(cenario)
    assert not MovimentacaoEstoque.objects.filter(cod_produto="R").exists()


def test_rollback_nao_chega_ao_stream(cliente_async):
    def desfeita():
        with pytest.raises(RuntimeError), transaction.atomic():
            f.movimento("R", 10)
            raise RuntimeError("desfaz")

    async def cenario():
        leitor = await abrir(cliente_async)
        try:
            await sync_to_async(desfeita)()
            await sync_to_async(f.movimento)("S", 1)  # a later commit: its event proves the stream is alive
            eventos = [dados for tipo, dados in await leitor.coletar(3) if tipo == "estoque"]
            produtos = {cod for dados in eventos for cod in dados["produtos"]}
            assert produtos == {"S"}
        finally:
            await leitor.fechar()

    rodar(cenario)


def test_limite_por_usuario_e_por_processo_429(cliente_async, settings):
    settings.SSE_STREAMS_POR_USUARIO = 2

    async def cenario():
        primeiros = [await abrir(cliente_async), await abrir(cliente_async)]
        try:
            recusa = await cliente_async.get(URL)
            assert recusa.status_code == 429
            assert "Limite de 2 conexões ao vivo por usuário" in recusa.json()["detail"]
            assert recusa["Retry-After"]
            await primeiros.pop().fechar()  # a tab closed: its slot is free again
            primeiros.append(await abrir(cliente_async))
            settings.SSE_STREAMS_POR_USUARIO = 10
            settings.SSE_STREAMS_POR_PROCESSO = LIMITE.total
            recusa = await cliente_async.get(URL)
            assert recusa.status_code == 429
            assert "limite de conexões ao vivo" in recusa.json()["detail"]
        finally:
            for leitor in primeiros:
                await leitor.fechar()
        assert LIMITE.total == 0

    rodar(cenario)


def test_stream_exige_autenticacao_e_asgi(staff):
    async def anonimo():
        return await AsyncClient().get(URL)

    assert rodar(anonimo).status_code == 401  # as the JSON API answers an anonymous call
    sincrono = Client()
    sincrono.force_login(staff)
    resposta = sincrono.get(URL)  # the WSGI handler would buffer a stream whole: refused, the page polls
    assert resposta.status_code == 503
    assert "consulta periodicamente" in resposta.json()["detail"]


def test_consulta_periodica_devolve_mudancas_desde_o_cursor(staff):
    cliente = Client()
    cliente.force_login(staff)
    f.produto("P1")
    f.produto("P2")
    inicio = cliente.get("/api/estoque/eventos/mudancas").json()
    assert inicio["produtos"] == {} and inicio["cursor"]
    f.movimento("P1", 3)
    dados = cliente.get("/api/estoque/eventos/mudancas", {"desde": inicio["cursor"]}).json()
    assert set(dados["produtos"]) == {"P1"} and dados["todos"] is False
    f.movimento("P2", 3)
    seguinte = cliente.get("/api/estoque/eventos/mudancas", {"desde": dados["cursor"]}).json()
    # The margin repeats P1 with the same moment (the page skips it); P2 is new.
    assert "P2" in seguinte["produtos"] and seguinte["produtos"].get("P1") in (None, dados["produtos"]["P1"])
    ruim = cliente.get("/api/estoque/eventos/mudancas", {"desde": "ontem"})
    assert ruim.status_code == 400 and "desde" in ruim.json()
    assert Client().get("/api/estoque/eventos/mudancas").status_code in (401, 403)


def test_reconexao_com_last_event_id_recupera_o_que_perdeu(cliente_async):
    async def cenario():
        leitor = await abrir(cliente_async)
        await leitor.fechar()
        cursor = leitor.ids[-1]
        await sync_to_async(f.movimento)("L1", 2)  # while no stream is open
        resposta = await cliente_async.get(URL, headers={"Last-Event-ID": cursor})
        assert resposta.status_code == 200
        segundo = LeitorSSE(resposta)
        try:
            await segundo.esperar("estoque", CHEGADA_SEGUNDOS, lambda d: "L1" in d["produtos"])
        finally:
            await segundo.fechar()

    rodar(cenario)


@pytest.mark.postgres
def test_notify_que_falha_depois_do_commit_nao_vira_erro(cliente_staff, monkeypatch, caplog):
    f.produto("N1")

    def falhar(*_args, **_kwargs):
        raise psycopg.OperationalError("conexão perdida depois do commit")

    monkeypatch.setattr("estoque.services.eventos.notificar", falhar)
    with caplog.at_level(logging.ERROR, logger="core.pos_commit"):
        resposta = cliente_staff.post(
            "/api/estoque/movimentacoes",
            {"cod_produto": "N1", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": 8},
            content_type="application/json",
        )
    assert resposta.status_code == 201, resposta.content
    assert MovimentacaoEstoque.objects.filter(cod_produto="N1").count() == 1
    assert f.corpo(cliente_staff.get("/api/estoque/tempo-real/produto/N1"))["estoque_atual"] == Decimal("8")
    falhas = [r for r in caplog.records if r.name == "core.pos_commit" and r.levelno == logging.ERROR]
    assert len(falhas) == 1 and "NOTIFY estoque de 1 produto(s): N1" in falhas[0].getMessage()


def test_callback_depois_do_commit_que_falha_e_registrado_e_a_gravacao_fica(caplog):
    from core.pos_commit import no_commit

    def quebrar():
        raise ValueError("quebrou")

    with caplog.at_level(logging.ERROR, logger="core.pos_commit"), transaction.atomic():
        f.movimento("Z1", 1)
        no_commit(quebrar, "aviso de teste")
    assert MovimentacaoEstoque.objects.filter(cod_produto="Z1").count() == 1
    assert any("aviso de teste" in r.getMessage() for r in caplog.records)


@pytest.mark.postgres
def test_stream_aberto_nao_segura_conexao_e_sobrevive_a_queda_do_listen(cliente_async):
    """Waiting streams hold no Django connection (the hub's LISTEN is the process's only
    one); when that connection is killed the hub reconnects and the stream still gets the
    next change (and whatever was committed while it was down)."""

    def conexoes_do_banco():
        with psycopg.connect(conninfo(application_name="contagem"), autocommit=True) as conexao:
            return conexao.execute(
                "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()

    def derrubar_listen():
        with psycopg.connect(conninfo(), autocommit=True) as conexao:
            return conexao.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name LIKE 'estoque-sse-%%'"
            ).fetchone()[0]

    async def cenario():
        leitores = [await abrir(cliente_async) for _ in range(3)]
        try:
            await sync_to_async(lambda: connection.close())()  # the test thread's own: not the streams'
            nomes = [nome for (nome,) in await sync_to_async(conexoes_do_banco, thread_sensitive=False)()]
            assert len(nomes) == 1 and nomes[0].startswith("estoque-sse-"), nomes
            assert await sync_to_async(derrubar_listen, thread_sensitive=False)() == 1
            await sync_to_async(f.movimento)("Q1", 1)  # probably while the hub reconnects
            for leitor in leitores:
                await leitor.esperar("estoque", CHEGADA_SEGUNDOS, lambda d: "Q1" in d["produtos"])
            await sync_to_async(f.movimento)("Q2", 1)  # after: live again
            for leitor in leitores:
                await leitor.esperar("estoque", CHEGADA_SEGUNDOS, lambda d: "Q2" in d["produtos"])
        finally:
            for leitor in leitores:
                await leitor.fechar()

    rodar(cenario)
