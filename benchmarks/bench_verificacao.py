"""Benchmark of the set-based verification and rebuild (issue 16; not a test). On PostgreSQL:

    DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_verif_e100 \\
        .venv/bin/python -m benchmarks.bench_verificacao [--rebuild-antigo]

Prints, in one run, side by side: the whole-catalog verification the old way (the codes walked
5,000 at a time, then each batch of 2,000 principals re-read from every source) and the new
way (one snapshot, one grouped pass per source), with their ratio; the new rebuild on the
healthy database and after emptying EstoqueTempoReal and MovimentacaoPrevista (optionally
the old per-batch rebuild too); and `estoque_verificar` at the end, which must find zero
divergences. It WRITES to the database (empties and rebuilds the derived tables): use a
bench database. Every figure is printed with the 1-minute loadavg.
"""

import argparse
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
django.setup()

from django.core.management import call_command
from django.db import connection

from estoque.models import EstoqueTempoReal, MovimentacaoEstoque, MovimentacaoPrevista
from estoque.services import recalculo, reconciliacao, reconstrucao, transacao, travas
from estoque.services.unificacao import resolver_principais


def carga() -> str:
    return f"loadavg {os.getloadavg()[0]:.2f}"


def codigos_antigo() -> list[str]:
    """The codes as the old path walked them: 5,000 at a time, a DISTINCT query per table."""
    codigos: list[str] = []
    cursor = ""
    while lote := reconciliacao.proximos_codigos(cursor, 5000):
        codigos += lote
        cursor = lote[-1]
    return codigos


def verificar_antigo() -> tuple[float, int, int]:
    inicio = time.perf_counter()
    principais = sorted(set(resolver_principais(codigos_antigo()).values()))
    encontrados = reconciliacao.verificar(principais, corrigir=False)
    return time.perf_counter() - inicio, len(principais), len(encontrados)


def verificar_novo() -> tuple[float, int, int]:
    inicio = time.perf_counter()
    verificados, encontrados = reconciliacao.verificar_catalogo(corrigir=False)
    return time.perf_counter() - inicio, verificados, len(encontrados)


def _fatia_antiga(fatia):
    travas.travar_unificacao()
    travas.travar_produtos(fatia)
    recalculo.gravar(recalculo.calcular_esperado(fatia))


def rebuild_antigo() -> float:
    """The old rebuild's main loop: each locked batch of 2,000 recomputed from the sources."""
    inicio = time.perf_counter()
    principais = sorted(set(resolver_principais(codigos_antigo()).values()))
    for i in range(0, len(principais), 2000):
        transacao.executar(_fatia_antiga, principais[i : i + 2000])
    return time.perf_counter() - inicio


def rebuild_novo() -> tuple[float, int]:
    inicio = time.perf_counter()
    total = reconstrucao.reconstruir()
    return time.perf_counter() - inicio, total


def esvaziar_derivadas():
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MovimentacaoPrevista._meta.db_table}")
        cursor.execute(f"DELETE FROM {EstoqueTempoReal._meta.db_table}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild-antigo", action="store_true", help="also time the old per-batch rebuild")
    args = parser.parse_args()
    print(
        f"base {connection.settings_dict['NAME']}: {EstoqueTempoReal.objects.count():,} produtos, "
        f"{MovimentacaoEstoque.objects.count():,} movimentações, "
        f"{MovimentacaoPrevista.objects.count():,} linhas previstas; {carga()}"
    )

    antigo, n_antigo, d_antigo = verificar_antigo()
    print(
        f"verificação ANTIGA (lotes de 2.000, releitura por lote): {antigo:.2f} s  ({n_antigo:,} produtos, "
        f"{d_antigo} divergentes)  {carga()}"
    )
    novo, n_novo, d_novo = verificar_novo()
    print(
        f"verificação NOVA (uma fotografia, uma passada por fonte): {novo:.2f} s  ({n_novo:,} produtos, "
        f"{d_novo} divergentes)  {carga()}"
    )
    print(f"razão antiga / nova: {antigo / novo:.2f}x")

    if args.rebuild_antigo:
        tempo = rebuild_antigo()
        print(f"rebuild ANTIGO (lotes de 2.000 recalculados das origens): {tempo:.2f} s  {carga()}")
    saudavel, total = rebuild_novo()
    print(f"rebuild NOVO, base saudável: {saudavel:.2f} s  ({total:,} produtos)  {carga()}")
    esvaziar_derivadas()
    vazia, total = rebuild_novo()
    print(f"rebuild NOVO, tabelas derivadas esvaziadas antes: {vazia:.2f} s  ({total:,} produtos)  {carga()}")
    if args.rebuild_antigo:
        print(f"razão rebuild antigo / novo (base saudável): {tempo / saudavel:.2f}x")

    inicio = time.perf_counter()
    try:
        call_command("estoque_verificar")
        status = 0
    except SystemExit as saida:
        status = saida.code
    print(f"estoque_verificar ao final: status {status} em {time.perf_counter() - inicio:.2f} s  {carga()}")


if __name__ == "__main__":
    main()
