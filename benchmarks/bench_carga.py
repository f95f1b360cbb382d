"""Load test: 50 concurrent clients against the production set-up, on loopback, bounded.

    DJANGO_DEBUG=1 .venv/bin/python -m benchmarks.bench_carga --clientes 50 --requisicoes 2000 --segundos 300 \\
        --banco postgres://postgres@127.0.0.1:5432/bench_carga_e10 --workers 2 --pool 25

(DJANGO_DEBUG=1 is for this process only, which prepares the users; the servers it starts run
with DEBUG off.) --pool sets DB_POOL_MAX of each web process; without it the production default
(4) applies: with 25 clients per process on two busy cores, requests then waited more than the
pool's 10 s for a connection and got HTTP 500 (psycopg_pool.PoolTimeout; run without --pool to
see it). A pool sized to the clients each process serves gave zero errors.

What runs (README "Produção", dev.py): uvicorn with --workers N (dev.py's options), the default
django-q2 cluster and the ruptura cluster (Q_CLUSTER_NAME=ruptura), Redis as broker and cache
(--redis, a database index of its own that must be empty), DJANGO_DEBUG=0 with a freshly
generated DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS=127.0.0.1, static files by WhiteNoise, on a
free loopback port. Plain http as `dev.py run` serves it (no HTTPS redirect, HSTS or secure
cookies: there is no TLS on loopback). The database (--banco) must hold demo data
(`manage.py gerar_dados_demo --escala 10`); the bench adds its users (carga_01..), the
reconciliation schedule (and turns the Odoo sync schedule off, as dev.py run does without
an Odoo), and nothing else.

The clients are people: each logs in through /entrar/ (CSRF token of the form, then the session
and csrftoken cookies, Origin/Referer as a browser sends them) with a user of its own, half with
the Estoque role (their writes are stock movements), half with Expedição (pré-separações): the
write throttle is per user (ESTOQUE_LIMITE_ESCRITAS, 120/min), as in production. The plan is
built first and fixed: 80% reads (40% POST /api/estoque/tempo-real/consultar with 50 products
and D0..D28, 20% the product page /estoque/produto/<cod>/, 20% the saldo page /estoque/),
20% writes (POST /api/estoque/movimentacoes, POST /api/carteira/pre-separacoes on order lines
with free quantity). It stops at --requisicoes or --segundos, whichever comes first.

Printed: requests sent, duration, throughput, p50/p95/p99 per kind and overall, errors (any
status >= 400 or exception, with samples), loadavg, rows written (counted before and after,
compared with the 201 answers), errors/tracebacks in the servers' logs, repairs made by the
scheduled reconciliation during the run (each one is drift the write path left), and, after the
servers stop, `manage.py estoque_verificar` over the whole catalog: its divergences.
"""

import argparse
import asyncio
import collections
import contextlib
import itertools
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

RAIZ = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RAIZ))
from benchmarks.carga_servidores import Servidores, ambiente_producao, esperar_saude, porta_livre, verificar_estoque
from dev import opcoes_uvicorn  # the production server's options, one place

BANCO_PADRAO = "postgres://postgres@127.0.0.1:5432/bench_carga_e10"
REDIS_PADRAO = "redis://127.0.0.1:6379/13"
SENHA = "carga-bench-" + "x" * 8
MARCA = "bench_carga"  # observação of the movements and pré-separações written here

# kind -> share of the plan (sums to 1). Reads 80%, writes 20%.
LEITURAS = {"consultar": 0.40, "produto": 0.20, "saldo": 0.20}
ESCRITAS = {"movimentacao": 0.10, "pre_separacao": 0.10}
# Who writes what (acesso/papeis.py): the role of the client and its one write kind.
PAPEL_DA_ESCRITA = {"movimentacao": "Estoque", "pre_separacao": "Expedição"}


# ---------------------------------------------------------------- the plan (no server needed)


