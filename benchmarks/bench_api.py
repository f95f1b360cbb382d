"""Benchmark: POST /api/estoque/tempo-real/consultar, 50 products, dias=28, on PostgreSQL.

For each demo scale (manage.py gerar_dados_demo --escala N) it times, in one run:
- the API view (derived tables, estoque.selectors) and
- the naive reference (benchmarks.naive: the same answer computed from the source tables),
both as DRF views called in process (APIRequestFactory, response rendered): server-side
time, no network. Also the API through the whole Django stack as a WSGI server calls it
(WSGIHandler: every middleware, session auth and the CSRF check; chamador_wsgi), the same
through Django's test Client (printed, not the target: see chamador_wsgi), and the floor: the
same derived rows for the same products read with two raw SQL statements and the D0..D28
cumulative sums in plain Python (what no API can beat). Prints p50/p95/p99, the queries per
request and the ratios (target: whole stack p95 <= 4x the floor p95).

    .venv/bin/python -m benchmarks.bench_api --escala 1 100 [--reusar]

Each scale has its own database, bench_api_e<escala> on the server of --servidor (created
and migrated when missing), so both stay loaded and --reusar re-measures without
generating the 18 million movements of scale 100 again. Each scale runs in a child
process (Django binds one database per process); the parent prints the table and the
ratios. Not a test: the targets are printed, not asserted.
"""

import argparse
import gc
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time

SERVIDOR_PADRAO = "postgres://postgres@127.0.0.1:5432"
PRODUTOS = 50
CONJUNTOS = 20  # distinct 50-product workspaces the requests rotate over
DIAS = 28
META_P95_MS = 20.0
META_RAZAO = 10.0
META_PISO = 4.0  # issue 16: API (whole stack) p95 <= 4x the floor p95


