"""Benchmark: 200 open live streams on ONE uvicorn process (workers=1), on PostgreSQL.

While the streams are open it measures, in one run, on loopback only:
- the workspace API (POST /api/estoque/tempo-real/consultar, 50 products) p50/p95;
- the PostgreSQL connections the server holds (pg_stat_activity of the bench database:
  the server's Django connections are named by application_name, the hub's LISTEN is
  estoque-sse-<pid>), sampled during the whole run, and the server's threads;
- for stock changes committed by this process: the time from the commit to the event's
  arrival at each of the 200 streams, and how many streams got each change.
Targets (printed, not asserted): API p95 < 50 ms, < 10 connections, every stream gets every
change within 1 s.

    .venv/bin/python -m benchmarks.bench_streams [--streams 200] [--requisicoes 300] [--mudancas 10]

The database bench_streams_e1 (demo scale 1) on --servidor is created, migrated and filled
when missing (as benchmarks/bench_api.py does); later runs reuse it. The streams belong to
50 users (4 each: the per-user cap), so the 200 fill the per-process cap exactly; one more
stream must get 429. Bounded: every phase has a timeout and the server is stopped at the end.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks.bench_api import _criar_banco, escolher_produtos

RAIZ = Path(__file__).resolve().parent.parent
SERVIDOR_PADRAO = "postgres://postgres@127.0.0.1:5432"
BANCO = "bench_streams_e1"
APLICACAO = "bench_streams_servidor"
USUARIOS = 50
META_API_P95_MS, META_CONEXOES, META_LATENCIA_S = 50.0, 10, 1.0


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def preparar(url: str) -> tuple[list[str], list[str], list[dict]]:
    """Database ready (created, migrated, demo data); returns (tokens, products to change, bodies)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    _criar_banco(url)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from estoque.models import CadastroPalletizacao, EstoqueTempoReal

    call_command("migrate", verbosity=0)
    if not CadastroPalletizacao.objects.exists():
        inicio = time.monotonic()
        call_command("gerar_dados_demo", escala=1, verbosity=0)
        print(f"dados de demonstração gerados em {time.monotonic() - inicio:.0f} s")
    tokens = []
    for i in range(USUARIOS):
        usuario, _ = get_user_model().objects.get_or_create(username=f"bench_sse_{i}", defaults={"is_staff": True})
        usuario.groups.add(Group.objects.get(name="Comercial"))  # the stock's view permissions (acesso/papeis.py)
        tokens.append(Token.objects.get_or_create(user=usuario)[0].key)
    produtos = list(EstoqueTempoReal.objects.order_by("cod_produto").values_list("cod_produto", flat=True)[:50])
    corpos = [{"produtos": escolher_produtos(50, semente), "dias": 28} for semente in range(20)]
    connection.close()
    return tokens, produtos, corpos


def mudar_estoque(cod: str) -> float:
    """Commit one stock movement of `cod`; the perf_counter right after the commit."""
    from django.db import connection, transaction
    from django.utils import timezone

    from estoque.models import MovimentacaoEstoque

    marca: list[float] = []
    with transaction.atomic():
        transaction.on_commit(lambda: marca.append(time.perf_counter()))  # runs first, before the NOTIFY
        MovimentacaoEstoque.objects.create(
            cod_produto=cod,
            qtd_movimentacao=1,
            tipo_movimentacao="ENTRADA",
            data_movimentacao=timezone.localdate(),
            observacao="bench_streams",
        )
    connection.close()
    return marca[0]


def conexoes_do_servidor(url_admin: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url_admin, autocommit=True) as conexao:
        linhas = conexao.execute(
            "SELECT application_name, count(*) FROM pg_stat_activity WHERE datname = %s "
            "AND (application_name = %s OR application_name LIKE 'estoque-sse-%%') GROUP BY 1",
            [BANCO, APLICACAO],
        ).fetchall()
    return {("LISTEN (hub)" if nome.startswith("estoque-sse-") else "Django"): n for nome, n in linhas}


def threads(pid: int) -> int:
    for linha in Path(f"/proc/{pid}/status").read_text().splitlines():
        if linha.startswith("Threads:"):
            return int(linha.split()[1])
    return 0