def plano_do_cliente(n: int, escrita: str, semente: int) -> list[str]:
    """n request kinds for one client: 80% reads in LEITURAS' proportions, 20% its write kind,
    exact to the rounding (largest remainders), in a seeded random order."""
    leituras_total = sum(LEITURAS.values())
    partes = {k: v * 0.8 / leituras_total for k, v in LEITURAS.items()}
    partes[escrita] = 0.2
    contagem = {k: int(n * p) for k, p in partes.items()}
    restos = sorted(partes, key=lambda k: n * partes[k] - contagem[k], reverse=True)
    for k in restos[: n - sum(contagem.values())]:
        contagem[k] += 1
    plano = [k for k, c in contagem.items() for _ in range(c)]
    random.Random(semente).shuffle(plano)
    return plano


def planos(total: int, clientes: int, semente: int = 0) -> list[list[str]]:
    """One plan per client (the total split as evenly as possible); even clients write
    movements, odd ones pré-separações, so the writes are 10% + 10% overall."""
    base, sobra = divmod(total, clientes)
    escritas = list(ESCRITAS)
    return [
        plano_do_cliente(base + (1 if i < sobra else 0), escritas[i % len(escritas)], semente + i)
        for i in range(clientes)
    ]


# ---------------------------------------------------------------- preparation (Django in this process)


@dataclass
class Dados:
    corpos_consulta: list[dict]
    produtos_pagina: list[str]
    produtos_movimento: list[str]
    linhas_pre: list[tuple[str, str]]  # (num_pedido, cod_produto) with free quantity
    hoje: str
    usuarios: list[tuple[str, str]]  # (username, write kind)
    proximas_linhas: Iterator[tuple[str, str]] = field(init=False)

    def __post_init__(self):
        self.proximas_linhas = itertools.cycle(self.linhas_pre)


def preparar(banco: str, clientes: int, planos_: list[list[str]]) -> Dados:
    os.environ["DATABASE_URL"] = banco
    os.environ.setdefault("DJANGO_DEBUG", "1")  # this process only reads/writes setup rows
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    os.environ["LOG_LEVEL"] = "WARNING"  # not one line per request of the clients (httpx logs at INFO)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from benchmarks.bench_api import escolher_produtos
    from carteira.models import CarteiraPrincipal
    from estoque.models import CadastroPalletizacao, EstoqueTempoReal

    call_command("migrate", verbosity=0)
    n_produtos = CadastroPalletizacao.objects.count()
    if not n_produtos:
        sys.exit(f"banco sem dados de demonstração: rode gerar_dados_demo --escala 10 em {banco}")
    call_command("estoque_agendar", verbosity=0)  # the minute reconciliation, as dev.py run does
    # No Odoo to reach on this machine: no scheduled carteira sync failing (dev.py run does the same).
    os.environ["CARTEIRA_SINCRONIZACAO_MINUTOS"] = "0"
    call_command("sincronizar_carteira", agendar=True, verbosity=0)

    senha = make_password(SENHA)  # hashed once; every bench user gets the same hash
    usuarios = []
    for i in range(clientes):
        escrita = list(ESCRITAS)[i % len(ESCRITAS)]
        nome = f"carga_{i + 1:02d}"
        usuario, _ = get_user_model().objects.get_or_create(username=nome)
        usuario.password, usuario.is_active, usuario.is_staff = senha, True, False
        usuario.save()
        usuario.groups.set([Group.objects.get(name=PAPEL_DA_ESCRITA[escrita])])
        usuarios.append((nome, escrita))

    corpos = [{"produtos": escolher_produtos(50, semente), "dias": 28} for semente in range(20)]
    principais = list(EstoqueTempoReal.objects.order_by("cod_produto").values_list("cod_produto", flat=True))
    rng = random.Random(7)
    produtos_pagina = rng.sample(principais, min(200, len(principais)))
    produtos_movimento = rng.sample(principais, min(300, len(principais)))
    pre_total = sum(p.count("pre_separacao") for p in planos_)
    linhas = list(
        CarteiraPrincipal.objects.abertas()
        .com_saldo_livre()
        .filter(qtd_livre__gte=5)
        .order_by("num_pedido", "cod_produto")
        .values_list("num_pedido", "cod_produto")
    )
    rng.shuffle(linhas)
    # Each pré-separação takes 1 unit of the next line (cycled): a line gets at most 5, so none lacks saldo.
    if pre_total > 5 * len(linhas):
        sys.exit(f"{pre_total} pré-separações planejadas, só {len(linhas)} linhas com saldo livre >= 5")
    linhas = linhas[: max(pre_total, 1)]
    hoje = timezone.localdate()
    connection.close()
    return Dados(corpos, produtos_pagina, produtos_movimento, linhas, (hoje + timedelta(days=3)).isoformat(), usuarios)