def preparar_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    _criar_banco(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def como_o_servidor():
    """What the ASGI/WSGI entry points do once loaded (core.processo): measured as they serve."""
    from core.processo import pronto_para_servir

    pronto_para_servir()


def _criar_banco(url: str):
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    nome = config["NAME"]
    with psycopg.connect(
        host=config["HOST"],
        port=config["PORT"] or 5432,
        user=config["USER"],
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conexao:
        if not conexao.execute("SELECT 1 FROM pg_database WHERE datname = %s", [nome]).fetchone():
            conexao.execute(f'CREATE DATABASE "{nome}"')
            print(f"banco {nome} criado")


def gerar_dados(escala: float, reusar: bool):
    from django.core.management import call_command

    from estoque.models import CadastroPalletizacao

    esperado = round(600 * escala)
    if reusar and CadastroPalletizacao.objects.count() == esperado:
        print(f"escala {escala:g}: reusando os dados já gerados ({esperado} produtos)")
        return
    inicio = time.monotonic()
    call_command("gerar_dados_demo", escala=escala, limpar=True, verbosity=0)
    print(f"escala {escala:g}: dados gerados em {time.monotonic() - inicio:.0f} s")


def escolher_produtos(n: int, semente: int = 0) -> list[str]:
    """Codes a workspace would ask for: products of open orders, some of them alias codes."""
    from django.db.models import F

    from carteira.models import CarteiraPrincipal
    from estoque.models import CodigoUnificado

    rng = random.Random(20240601 + semente)
    da_carteira = list(
        CarteiraPrincipal.objects.order_by("cod_produto").values_list("cod_produto", flat=True).distinct()
    )
    apelidos = sorted(
        CodigoUnificado.objects.exclude(cod_produto=F("cod_principal"))
        .order_by("cod_produto")
        .values_list("cod_produto", flat=True)[:100]
    )
    escolhidos = rng.sample(apelidos, min(5, len(apelidos)))
    restantes = [cod for cod in da_carteira if cod not in escolhidos]
    escolhidos += rng.sample(restantes, min(n - len(escolhidos), len(restantes)))
    return escolhidos


def percentis(amostras_s: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in amostras_s)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"p50": q[49], "p95": q[94], "p99": q[98], "media": statistics.fmean(ms)}


def cronometrar(chamar, iteracoes: int, aquecimento: int) -> tuple[list[float], list[float]]:
    """Wall time per request, and this process's CPU time per request (the part a busy
    machine's other processes cannot inflate by making us wait). Each block starts with the
    garbage of the previous one collected: the naive view's ORM objects are not collected on
    the next side's clock."""
    gc.collect()
    for _ in range(aquecimento):
        chamar()
    tempos, cpu = [], []
    for _ in range(iteracoes):
        inicio, inicio_cpu = time.perf_counter(), time.process_time()
        chamar()
        tempos.append(time.perf_counter() - inicio)
        cpu.append(time.process_time() - inicio_cpu)
    return tempos, cpu


def piso(codigos: list[str], hoje, dias: int = DIAS) -> dict[str, list]:
    """The floor: the same derived rows read with two raw SQL statements (alias codes resolved
    to their principal inside them) and the cumulative sums D0..D(dias) in plain Python.

    Deliberately separate from estoque.projecao (same rule: an overdue outflow counts on D0,
    an overdue inflow not at all): {asked code: [saldo_final D0..D(dias)]}."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection

    from estoque.models import CodigoUnificado, EstoqueTempoReal, MovimentacaoPrevista

    cu, etr, mp = (m._meta.db_table for m in (CodigoUnificado, EstoqueTempoReal, MovimentacaoPrevista))
    principal = f"SELECT p.cod, COALESCE(cu.cod_principal, p.cod) AS principal FROM unnest(%s::text[]) AS p(cod) LEFT JOIN {cu} cu ON cu.cod_produto = p.cod"
    fim = hoje + timedelta(days=dias)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.cod, a.principal, e.saldo_atual FROM ({principal}) a "
            f"LEFT JOIN {etr} e ON e.cod_produto = a.principal",
            [codigos],
        )
        saldos = cursor.fetchall()
        cursor.execute(
            f"SELECT cod_produto, data_prevista, entrada_prevista, saida_prevista FROM {mp} "
            f"WHERE cod_produto IN (SELECT principal FROM ({principal}) a) AND data_prevista <= %s",
            [codigos, fim],
        )
        previstas = cursor.fetchall()
    por_dia: dict[str, dict[int, Decimal]] = {}
    for cod, data, entrada, saida in previstas:
        k = (data - hoje).days
        dia = por_dia.setdefault(cod, {})
        if k >= 0:
            dia[k] = dia.get(k, 0) + entrada - saida
        else:
            dia[0] = dia.get(0, 0) - saida
    resultado = {}
    for cod, principal_, saldo in saldos:
        saldo = saldo if saldo is not None else Decimal(0)
        dia = por_dia.get(principal_, {})
        finais = []
        for k in range(dias + 1):
            saldo += dia.get(k, 0)
            finais.append(saldo)
        resultado[cod] = finais
    return resultado


def medir(escala: float, iteracoes: int, iteracoes_ingenuo: int, rodadas: int = 20) -> dict:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory, force_authenticate

    from benchmarks.naive import consultar_ingenuo
    from estoque.api import ConsultarAPI
    from estoque.serializers import ConsultaSerializer

    class ConsultarIngenuoAPI(ConsultarAPI):
        """The same endpoint, answered by the naive selector."""

        def post(self, request):
            serializer = ConsultaSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            return Response(consultar_ingenuo(serializer.validated_data["produtos"], serializer.validated_data["dias"]))

    usuario, _ = get_user_model().objects.get_or_create(username="bench_api", defaults={"is_staff": True})
    usuario.groups.add(Group.objects.get(name="Comercial"))  # the stock's view permissions (acesso/papeis.py)
    # Requests rotate over several workspaces (different product sets), as users open
    # different orders: asking the same 50 products over and over would measure a cache.
    corpos = [{"produtos": escolher_produtos(PRODUTOS, semente), "dias": DIAS} for semente in range(CONJUNTOS)]
    fabrica = APIRequestFactory()
    visoes = {"api": ConsultarAPI.as_view(), "ingenuo": ConsultarIngenuoAPI.as_view()}

    def chamar(nome, corpo=None):
        proximo = itertools.cycle(corpos).__next__

        def _():
            requisicao = fabrica.post("/api/estoque/tempo-real/consultar", corpo or proximo(), format="json")
            force_authenticate(requisicao, user=usuario)
            resposta = visoes[nome](requisicao)
            resposta.render()
            assert resposta.status_code == 200, resposta.content
            return resposta

        return _

    # The two answers must agree, for every product set, before their times mean anything.
    consultas = {"api": set(), "ingenuo": set()}
    for corpo in corpos:
        respostas = {}
        for nome in visoes:
            with CaptureQueriesContext(connection) as capturadas:
                respostas[nome] = json.loads(chamar(nome, corpo)().content)
            consultas[nome].add(len(capturadas))
        for produto in respostas["api"]["produtos"] + respostas["ingenuo"]["produtos"]:
            produto.pop("atualizado_em")
        if respostas["api"] != respostas["ingenuo"]:
            sys.exit(f"escala {escala:g}: a API e o seletor ingênuo discordam; benchmark inválido")
        with CaptureQueriesContext(connection) as capturadas:
            finais = piso(corpo["produtos"], timezone.localdate())
        consultas.setdefault("piso", set()).add(len(capturadas))
        do_piso = {
            cod: [float(s) for s in saldos]
            for cod, saldos in finais.items()
            if cod in {p["cod_produto"] for p in respostas["api"]["produtos"]}
        }
        da_api = {p["cod_produto"]: [d["saldo_final"] for d in p["projecao"]] for p in respostas["api"]["produtos"]}
        if do_piso != da_api:
            sys.exit(f"escala {escala:g}: a API e o piso discordam; benchmark inválido")
        assert len(respostas["api"]["produtos"]) == PRODUTOS, respostas["api"]["nao_encontrados"]
    consultas = {nome: "/".join(map(str, sorted(n))) for nome, n in consultas.items()}

    cliente = Client()
    cliente.force_login(usuario)
    proximo_corpo = itertools.cycle(corpos).__next__

    def pilha_cliente_de_teste():
        resposta = cliente.post("/api/estoque/tempo-real/consultar", proximo_corpo(), content_type="application/json")
        assert resposta.status_code == 200

    pilha_completa = chamador_wsgi(cliente, "/api/estoque/tempo-real/consultar", corpos)

    def chamar_piso():
        piso(proximo_piso()["produtos"], timezone.localdate())

    proximo_piso = itertools.cycle(corpos).__next__

    # Interleaved rounds, so a drift of the machine hits every side alike: many short blocks
    # (25 requests each by default), not a few long ones that one slow spell can fall on.
    tempos = {"piso": [], "api": [], "ingenuo": [], "api_pilha": [], "api_cliente": []}
    cpu = {"piso": [], "api": [], "ingenuo": [], "api_pilha": [], "api_cliente": []}
    carga_inicio = os.getloadavg()[0]
    for _ in range(rodadas):
        for nome, funcao, n, aquecimento in (
            ("piso", chamar_piso, iteracoes, 5),
            ("api", chamar("api"), iteracoes, 5),
            ("ingenuo", chamar("ingenuo"), iteracoes_ingenuo, 2),
            ("api_pilha", pilha_completa, iteracoes, 5),
            ("api_cliente", pilha_cliente_de_teste, iteracoes, 5),
        ):
            parede, processador = cronometrar(funcao, n // rodadas, aquecimento)
            tempos[nome] += parede
            cpu[nome] += processador
    return {
        "escala": escala,
        "consultas": consultas,
        "amostras": {nome: len(t) for nome, t in tempos.items()},
        "tempos": {nome: percentis(t) for nome, t in tempos.items()},
        "cpu_media_ms": {nome: statistics.fmean(t) * 1000 for nome, t in cpu.items()},
        "carga": (carga_inicio, os.getloadavg()[0]),
        "tamanho": _tamanho_do_livro(),
    }


def chamador_wsgi(cliente, caminho: str, corpos: list[dict]):
    """The whole stack as a WSGI server calls it: Django's WSGIHandler (every middleware, the
    session and CSRF checks, the view, the response closed), with the cookies a logged-in browser
    sends: the test client's session, a CSRF cookie and its token in the header.

    Not the test client itself: it makes every response a reference cycle (response.json is a
    partial holding the response), so the whole answer (1,450 projection days) stays alive until
    the collector runs, work that a server, which frees the response once it is sent, never does.
    That path is still printed ("cliente de teste")."""
    import io

    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpRequest
    from django.middleware.csrf import get_token

    gerador = HttpRequest()
    token = get_token(gerador)
    https = settings.SECURE_SSL_REDIRECT
    host = next(h for h in settings.ALLOWED_HOSTS if h != "*" and not h.startswith("."))
    fixos = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": caminho,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "SERVER_NAME": host,
        "SERVER_PORT": "443" if https else "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "HTTP_ORIGIN": f"{'https' if https else 'http'}://{host}",
        "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={cliente.cookies[settings.SESSION_COOKIE_NAME].value}; "
        f"{settings.CSRF_COOKIE_NAME}={gerador.META['CSRF_COOKIE']}",
        "HTTP_X_CSRFTOKEN": token,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "https" if https else "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    corpos_json = [json.dumps(corpo).encode() for corpo in corpos]
    proximo = itertools.cycle(corpos_json).__next__
    aplicacao = WSGIHandler()

    def chamar():
        corpo = proximo()
        estado = []
        resposta = aplicacao(
            {**fixos, "CONTENT_LENGTH": str(len(corpo)), "wsgi.input": io.BytesIO(corpo)},
            lambda status, cabecalhos, exc_info=None: estado.append(status),
        )
        try:
            b"".join(resposta)
        finally:
            resposta.close()
        assert estado[0].startswith("200"), estado

    return chamar


def _tamanho_do_livro() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT reltuples::bigint FROM pg_class WHERE relname = 'estoque_movimentacaoestoque'), "
            "(SELECT count(*) FROM estoque_estoquetemporeal), (SELECT count(*) FROM estoque_movimentacaoprevista)"
        )
        movimentos, produtos, previstas = cursor.fetchone()
    return {"movimentos": movimentos, "produtos": produtos, "previstas": previstas}


def imprimir(resultados: list[dict]):
    print()
    print(
        f"consultar: {PRODUTOS} produtos, dias={DIAS}, {CONJUNTOS} conjuntos de produtos em rodízio; "
        "tempos no servidor (ms), PostgreSQL"
    )
    print(
        f"{'escala':>6} {'movimentos':>11} {'lado':<22} {'n':>5} {'consultas':>9} "
        f"{'p50':>8} {'p95':>8} {'p99':>8} {'cpu med':>8}"
    )
    for r in resultados:
        for nome, rotulo in (
            ("piso", "piso (2 SQL + Python)"),
            ("api", "API (view)"),
            ("api_pilha", "API (pilha Django)"),
            ("api_cliente", "API (cliente de teste)"),
            ("ingenuo", "ingênuo (view)"),
        ):
            t = r["tempos"][nome]
            consultas = r["consultas"][nome if nome in ("ingenuo", "piso") else "api"]
            print(
                f"{r['escala']:>6g} {r['tamanho']['movimentos']:>11,} {rotulo:<22} {r['amostras'][nome]:>5} "
                f"{consultas:>9} {t['p50']:>8.2f} {t['p95']:>8.2f} {t['p99']:>8.2f} {r['cpu_media_ms'][nome]:>8.2f}"
            )
    print()
    for r in resultados:
        print(
            f"escala {r['escala']:g}: carga da máquina (loadavg 1 min) {r['carga'][0]:.1f} -> {r['carga'][1]:.1f} "
            f"em {os.cpu_count()} CPUs"
        )
    for r in resultados:
        api, ingenuo = r["tempos"]["api"]["p95"], r["tempos"]["ingenuo"]["p95"]
        razao = ingenuo / api
        # The targets: p95 < 20 ms at every scale; >= 10x the naive selector at scale 100.
        meta_razao = (
            f" (meta >= {META_RAZAO:g}x: {'ok' if razao >= META_RAZAO else 'NÃO'})" if r["escala"] >= 100 else ""
        )
        print(
            f"escala {r['escala']:g}: p95 API {api:.2f} ms (meta < {META_P95_MS:g}: "
            f"{'ok' if api < META_P95_MS else 'NÃO'}), ingênuo {ingenuo:.2f} ms, "
            f"razão ingênuo/API {razao:.1f}x{meta_razao}"
        )
    for r in resultados:
        piso_p95, pilha = r["tempos"]["piso"]["p95"], r["tempos"]["api_pilha"]["p95"]
        razao = pilha / piso_p95
        print(
            f"escala {r['escala']:g}: p95 piso {piso_p95:.2f} ms, API (view) {r['tempos']['api']['p95']:.2f} ms, "
            f"API (pilha Django) {pilha:.2f} ms; razão pilha/piso {razao:.1f}x "
            f"(meta <= {META_PISO:g}x: {'ok' if razao <= META_PISO else 'NÃO'})"
        )
    if len(resultados) > 1:
        primeira, ultima = resultados[0], resultados[-1]
        print(
            f"API p95 escala {ultima['escala']:g} / escala {primeira['escala']:g}: "
            f"{ultima['tempos']['api']['p95'] / primeira['tempos']['api']['p95']:.2f}x "
            f"(livro {ultima['tamanho']['movimentos'] / max(primeira['tamanho']['movimentos'], 1):.0f}x maior)"
        )


def banco_da_escala(servidor: str, escala: float) -> str:
    return f"{servidor.rstrip('/')}/bench_api_e" + f"{escala:g}".replace(".", "_")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escala", type=float, nargs="+", default=[1, 100], help="escalas da demo (padrão: 1 100)")
    parser.add_argument("--servidor", default=os.environ.get("BENCH_POSTGRES", SERVIDOR_PADRAO))
    parser.add_argument("--iteracoes", type=int, default=500, help="requisições cronometradas da API por escala")
    parser.add_argument("--iteracoes-ingenuo", type=int, default=100, help="requisições do seletor ingênuo")
    parser.add_argument("--rodadas", type=int, default=20, help="blocos intercalados de cada lado")
    parser.add_argument("--reusar", action="store_true", help="não regerar os dados se o banco já tem a escala")
    parser.add_argument("--filho", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.servidor.startswith("postgres"):
        parser.error("o benchmark é em PostgreSQL (--servidor postgres://usuario@host:porta)")
    if args.filho:
        # One scale, in this process: generate if needed, measure, print the result as JSON.
        preparar_django(banco_da_escala(args.servidor, args.escala[0]))
        gerar_dados(args.escala[0], args.reusar)
        como_o_servidor()
        print(
            "RESULTADO " + json.dumps(medir(args.escala[0], args.iteracoes, args.iteracoes_ingenuo, args.rodadas)),
            flush=True,
        )
        return
    resultados = []
    for escala in args.escala:
        comando = [
            sys.executable,
            "-m",
            "benchmarks.bench_api",
            "--filho",
            "--escala",
            f"{escala:g}",
            "--servidor",
            args.servidor,
            "--iteracoes",
            str(args.iteracoes),
            "--iteracoes-ingenuo",
            str(args.iteracoes_ingenuo),
            "--rodadas",
            str(args.rodadas),
        ] + (["--reusar"] if args.reusar else [])
        with subprocess.Popen(comando, stdout=subprocess.PIPE, text=True) as filho:
            for linha in filho.stdout:
                if linha.startswith("RESULTADO "):
                    resultados.append(json.loads(linha.removeprefix("RESULTADO ")))
                else:
                    print(linha, end="", flush=True)
        if filho.returncode:
            sys.exit(f"escala {escala:g}: o processo de medição falhou ({filho.returncode})")
    imprimir(resultados)


if __name__ == "__main__":
    main()