class Stream:
    def __init__(self, indice: int):
        self.indice = indice
        self.pronto = asyncio.Event()
        self.recebidos: dict[str, float] = {}  # code -> perf_counter of arrival
        self.erro = ""

    async def rodar(self, cliente: httpx.AsyncClient, token: str):
        try:
            async with cliente.stream(
                "GET", "/api/estoque/eventos", headers={"Authorization": f"Token {token}"}
            ) as resposta:
                if resposta.status_code != 200:
                    self.erro = f"HTTP {resposta.status_code}"
                    self.pronto.set()
                    return
                evento = ""
                async for linha in resposta.aiter_lines():
                    if linha.startswith("event: "):
                        evento = linha[7:]
                    elif linha.startswith("data: "):
                        if evento == "pronto":
                            self.pronto.set()
                        elif evento == "estoque":
                            agora = time.perf_counter()
                            for cod in json.loads(linha[6:])["produtos"]:
                                self.recebidos.setdefault(cod, agora)
        except (httpx.HTTPError, asyncio.CancelledError) as erro:
            self.erro = self.erro or type(erro).__name__
            self.pronto.set()


async def medir(args, tokens, produtos, corpos, base: str, pid: int, url_admin: str) -> dict:
    limites = httpx.Limits(max_connections=args.streams + 20, max_keepalive_connections=args.streams + 20)
    amostras_conexoes: list[dict[str, int]] = []
    resultado: dict = {}
    parar = asyncio.Event()

    async def amostrar():
        # Connections sampled all along (every ~0.1 s), requests in flight included.
        while not parar.is_set():
            amostras_conexoes.append(await asyncio.to_thread(conexoes_do_servidor, url_admin))
            await asyncio.sleep(0.1)

    amostrador = asyncio.create_task(amostrar())
    async with httpx.AsyncClient(base_url=base, timeout=10) as cliente:
        resultado["api_sem_streams_ms"] = await medir_api(cliente, tokens[0], corpos, args.requisicoes // 2)
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30, read=None), limits=limites) as streams_cli:
        streams = [Stream(i) for i in range(args.streams)]
        tarefas = [asyncio.create_task(s.rodar(streams_cli, tokens[i % len(tokens)])) for i, s in enumerate(streams)]
        inicio = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(s.pronto.wait() for s in streams)), 120)
        abertos = [s for s in streams if not s.erro]
        resultado["abertura_s"] = time.monotonic() - inicio
        resultado["streams_abertos"] = len(abertos)
        resultado["erros_abertura"] = sorted({s.erro for s in streams if s.erro})
        async with httpx.AsyncClient(base_url=base, timeout=10) as cliente:
            extra = await cliente.get("/api/estoque/eventos", headers={"Authorization": f"Token {tokens[0]}"})
            resultado["stream_excedente"] = f"{extra.status_code} {extra.json().get('detail', '')[:70]}"

            # The workspace API while the streams are open.
            resultado["api_ms"] = await medir_api(cliente, tokens[0], corpos, args.requisicoes)
            resultado["threads_servidor"] = threads(pid)

        # Stock changes committed here, one per second: latency to each open stream.
        latencias, por_mudanca = [], []
        for k in range(args.mudancas):
            cod = produtos[k % len(produtos)]
            for s in abertos:
                s.recebidos.pop(cod, None)
            commit = await asyncio.to_thread(mudar_estoque, cod)
            limite = time.monotonic() + 5
            while time.monotonic() < limite and not all(cod in s.recebidos for s in abertos):
                await asyncio.sleep(0.02)
            chegadas = [s.recebidos[cod] - commit for s in abertos if cod in s.recebidos]
            latencias += chegadas
            por_mudanca.append((cod, len(chegadas), max(chegadas, default=float("nan"))))
            await asyncio.sleep(1)
        resultado["latencia_ms"] = _percentis(latencias) if latencias else {}
        resultado["latencia_max_ms"] = max(latencias, default=float("nan")) * 1000
        resultado["por_mudanca"] = por_mudanca
        parar.set()
        await amostrador
        resultado["conexoes"] = amostras_conexoes
        resultado["memoria_servidor_mb"] = memoria(pid)
        for tarefa in tarefas:
            tarefa.cancel()
        await asyncio.gather(*tarefas, return_exceptions=True)
    return resultado


async def medir_api(cliente: httpx.AsyncClient, token: str, corpos: list[dict], n: int) -> dict[str, float]:
    cabecalho = {"Authorization": f"Token {token}"}
    for corpo in corpos[:5]:  # warm-up
        (await cliente.post("/api/estoque/tempo-real/consultar", json=corpo, headers=cabecalho)).raise_for_status()
    tempos = []
    for i in range(n):
        t0 = time.perf_counter()
        resposta = await cliente.post(
            "/api/estoque/tempo-real/consultar", json=corpos[i % len(corpos)], headers=cabecalho
        )
        tempos.append(time.perf_counter() - t0)
        assert resposta.status_code == 200 and len(resposta.json()["produtos"]) == 50, resposta.text[:200]
    return _percentis(tempos)


def memoria(pid: int) -> float:
    for linha in Path(f"/proc/{pid}/status").read_text().splitlines():
        if linha.startswith("VmRSS:"):
            return int(linha.split()[1]) / 1024
    return 0.0


