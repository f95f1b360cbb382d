"""Fault drill: the system under a small load survives a PostgreSQL restart and a Redis stop.

!!! WARNING: this RESTARTS THE SHARED PostgreSQL SERVER (pg_ctlcluster ... main restart) and
!!! STOPS THE SHARED Redis (redis-cli shutdown nosave, then starts it again). Other people's
!!! tests on this machine fail while that lasts (a few seconds). Run it rarely, briefly, never
!!! in CI: `--simular` replaces the PostgreSQL restart by cutting only the scratch database
!!! (terminate its connections, refuse new ones for a few seconds) and skips Redis.

What runs, on loopback, against a scratch database (falhas_streams, demo scale 0.05):
the ASGI server (uvicorn), the django-q2 cluster (Redis broker on database 7 of the local
Redis, REDIS_URL), a few EventSource-like clients (they reconnect with Last-Event-ID as a
browser does) and a load of about 4 requests per second (reads and stock writes) for
--duracao seconds. At 10 s PostgreSQL restarts. Then it shows:
- requests failed before / during / after the outage (after must be 0);
- writes answered 201 vs rows written (a committed write never answered as an error);
- the reconciliation schedule ran again after the restart (a ReconciliacaoExecucao row);
- every stream got a change committed after the restart;
- with Redis stopped: stock writes still 201, the ruptura analysis 503 with its message
  (not 500); after Redis is back an analysis is accepted and finished by the workers;
- `manage.py estoque_verificar` finds no divergence at the end.

    .venv/bin/python -m benchmarks.falhas [--simular] [--duracao 60]
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx
import psycopg

RAIZ = Path(__file__).resolve().parent.parent
SERVIDOR_PADRAO = "postgres://postgres@127.0.0.1:5432"
BANCO = "falhas_streams"
REDIS_URL = "redis://127.0.0.1:6379/7"
REDIS_INICIAR = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]
STREAMS = 4  # one user's cap
PREFIXO = f"falhas-{uuid.uuid4().hex[:8]}-"  # this run's writes (observacao)
QUEDA_EM_SEGUNDOS = 10


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def preparar(url: str) -> tuple[str, list[str]]:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    from benchmarks.bench_api import _criar_banco

    _criar_banco(url)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import F
    from rest_framework.authtoken.models import Token

    from estoque.models import CadastroPalletizacao, CodigoUnificado

    call_command("migrate", verbosity=0)
    if not CadastroPalletizacao.objects.exists():
        call_command("gerar_dados_demo", escala=0.05, verbosity=0)
    call_command("estoque_agendar", verbosity=0)
    usuario, _ = get_user_model().objects.get_or_create(
        username="falhas", defaults={"is_staff": True, "is_superuser": True}
    )
    token = Token.objects.get_or_create(user=usuario)[0].key
    # Principal codes (the streams announce principals): not a unified alias of another code.
    apelidos = CodigoUnificado.objects.exclude(cod_principal=F("cod_produto")).values("cod_produto")
    produtos = list(
        CadastroPalletizacao.objects.exclude(cod_produto__in=apelidos)
        .order_by("cod_produto")
        .values_list("cod_produto", flat=True)[:20]
    )
    connection.close()
    return token, produtos


def pg_pronto(url_admin: str) -> bool:
    try:
        with psycopg.connect(url_admin, connect_timeout=2) as conexao:
            conexao.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def derrubar_postgres(url_admin: str, simular: bool) -> tuple[float, float]:
    """(moment the outage began, moment a new connection worked again), time.monotonic()."""
    inicio = time.monotonic()
    if simular:
        with psycopg.connect(url_admin, autocommit=True) as conexao:
            conexao.execute(f'ALTER DATABASE "{BANCO}" ALLOW_CONNECTIONS false')
            conexao.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [BANCO])
            time.sleep(4)
            conexao.execute(f'ALTER DATABASE "{BANCO}" ALLOW_CONNECTIONS true')
    else:
        versao = os.listdir("/etc/postgresql")[0]
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", versao, "main", "restart"], check=True, timeout=120
        )
    while not pg_pronto(url_admin.rsplit("/", 1)[0] + f"/{BANCO}"):
        time.sleep(0.1)
    return inicio, time.monotonic()


class Cliente:
    """An EventSource: reconnects after `retry`, sending Last-Event-ID."""

    def __init__(self, indice: int):
        self.indice = indice
        self.ultimo_id = ""
        self.conexoes = 0
        self.recebidos: dict[str, float] = {}

    async def rodar(self, base: str, token: str):
        async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(10, read=None)) as cliente:
            while True:
                cabecalhos = {"Authorization": f"Token {token}", "Accept": "text/event-stream"}
                if self.ultimo_id:
                    cabecalhos["Last-Event-ID"] = self.ultimo_id
                try:
                    async with cliente.stream("GET", "/api/estoque/eventos", headers=cabecalhos) as resposta:
                        if resposta.status_code == 200:
                            self.conexoes += 1
                            evento = ""
                            async for linha in resposta.aiter_lines():
                                if linha.startswith("id: "):
                                    self.ultimo_id = linha[4:]
                                elif linha.startswith("event: "):
                                    evento = linha[7:]
                                elif linha.startswith("data: ") and evento == "estoque":
                                    for cod in json.loads(linha[6:])["produtos"]:
                                        self.recebidos[cod] = time.monotonic()
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(2)  # the stream's retry


async def carga(base: str, token: str, produtos: list[str], duracao: float, registros: list):
    """About 4 requests per second: a read and a stock write alternately."""
    cabecalhos = {"Authorization": f"Token {token}"}
    fim = time.monotonic() + duracao
    async with httpx.AsyncClient(base_url=base, timeout=10) as cliente:
        i = 0
        while time.monotonic() < fim:
            inicio = time.monotonic()
            cod = produtos[i % len(produtos)]
            try:
                if i % 2:
                    resposta = await cliente.post(
                        "/api/estoque/movimentacoes",
                        json={
                            "cod_produto": cod,
                            "tipo_movimentacao": "ENTRADA",
                            "qtd_movimentacao": 1,
                            "observacao": f"{PREFIXO}{i}",
                        },
                        headers=cabecalhos,
                    )
                    ok = resposta.status_code == 201
                else:
                    resposta = await cliente.get(f"/api/estoque/tempo-real/produto/{cod}", headers=cabecalhos)
                    ok = resposta.status_code == 200
                detalhe = str(resposta.status_code)
            except httpx.HTTPError as erro:
                ok, detalhe = False, type(erro).__name__
            registros.append((inicio, "escrita" if i % 2 else "leitura", ok, detalhe))
            i += 1
            await asyncio.sleep(max(0.0, 0.25 - (time.monotonic() - inicio)))


def contar(registros, inicio: float, fim: float) -> str:
    faixa = [r for r in registros if inicio <= r[0] < fim]
    falhas = [r for r in faixa if not r[2]]
    motivos = sorted({r[3] for r in falhas})
    return f"{len(faixa)} requisições, {len(falhas)} falharam" + (f" ({', '.join(motivos)})" if motivos else "")


def django_consulta(codigo: str, ambiente: dict) -> str:
    preambulo = "import django; django.setup()\n"
    saida = subprocess.run(
        [sys.executable, "-c", preambulo + codigo], cwd=RAIZ, env=ambiente, capture_output=True, text=True, timeout=60
    )
    return (saida.stdout + saida.stderr).strip()


async def drill(args, base, token, produtos, url_admin, ambiente) -> dict:
    r: dict = {}
    clientes = [Cliente(i) for i in range(STREAMS)]
    tarefas_streams = [asyncio.create_task(c.rodar(base, token)) for c in clientes]
    registros: list = []
    inicio = time.monotonic()
    tarefa_carga = asyncio.create_task(carga(base, token, produtos, args.duracao, registros))
    await asyncio.sleep(QUEDA_EM_SEGUNDOS)
    r["conexoes_streams_antes"] = sum(c.conexoes for c in clientes)
    queda_inicio, queda_fim = await asyncio.to_thread(derrubar_postgres, url_admin, args.simular)
    r["queda_s"] = queda_fim - queda_inicio
    volta = datetime.now().astimezone()
    await asyncio.sleep(3)
    async with httpx.AsyncClient(base_url=base, timeout=10) as cliente:
        cabecalhos = {"Authorization": f"Token {token}"}
        marcador = produtos[-1]
        t_mudanca = time.monotonic()
        resposta = await cliente.post(
            "/api/estoque/movimentacoes",
            json={
                "cod_produto": marcador,
                "tipo_movimentacao": "ENTRADA",
                "qtd_movimentacao": 1,
                "observacao": "falhas-marcador",
            },
            headers=cabecalhos,
        )
        r["marcador"] = resposta.status_code
        limite = time.monotonic() + 20
        while time.monotonic() < limite and not all(c.recebidos.get(marcador, 0) >= t_mudanca for c in clientes):
            await asyncio.sleep(0.1)
        r["streams_com_marcador"] = sum(c.recebidos.get(marcador, 0) >= t_mudanca for c in clientes)
        r["reconexoes"] = [c.conexoes for c in clientes]
        await tarefa_carga
        r["antes"] = contar(registros, inicio, queda_inicio)
        r["durante"] = contar(registros, queda_inicio, queda_fim)
        r["depois"] = contar(registros, queda_fim, time.monotonic() + 1)
        r["falhas_depois"] = sum(1 for t, _, ok, _ in registros if t >= queda_fim and not ok)
        r["escritas_201"] = sum(1 for _, tipo, ok, _ in registros if tipo == "escrita" and ok)

        # The workers' schedule after the restart: a reconciliation run begun after it.
        codigo = (
            "from estoque.models import ReconciliacaoExecucao as R; from django.utils.dateparse import parse_datetime\n"
            f"print(R.objects.filter(iniciado_em__gt=parse_datetime('{volta.isoformat()}')).count())"
        )
        limite = time.monotonic() + 150
        r["reconciliacoes_depois"] = "0"
        while time.monotonic() < limite:
            r["reconciliacoes_depois"] = django_consulta(codigo, ambiente).splitlines()[-1]
            if r["reconciliacoes_depois"].isdigit() and int(r["reconciliacoes_depois"]) > 0:
                break
            await asyncio.sleep(5)
        r["espera_reconciliacao_s"] = time.monotonic() - queda_fim

        if not args.simular:
            r["redis"] = await redis_fora(cliente, cabecalhos, produtos)
    for tarefa in tarefas_streams:
        tarefa.cancel()
    await asyncio.gather(*tarefas_streams, return_exceptions=True)
    r["linhas_gravadas"] = django_consulta(
        "from estoque.models import MovimentacaoEstoque as M\n"
        f"print(M.objects.filter(observacao__startswith='{PREFIXO}').count())",
        ambiente,
    ).splitlines()[-1]
    return r


async def redis_fora(cliente, cabecalhos, produtos) -> dict:
    r: dict = {}
    subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, timeout=30)
    try:
        await asyncio.sleep(1)
        escrita = await cliente.post(
            "/api/estoque/movimentacoes",
            json={
                "cod_produto": produtos[0],
                "tipo_movimentacao": "ENTRADA",
                "qtd_movimentacao": 1,
                "observacao": "falhas-redis",
            },
            headers=cabecalhos,
        )
        r["escrita_sem_redis"] = escrita.status_code
        analise = await cliente.post("/api/carteira/ruptura/analisar", json={}, headers=cabecalhos)
        r["analise_sem_redis"] = f"{analise.status_code} {analise.json().get('detail', '')}"
    finally:
        subprocess.run(REDIS_INICIAR, check=True, timeout=30)
    await asyncio.sleep(2)
    analise = await cliente.post("/api/carteira/ruptura/analisar", json={}, headers=cabecalhos)
    r["analise_com_redis"] = analise.status_code
    if analise.status_code == 202:
        situacao = analise.json()["situacao"]
        limite = time.monotonic() + 120
        dados = {}
        while time.monotonic() < limite:
            dados = (await cliente.get(situacao, headers=cabecalhos)).json()
            if dados.get("concluida"):
                break
            await asyncio.sleep(2)
        r["analise_concluida"] = f"{dados.get('lotes_concluidos')}/{dados.get('total_lotes')} lotes"
    return r


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servidor", default=os.environ.get("BENCH_POSTGRES", SERVIDOR_PADRAO))
    parser.add_argument("--duracao", type=float, default=60)
    parser.add_argument("--simular", action="store_true", help="não reinicia o PostgreSQL nem para o Redis")
    args = parser.parse_args(argv)
    url = f"{args.servidor.rstrip('/')}/{BANCO}"
    url_admin = f"{args.servidor.rstrip('/')}/postgres"
    token, produtos = preparar(url)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    porta = porta_livre()
    ambiente = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "estoque_project.settings",
    }
    subprocess.run(
        [sys.executable, "-c", "from redis import Redis; Redis.from_url('" + REDIS_URL + "').flushdb()"],
        check=True,
        cwd=RAIZ,
    )
    with open("/tmp/falhas_servidor.log", "w") as registro:  # the server's and the cluster's output
        processos = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "estoque_project.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(porta),
                    "--no-access-log",
                    "--timeout-graceful-shutdown",
                    "2",
                ],
                cwd=RAIZ,
                env=ambiente,
                stdout=registro,
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=RAIZ,
                env=ambiente,
                stdout=registro,
                stderr=subprocess.STDOUT,
            ),
        ]
        base = f"http://127.0.0.1:{porta}"
        try:
            fim = time.monotonic() + 120  # a busy shared machine starts slowly
            while True:
                try:
                    if httpx.get(f"{base}/admin/login/", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > fim:
                    sys.exit("o servidor não subiu (/tmp/falhas_servidor.log)")
                time.sleep(0.3)
            print(
                f"servidor {base}, cluster django-q2 (Redis {REDIS_URL}), banco {BANCO}; "
                f"{'queda SIMULADA do banco' if args.simular else 'REINÍCIO do PostgreSQL'} em {QUEDA_EM_SEGUNDOS} s",
                flush=True,
            )
            r = asyncio.run(asyncio.wait_for(drill(args, base, token, produtos, url_admin, ambiente), 600))
        finally:
            for p in processos:
                p.send_signal(signal.SIGINT)
            for p in processos:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
    verificar = subprocess.run(
        [sys.executable, "manage.py", "estoque_verificar"],
        cwd=RAIZ,
        env=ambiente,
        capture_output=True,
        text=True,
        timeout=300,
    )
    print()
    print(f"queda do banco: {r['queda_s']:.1f} s")
    print(f"antes da queda: {r['antes']}")
    print(f"durante a queda: {r['durante']}")
    print(f"depois da volta: {r['depois']}  -> {'ok' if r['falhas_depois'] == 0 else 'FALHOU'}")
    print(f"escritas respondidas 201: {r['escritas_201']}; linhas gravadas: {r['linhas_gravadas']}")
    print(
        f"streams: {r['streams_com_marcador']}/{STREAMS} receberam a mudança feita depois da volta "
        f"(conexões por stream: {r['reconexoes']}; marcador HTTP {r['marcador']})"
    )
    print(
        f"reconciliações agendadas iniciadas depois da volta: {r['reconciliacoes_depois']} "
        f"(esperou {r['espera_reconciliacao_s']:.0f} s)"
    )
    for chave, valor in r.get("redis", {}).items():
        print(f"redis: {chave}: {valor}")
    print(f"estoque_verificar: status {verificar.returncode}: {verificar.stdout.strip().splitlines()[-1:]}")


if __name__ == "__main__":
    main()
