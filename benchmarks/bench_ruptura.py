"""Benchmark (not a test): the ruptura analysis of every open order, in one process.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_estoque .venv/bin/python -m benchmarks.bench_ruptura [--gerar --escala 1]
"""

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
django.setup()

from django.core.management import call_command
from django.db import connection

from carteira.ruptura.analise import analisar_pedidos, pedidos_em_aberto


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--escala", type=float, default=1)
    parser.add_argument("--gerar", action="store_true")
    parser.add_argument("--repeticoes", type=int, default=5)
    args = parser.parse_args()
    if args.gerar:
        call_command("gerar_dados_demo", escala=args.escala, limpar=True)
    pedidos = pedidos_em_aberto()
    tempos = []
    for _ in range(args.repeticoes):
        inicio = time.perf_counter()
        resultado = analisar_pedidos()
        tempos.append(time.perf_counter() - inicio)
    ok = sum(1 for r in resultado.values() if r.pedido_ok)
    print(f"banco: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"pedidos em aberto: {len(pedidos)} ({ok} com estoque OK)")
    print(
        f"análise de todos os pedidos: mediana {statistics.median(tempos) * 1000:.0f} ms, "
        f"melhor {min(tempos) * 1000:.0f} ms, pior {max(tempos) * 1000:.0f} ms ({args.repeticoes} rodadas)"
    )


if __name__ == "__main__":
    main()