def contagens() -> dict[str, int]:
    from django.db import connection

    from carteira.models import PreSeparacaoItem
    from estoque.models import MovimentacaoEstoque, ReparoEstoque

    resultado = {
        "movimentações": MovimentacaoEstoque.objects.count(),
        "movimentações do bench": MovimentacaoEstoque.objects.filter(observacao=MARCA).count(),
        "pré-separações": PreSeparacaoItem.objects.count(),
        "pré-separações do bench": PreSeparacaoItem.objects.filter(observacoes_usuario=MARCA).count(),
        "reparos da reconciliação": ReparoEstoque.objects.count(),
    }
    connection.close()
    return resultado


def execucoes_de_reconciliacao_desde(marco) -> list[tuple[int, int, str]]:
    from django.db import connection

    from estoque.models import ReconciliacaoExecucao

    linhas = list(
        ReconciliacaoExecucao.objects.filter(iniciado_em__gte=marco)
        .order_by("iniciado_em")
        .values_list("produtos_verificados", "produtos_corrigidos", "erro")
    )
    connection.close()
    return linhas


# ---------------------------------------------------------------- the clients


@dataclass
class Resultado:
    tempos: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    erros: collections.Counter = field(default_factory=collections.Counter)
    amostras_erro: list[str] = field(default_factory=list)
    criados: collections.Counter = field(default_factory=collections.Counter)
    nao_enviadas: int = 0
    tempos_login: list[float] = field(default_factory=list)

    def erro(self, tipo: str, motivo: str, detalhe: str = ""):
        self.erros[(tipo, motivo)] += 1
        if len(self.amostras_erro) < 12:
            titulo = re.search(r"<title>(.*?)</title>", detalhe, re.S)  # an HTML error page: its title
            texto = titulo.group(1) if titulo else detalhe
            self.amostras_erro.append(f"{tipo}: {motivo} {' '.join(texto.split())}"[:300])