def _percentis(amostras_s: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in amostras_s)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "max": ms[-1], "n": len(ms)}


def imprimir(r: dict, args):
    ok = lambda cond: "ok" if cond else "NÃO"  # noqa: E731
    print()
    print(f"streams abertos: {r['streams_abertos']} de {args.streams} em {r['abertura_s']:.1f} s", end="")
    print(f" (erros: {', '.join(r['erros_abertura'])})" if r["erros_abertura"] else "")
    print(f"stream além do limite: {r['stream_excedente']}")
    base = r["api_sem_streams_ms"]
    print(
        f"API consultar sem streams abertos ({base['n']} requisições): p50 {base['p50']:.1f} ms, "
        f"p95 {base['p95']:.1f} ms (referência da mesma máquina, no mesmo momento)"
    )
    api = r["api_ms"]
    print(
        f"API consultar (50 produtos, {api['n']} requisições, com os streams abertos): "
        f"p50 {api['p50']:.1f} ms, p95 {api['p95']:.1f} ms, máx {api['max']:.1f} ms "
        f"(meta p95 < {META_API_P95_MS:g} ms: {ok(api['p95'] < META_API_P95_MS)})"
    )
    totais = [sum(a.values()) for a in r["conexoes"]]
    maior = max(r["conexoes"], key=lambda a: sum(a.values()))
    print(
        f"conexões PostgreSQL do servidor: máx {max(totais)} em {len(totais)} amostras "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(maior.items()))}) (meta < {META_CONEXOES}: "
        f"{ok(max(totais) < META_CONEXOES)})"
    )
    print(
        f"processo do servidor com os streams abertos: {r['threads_servidor']} threads, "
        f"{r['memoria_servidor_mb']:.0f} MB de RSS"
    )
    lat = r["latencia_ms"]
    if lat:
        print(
            f"latência commit -> evento em cada stream ({lat['n']} entregas): p50 {lat['p50']:.0f} ms, "
            f"p95 {lat['p95']:.0f} ms, máx {r['latencia_max_ms']:.0f} ms"
        )
    todos_em_1s = all(n == r["streams_abertos"] and m <= META_LATENCIA_S for _, n, m in r["por_mudanca"])
    for cod, n, maximo in r["por_mudanca"]:
        print(f"  mudança {cod}: recebida por {n}/{r['streams_abertos']} streams, a última em {maximo * 1000:.0f} ms")
    print(f"meta: todo stream recebe cada mudança em até {META_LATENCIA_S:g} s: {ok(todos_em_1s)}")
    print(f"carga da máquina (loadavg 1 min): {os.getloadavg()[0]:.1f} em {os.cpu_count()} CPUs")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servidor", default=os.environ.get("BENCH_POSTGRES", SERVIDOR_PADRAO))
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--requisicoes", type=int, default=300)
    parser.add_argument("--mudancas", type=int, default=10)
    args = parser.parse_args(argv)
    if args.streams > 200:
        parser.error("no máximo 200 streams (o limite por processo)")
    url = f"{args.servidor.rstrip('/')}/{BANCO}"
    tokens, produtos, corpos = preparar(url)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    porta = porta_livre()
    ambiente = {
        **os.environ,
        "DATABASE_URL": f"{url}?application_name={APLICACAO}",
        "SSE_STREAMS_POR_PROCESSO": "200",
        "SSE_STREAMS_POR_USUARIO": "4",
        "LOG_LEVEL": "WARNING",
    }
    comando = [
        sys.executable,
        "-m",
        "uvicorn",
        "estoque_project.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(porta),
        "--workers",
        "1",
        "--no-access-log",
        "--log-level",
        "warning",
        "--timeout-graceful-shutdown",
        "2",
    ]
    servidor = subprocess.Popen(comando, cwd=RAIZ, env=ambiente)
    base = f"http://127.0.0.1:{porta}"
    try:
        fim = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/admin/login/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > fim or servidor.poll() is not None:
                sys.exit("o servidor uvicorn não subiu")
            time.sleep(0.3)
        print(f"uvicorn (1 processo, pid {servidor.pid}) em {base}, banco {BANCO}")
        url_admin = f"{args.servidor.rstrip('/')}/postgres"
        resultado = asyncio.run(
            asyncio.wait_for(medir(args, tokens, produtos, corpos, base, servidor.pid, url_admin), 600)
        )
    finally:
        servidor.send_signal(signal.SIGINT)
        try:
            servidor.wait(timeout=15)
        except subprocess.TimeoutExpired:
            servidor.kill()
    imprimir(resultado, args)


if __name__ == "__main__":
    main()
