"""Benchmark: the stock pages /estoque/ (200 rows) and /estoque/produto/<cod>/, on PostgreSQL.

For each demo scale (manage.py gerar_dados_demo --escala N) it times, in one run, the pages
through the whole Django stack in process (test Client: middleware, session, permissions,
template rendering; no network): server-side time per request, p50/p95/p99, and the queries
per request. Targets (printed, not asserted): /estoque/ p95 < 200 ms, product page p95 < 100 ms,
each at most 1.3x slower at scale 100 than at scale 1. Other views of the list (a filter, a
sort by a computed column, a search) and the live-update endpoints are printed alongside.

    .venv/bin/python -m benchmarks.bench_paginas --escala 1 100 [--reusar]

Each scale has its own database, bench_paginas_e<escala> on the server of --servidor (created and
migrated when missing; --reusar keeps the data already generated: scale 100 takes minutes).
Each scale runs in a child process; the parent prints the table and the ratios.
"""

import argparse
import itertools
import json
import os
import random
import statistics
import subprocess
import sys
import time

from benchmarks.bench_api import _criar_banco, cronometrar, gerar_dados, percentis

SERVIDOR_PADRAO = "postgres://postgres@127.0.0.1:5432"
PRODUTOS_ROTACAO = 20
META_SALDO_P95_MS = 200.0
META_PRODUTO_P95_MS = 100.0
META_RAZAO = 1.3

# (key, label, main target?) of what is measured; the URLs are built per scale (product codes).
MEDIDAS = (
    ("saldo", "/estoque/ 200 linhas (padrão)", True),
    ("produto", "/estoque/produto/<cod>/", True),
    ("saldo_critico", "/estoque/ 200, status CRÍTICO", False),
    ("saldo_busca", "/estoque/ busca por nome", False),
    ("saldo_carteira", "/estoque/ 200, ordem -carteira", False),
    ("api_linhas", "API saldo (10 códigos, ao vivo)", False),
    ("api_composicao", "API composição (28 dias)", False),
)