class Cliente:
    def __init__(self, indice: int, usuario: str, base: str, dados: Dados, resultado: Resultado):
        self.indice, self.usuario, self.base, self.dados, self.r = indice, usuario, base, dados, resultado
        self.rng = random.Random(1000 + indice)
        self.http = httpx.AsyncClient(
            base_url=base,
            timeout=httpx.Timeout(30),
            follow_redirects=False,
            headers={"User-Agent": "bench_carga"},
            # Below uvicorn's keep-alive timeout (5 s): a connection idle since the logins is not
            # reused just as the server closes it (RemoteProtocolError; a browser would retry).
            limits=httpx.Limits(keepalive_expiry=3),
        )

    def _csrf(self) -> dict[str, str]:
        # As a browser's fetch from our pages: the cookie's token in the header, same Origin.
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", ""), "Origin": self.base, "Referer": f"{self.base}/"}

    async def entrar(self):
        pagina = await self.http.get("/entrar/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', pagina.text)
        if pagina.status_code != 200 or not token:
            raise RuntimeError(f"{self.usuario}: /entrar/ respondeu {pagina.status_code}")
        resposta = await self.http.post(
            "/entrar/",
            data={"username": self.usuario, "password": SENHA, "csrfmiddlewaretoken": token.group(1)},
            headers={"Origin": self.base, "Referer": f"{self.base}/entrar/"},
        )
        if resposta.status_code != 302 or "sessionid" not in self.http.cookies:
            raise RuntimeError(f"{self.usuario}: login respondeu {resposta.status_code}")

    def _requisicao(self, tipo: str) -> tuple[str, str, dict]:
        d = self.dados
        if tipo == "consultar":
            return "POST", "/api/estoque/tempo-real/consultar", {"json": self.rng.choice(d.corpos_consulta)}
        if tipo == "produto":
            return "GET", f"/estoque/produto/{self.rng.choice(d.produtos_pagina)}/", {}
        if tipo == "saldo":
            return "GET", "/estoque/", {"params": {"pagina": str(self.rng.randint(1, 5))}}
        if tipo == "movimentacao":
            entrada = self.rng.random() < 0.5
            corpo = {
                "cod_produto": self.rng.choice(d.produtos_movimento),
                "tipo_movimentacao": "ENTRADA" if entrada else "SAIDA",
                "qtd_movimentacao": self.rng.randint(1, 20) * (1 if entrada else -1),
                "observacao": MARCA,
            }
            return "POST", "/api/estoque/movimentacoes", {"json": corpo}
        # Pré-separação: 1 unit of the next line with free quantity (each line once, the loop is one thread).
        num_pedido, cod = next(d.proximas_linhas)
        corpo = {
            "num_pedido": num_pedido,
            "cod_produto": cod,
            "qtd_selecionada_usuario": 1,
            "data_expedicao_editada": d.hoje,
            "observacoes_usuario": MARCA,
        }
        return "POST", "/api/carteira/pre-separacoes", {"json": corpo}

    async def rodar(self, plano: list[str], prazo: float):
        for feitas, tipo in enumerate(plano):
            if time.monotonic() >= prazo:
                self.r.nao_enviadas += len(plano) - feitas
                return
            metodo, caminho, extra = self._requisicao(tipo)
            cabecalhos = self._csrf() if metodo == "POST" else {}
            inicio = time.perf_counter()
            try:
                resposta = await self.http.request(metodo, caminho, headers=cabecalhos, **extra)
            except httpx.HTTPError as erro:
                self.r.erro(tipo, type(erro).__name__, caminho)
                continue
            self.r.tempos[tipo].append(time.perf_counter() - inicio)
            if resposta.status_code >= 400:
                self.r.erro(tipo, f"HTTP {resposta.status_code}", resposta.text[:2000])
            elif resposta.status_code == 201:
                self.r.criados[tipo] += 1

    async def fechar(self):
        await self.http.aclose()


async def carga(
    base: str, dados: Dados, planos_: list[list[str]], segundos: float, resultado: Resultado, logins_simultaneos: int
) -> float:
    clientes = [Cliente(i, nome, base, dados, resultado) for i, (nome, _) in enumerate(dados.usuarios)]
    try:
        # Logins before the clock starts, a few at a time (people arrive over a minute, not in one
        # second): each holds one of its process's pool connections through a PBKDF2 hash, and 8 at
        # once on 2 busy cores made the pool time out (10 s) for the others (HTTP 500, see the report).
        semaforo = asyncio.Semaphore(logins_simultaneos)

        async def entrar(c) -> bool:
            async with semaforo:
                inicio = time.perf_counter()
                try:
                    await c.entrar()
                except (RuntimeError, httpx.HTTPError) as erro:
                    resultado.erro("login", type(erro).__name__, str(erro))
                    return False
                resultado.tempos_login.append(time.perf_counter() - inicio)
                return True

        entraram = await asyncio.gather(*(entrar(c) for c in clientes))
        inicio = time.monotonic()
        prazo = inicio + segundos
        await asyncio.wait_for(
            asyncio.gather(*(c.rodar(p, prazo) for c, p, ok in zip(clientes, planos_, entraram) if ok)), segundos + 60
        )
        return time.monotonic() - inicio
    finally:
        await asyncio.gather(*(c.fechar() for c in clientes))


# ---------------------------------------------------------------- report


def percentis(amostras_s: list[float]) -> str:
    if len(amostras_s) < 2:
        return f"n={len(amostras_s)}"
    ms = sorted(t * 1000 for t in amostras_s)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return f"n={len(ms):>5}  p50 {q[49]:7.1f} ms  p95 {q[94]:7.1f} ms  p99 {q[98]:7.1f} ms  máx {ms[-1]:7.1f} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clientes", type=int, default=50)
    parser.add_argument("--requisicoes", type=int, default=3000, help="total planejado (todos os clientes)")
    parser.add_argument("--segundos", type=float, default=180, help="teto de tempo da fase medida")
    parser.add_argument("--banco", default=BANCO_PADRAO, help="URL do PostgreSQL com os dados de demonstração")
    parser.add_argument("--porta", type=int, default=0, help="porta em 127.0.0.1 (0: uma livre)")
    parser.add_argument("--workers", type=int, default=2, help="processos do uvicorn")
    parser.add_argument(
        "--pool", type=int, default=0, help="DB_POOL_MAX de cada processo web (0: o padrão de produção, 4)"
    )
    parser.add_argument("--redis", default=REDIS_PADRAO, help="Redis (um índice de banco só deste teste, vazio)")
    args = parser.parse_args(argv)
    if not 1 <= args.clientes <= 200 or not 1 <= args.requisicoes <= 100_000 or not 1 <= args.segundos <= 1800:
        parser.error("limites: 1..200 clientes, 1..100000 requisições, 1..1800 segundos")

    import redis as redis_lib

    conexao_redis = redis_lib.Redis.from_url(args.redis)
    if conexao_redis.dbsize():
        sys.exit(f"o Redis {args.redis} não está vazio: use um índice de banco livre (--redis)")

    planos_ = planos(args.requisicoes, args.clientes)
    dados = preparar(args.banco, args.clientes, planos_)
    # The same check before the run: a divergence found after it is then the run's, not older.
    codigo_antes, saida_antes = verificar_estoque(args.banco)
    print(
        f"estoque_verificar antes da carga (código {codigo_antes}): {saida_antes.splitlines()[-1] if saida_antes else '-'}"
    )
    antes = contagens()
    from django.utils import timezone

    marco = timezone.now()
    porta = args.porta or porta_livre()
    base = f"http://127.0.0.1:{porta}"
    pasta = Path(tempfile.mkdtemp(prefix="bench_carga_"))
    ambiente = ambiente_producao(args.banco, args.redis, pasta, args.pool)
    servidores = Servidores()
    resultado = Resultado()
    carga_1min: list[float] = []
    try:
        servidores.iniciar("qcluster", [sys.executable, "manage.py", "qcluster"], ambiente, pasta)
        servidores.iniciar(
            "qcluster_ruptura",
            [sys.executable, "manage.py", "qcluster"],
            {**ambiente, "Q_CLUSTER_NAME": "ruptura"},
            pasta,
        )
        servidores.iniciar(
            "uvicorn",
            [
                sys.executable,
                "-m",
                "uvicorn",
                "estoque_project.asgi:application",
                *opcoes_uvicorn("127.0.0.1", porta, args.workers),
            ],
            ambiente,
            pasta,
        )
        subida = time.monotonic()
        saude = esperar_saude(base, servidores)
        subida = time.monotonic() - subida
        servidores.marcar_logs()
        estatico = httpx.get(f"{base}/static/css/app.css", timeout=10)
        print(
            f"servidores no ar em {base}: uvicorn --workers {args.workers} (DB_POOL_MAX {args.pool or 'padrão, 4'}), qcluster (padrão) e qcluster ruptura, "
            f"Redis {args.redis}; /saude/ {saude} em {subida:.0f} s; /static/css/app.css {estatico.status_code} "
            f"({len(estatico.content)} bytes, {estatico.headers.get('cache-control', 'sem cache-control')})"
        )
        print(f"carga da máquina antes (loadavg 1/5/15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        async def com_amostras():
            parar = asyncio.Event()

            async def amostrar():
                while not parar.is_set():
                    carga_1min.append(os.getloadavg()[0])
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(parar.wait(), 5)

            tarefa = asyncio.create_task(amostrar())
            try:
                return await carga(base, dados, planos_, args.segundos, resultado, args.workers)
            finally:
                parar.set()
                await tarefa

        duracao = asyncio.run(com_amostras())
        saude_depois = httpx.get(f"{base}/saude/", timeout=10)
    finally:
        codigos = servidores.parar()
        conexao_redis.flushdb()  # it was empty before: only this run's keys
    depois = contagens()
    execucoes = execucoes_de_reconciliacao_desde(marco)
    codigo_verificacao, saida_verificacao = verificar_estoque(args.banco)
    imprimir(args, resultado, duracao, carga_1min, antes, depois, execucoes, saude_depois, codigos, servidores)
    print("\nestoque_verificar (todo o catálogo, servidores parados):")
    linhas = saida_verificacao.splitlines()
    for linha in linhas[:20]:
        print(f"  {linha}")
    if len(linhas) > 20:
        print(f"  ... ({len(linhas) - 20} linhas a mais)")
    achado = re.search(r"(\d+) produtos verificados; (\d+) com divergência", saida_verificacao)
    divergencias = int(achado.group(2)) if achado else None
    print(
        f"divergências: {divergencias if achado else 'não lidas da saída'} "
        f"(código de saída {codigo_verificacao}; meta 0: {'ok' if divergencias == 0 and codigo_verificacao == 0 else 'NÃO'})"
    )
    print(f"logs dos servidores: {pasta}")


def imprimir(args, r: Resultado, duracao, carga_1min, antes, depois, execucoes, saude_depois, codigos, servidores):
    excecoes = sum(n for (tipo, motivo), n in r.erros.items() if tipo != "login" and not motivo.startswith("HTTP"))
    enviadas = sum(len(t) for t in r.tempos.values()) + excecoes
    erros = sum(r.erros.values())
    print()
    print(
        f"{args.clientes} clientes, {enviadas} requisições de {args.requisicoes} planejadas "
        f"(não enviadas pelo teto de {args.segundos:g} s: {r.nao_enviadas}), em {duracao:.1f} s: "
        f"{enviadas / duracao:.1f} req/s"
    )
    todos: list[float] = []
    for tipo in [*LEITURAS, *ESCRITAS]:
        todos += r.tempos.get(tipo, [])
        print(f"  {tipo:<14} {percentis(r.tempos.get(tipo, []))}")
    print(f"  {'todas':<14} {percentis(todos)}")
    leituras = sum(len(r.tempos.get(t, [])) for t in LEITURAS)
    escritas = sum(len(r.tempos.get(t, [])) for t in ESCRITAS)
    print(
        f"  leituras {leituras} ({100 * leituras / max(enviadas, 1):.1f}%), escritas {escritas} "
        f"({100 * escritas / max(enviadas, 1):.1f}%)"
    )
    print(f"  login (antes da medição, {args.workers} por vez) {percentis(r.tempos_login)}")
    print(f"erros: {erros} (meta 0: {'ok' if erros == 0 else 'NÃO'})")
    for (tipo, motivo), n in sorted(r.erros.items()):
        print(f"  {tipo}: {motivo} x{n}")
    for amostra in r.amostras_erro:
        print(f"  amostra: {amostra}")
    print(
        f"carga da máquina (loadavg 1 min) durante a medição: mín {min(carga_1min, default=0):.2f}, "
        f"máx {max(carga_1min, default=0):.2f}; ao fim {os.getloadavg()[0]:.2f} em {os.cpu_count()} CPUs"
    )
    print("gravações (contadas no banco antes e depois; respostas 201 do bench):")
    for chave, tipo in (("movimentações", "movimentacao"), ("pré-separações", "pre_separacao")):
        print(
            f"  {chave}: {antes[chave]} -> {depois[chave]} (+{depois[chave] - antes[chave]}); "
            f"do bench +{depois[chave + ' do bench'] - antes[chave + ' do bench']}; 201 recebidos {r.criados[tipo]}"
        )
    reparos = depois["reparos da reconciliação"] - antes["reparos da reconciliação"]
    print(
        f"reconciliação agendada durante a carga: {len(execucoes)} execuções "
        f"({', '.join(f'{v} verificados/{c} corrigidos' + (f' erro {e[:60]}' if e else '') for v, c, e in execucoes) or '-'}); "
        f"reparos registrados: {reparos} (meta 0)"
    )
    print(f"/saude/ ao fim da carga: {saude_depois.status_code} {saude_depois.text[:200]}")
    print(f"parada dos servidores (SIGTERM): {json.dumps(codigos)}")
    for nome, (linhas, causas) in servidores.problemas_nos_logs().items():
        print(
            f"  log {nome} durante a carga: {len(linhas)} linhas de erro"
            + (f"; primeira: {linhas[0][:200]}" if linhas else "")
        )
        for causa, n in causas.most_common(5):
            print(f"    exceção x{n}: {causa}")


if __name__ == "__main__":
    main()