def preparar_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    _criar_banco(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def escolher_produtos(n: int) -> list[str]:
    """Products a user opens: stock-outs with orders first, some OK ones, some by an alias code."""
    from django.db.models import F

    from estoque.models import CodigoUnificado, EstoqueTempoReal

    rng = random.Random(20240601)
    criticos = list(
        EstoqueTempoReal.objects.filter(status="CRITICO")
        .order_by("cod_produto")
        .values_list("cod_produto", flat=True)[:500]
    )
    outros = list(
        EstoqueTempoReal.objects.filter(status="OK").order_by("cod_produto").values_list("cod_produto", flat=True)[:500]
    )
    apelidos = list(
        CodigoUnificado.objects.exclude(cod_produto=F("cod_principal"))
        .order_by("cod_produto")
        .values_list("cod_produto", flat=True)[:100]
    )
    escolhidos = rng.sample(criticos, min(n // 2, len(criticos)))
    escolhidos += rng.sample(apelidos, min(n // 5, len(apelidos)))
    escolhidos += rng.sample(outros, min(n - len(escolhidos), len(outros)))
    return escolhidos


def medir(escala: float, iteracoes: int, iteracoes_extras: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from estoque.models import CadastroPalletizacao, EstoqueTempoReal

    usuario, _ = get_user_model().objects.get_or_create(
        username="bench_paginas", defaults={"is_staff": True, "is_superuser": True}
    )
    cliente = Client()
    cliente.force_login(usuario)
    produtos = escolher_produtos(PRODUTOS_ROTACAO)
    nome = CadastroPalletizacao.objects.order_by("cod_produto").values_list("nome_produto", flat=True).first()
    busca = nome.split()[0] if nome else "A"
    ao_vivo = list(EstoqueTempoReal.objects.order_by("cod_produto").values_list("cod_produto", flat=True)[:10])
    urls = {
        "saldo": itertools.repeat("/estoque/?por_pagina=200"),
        "produto": itertools.cycle([f"/estoque/produto/{cod}/" for cod in produtos]),
        "saldo_critico": itertools.repeat("/estoque/?por_pagina=200&status=CRITICO"),
        "saldo_busca": itertools.repeat(f"/estoque/?q={busca}"),
        "saldo_carteira": itertools.repeat("/estoque/?por_pagina=200&ordem=-carteira"),
        "api_linhas": itertools.repeat("/api/estoque/tempo-real/saldo?page_size=10&produtos=" + ",".join(ao_vivo)),
        "api_composicao": itertools.cycle([f"/api/estoque/tempo-real/produto/{cod}/composicao" for cod in produtos]),
    }

    def chamar(chave):
        proxima = urls[chave].__next__

        def _():
            resposta = cliente.get(proxima())
            assert resposta.status_code == 200, (chave, resposta.status_code)
            return resposta

        return _

    consultas = {}
    for chave, _, _ in MEDIDAS:
        contagens = set()
        for _ in range(PRODUTOS_ROTACAO if chave in ("produto", "api_composicao") else 1):
            with CaptureQueriesContext(connection) as capturadas:
                chamar(chave)()
            contagens.add(len(capturadas))
        consultas[chave] = "/".join(map(str, sorted(contagens)))
    reset_queries()

    tempos = {chave: [] for chave, _, _ in MEDIDAS}
    cpu = {chave: [] for chave, _, _ in MEDIDAS}
    rodadas = 5
    carga_inicio = os.getloadavg()[0]
    for _ in range(rodadas):  # interleaved rounds: a drift of the machine hits every page alike
        for chave, _, principal in MEDIDAS:
            n = (iteracoes if principal else iteracoes_extras) // rodadas
            parede, processador = cronometrar(chamar(chave), max(n, 1), 2)
            tempos[chave] += parede
            cpu[chave] += processador
    return {
        "escala": escala,
        "consultas": consultas,
        "amostras": {chave: len(t) for chave, t in tempos.items()},
        "tempos": {chave: percentis(t) if len(t) > 1 else _unico(t) for chave, t in tempos.items()},
        "cpu_media_ms": {chave: statistics.fmean(t) * 1000 for chave, t in cpu.items()},
        "carga": (carga_inicio, os.getloadavg()[0]),
        "tamanho": _tamanho(),
    }


def _unico(amostras):
    ms = amostras[0] * 1000
    return {"p50": ms, "p95": ms, "p99": ms, "media": ms}


def _tamanho() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT reltuples::bigint FROM pg_class WHERE relname = 'estoque_movimentacaoestoque'), "
            "(SELECT count(*) FROM estoque_estoquetemporeal), (SELECT count(*) FROM carteira_carteiraprincipal)"
        )
        movimentos, produtos, carteira = cursor.fetchone()
    return {"movimentos": movimentos, "produtos": produtos, "carteira": carteira}


def imprimir(resultados: list[dict]):
    print()
    print("páginas de estoque: tempo no servidor (ms) pela pilha Django inteira (Client de teste), PostgreSQL")
    print(
        f"{'escala':>6} {'produtos':>8} {'movimentos':>11} {'medida':<34} {'n':>4} {'consultas':>9} "
        f"{'p50':>8} {'p95':>8} {'p99':>8} {'cpu med':>8}"
    )
    for r in resultados:
        for chave, rotulo, _ in MEDIDAS:
            t = r["tempos"][chave]
            print(
                f"{r['escala']:>6g} {r['tamanho']['produtos']:>8,} {r['tamanho']['movimentos']:>11,} {rotulo:<34} "
                f"{r['amostras'][chave]:>4} {r['consultas'][chave]:>9} {t['p50']:>8.1f} {t['p95']:>8.1f} "
                f"{t['p99']:>8.1f} {r['cpu_media_ms'][chave]:>8.1f}"
            )
    print()
    for r in resultados:
        print(
            f"escala {r['escala']:g}: carga da máquina (loadavg 1 min) {r['carga'][0]:.1f} -> {r['carga'][1]:.1f} "
            f"em {os.cpu_count()} CPUs"
        )
    metas = {"saldo": META_SALDO_P95_MS, "produto": META_PRODUTO_P95_MS}
    for r in resultados:
        for chave, meta in metas.items():
            p95 = r["tempos"][chave]["p95"]
            print(
                f"escala {r['escala']:g}: {chave} p95 {p95:.1f} ms (meta < {meta:g}: {'ok' if p95 < meta else 'NÃO'})"
            )
    if len(resultados) > 1:
        primeira, ultima = resultados[0], resultados[-1]
        for chave, rotulo, principal in MEDIDAS:
            razao = ultima["tempos"][chave]["p95"] / primeira["tempos"][chave]["p95"]
            meta = f" (meta <= {META_RAZAO:g}x: {'ok' if razao <= META_RAZAO else 'NÃO'})" if principal else ""
            print(f"{rotulo}: p95 escala {ultima['escala']:g} / escala {primeira['escala']:g} = {razao:.2f}x{meta}")


def banco_da_escala(servidor: str, escala: float) -> str:
    return f"{servidor.rstrip('/')}/bench_paginas_e" + f"{escala:g}".replace(".", "_")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--escala", type=float, nargs="+", default=[1, 100], help="escalas da demo (padrão: 1 100)")
    parser.add_argument("--servidor", default=os.environ.get("BENCH_POSTGRES", SERVIDOR_PADRAO))
    parser.add_argument("--iteracoes", type=int, default=200, help="requisições cronometradas por página-meta")
    parser.add_argument("--iteracoes-extras", type=int, default=25, help="requisições das outras medidas")
    parser.add_argument("--reusar", action="store_true", help="não regerar os dados se o banco já tem a escala")
    parser.add_argument("--filho", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.servidor.startswith("postgres"):
        parser.error("o benchmark é em PostgreSQL (--servidor postgres://usuario@host:porta)")
    if args.filho:
        preparar_django(banco_da_escala(args.servidor, args.escala[0]))
        gerar_dados(args.escala[0], args.reusar)
        resultado = medir(args.escala[0], args.iteracoes, args.iteracoes_extras)
        print("RESULTADO " + json.dumps(resultado), flush=True)
        return
    resultados = []
    for escala in args.escala:
        comando = [
            sys.executable,
            "-m",
            "benchmarks.bench_paginas",
            "--filho",
            "--escala",
            f"{escala:g}",
            "--servidor",
            args.servidor,
            "--iteracoes",
            str(args.iteracoes),
            "--iteracoes-extras",
            str(args.iteracoes_extras),
        ] + (["--reusar"] if args.reusar else [])
        inicio = time.monotonic()
        with subprocess.Popen(comando, stdout=subprocess.PIPE, text=True) as filho:
            for linha in filho.stdout:
                if linha.startswith("RESULTADO "):
                    resultados.append(json.loads(linha.removeprefix("RESULTADO ")))
                else:
                    print(linha, end="", flush=True)
        if filho.returncode:
            sys.exit(f"escala {escala:g}: o processo de medição falhou ({filho.returncode})")
        print(f"escala {escala:g}: medida em {time.monotonic() - inicio:.0f} s", flush=True)
    imprimir(resultados)


if __name__ == "__main__":
    main()
