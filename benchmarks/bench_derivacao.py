"""Benchmark of the derivation engine (not a test). On PostgreSQL:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_estoque \\
        .venv/bin/python -m benchmarks.bench_derivacao --escala 1 [--gerar]

Prints, measured in one run: the per-write cost of a movement insert with and without the
derivation (and their ratio), the full rebuild time, and the whole-catalog reconciliation
time. --gerar (re)generates the demo data at that scale first.
"""

import argparse
import os
import statistics
import time
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
django.setup()

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from estoque.fontes import sem_derivacao
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque, MovimentacaoPrevista
from estoque.services import reconciliacao, reconstrucao
from estoque.services.unificacao import resolver_principais


def percentil(valores, p):
    ordenados = sorted(valores)
    return ordenados[min(len(ordenados) - 1, int(round(p / 100 * (len(ordenados) - 1))))]


nus: list[int] = []  # the bare inserts (no derivation)


def medir_escritas(codigos, n, com_derivacao):
    tempos = []
    hoje = timezone.localdate()
    for i in range(n):
        cod = codigos[i % len(codigos)]
        inicio = time.perf_counter()
        if com_derivacao:
            MovimentacaoEstoque.objects.create(
                cod_produto=cod,
                qtd_movimentacao=Decimal("1"),
                tipo_movimentacao="AJUSTE",
                data_movimentacao=hoje,
                observacao="bench",
            )
        else:
            with transaction.atomic(), sem_derivacao(MovimentacaoEstoque):
                nu = MovimentacaoEstoque.objects.create(
                    cod_produto=cod,
                    qtd_movimentacao=Decimal("1"),
                    tipo_movimentacao="AJUSTE",
                    data_movimentacao=hoje,
                    observacao="bench",
                )
            nus.append(nu.pk)
        tempos.append((time.perf_counter() - inicio) * 1000)
    return tempos


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--escala", type=float, default=1)
    parser.add_argument("--gerar", action="store_true")
    parser.add_argument("--escritas", type=int, default=2000)
    parser.add_argument(
        "--so-escritas",
        action="store_true",
        help="só a inserção com/sem derivação (sem o rebuild e a reconciliação; as linhas do bench saem pelo motor)",
    )
    args = parser.parse_args()
    print(f"banco: {connection.vendor} {connection.settings_dict['NAME']}  escala: {args.escala}")
    if args.gerar:
        inicio = time.perf_counter()
        call_command("gerar_dados_demo", escala=args.escala, limpar=True)
        print(f"geração dos dados: {time.perf_counter() - inicio:.1f} s")
    movimentos = MovimentacaoEstoque.objects.count()
    codigos = list(EstoqueTempoReal.objects.order_by("cod_produto").values_list("cod_produto", flat=True)[:200])
    print(
        f"movimentações: {movimentos:,}  produtos (principais): {EstoqueTempoReal.objects.count():,}  "
        f"linhas previstas: {MovimentacaoPrevista.objects.count():,}"
    )

    # Interleave the two variants so both see the same cache and table state.
    com, sem = [], []
    for _ in range(4):
        sem += medir_escritas(codigos, args.escritas // 4, False)
        com += medir_escritas(codigos, args.escritas // 4, True)
    print(f"inserção de movimento SEM derivação: média {statistics.mean(sem):.3f} ms  p95 {percentil(sem, 95):.3f} ms")
    print(f"inserção de movimento COM derivação: média {statistics.mean(com):.3f} ms  p95 {percentil(com, 95):.3f} ms")
    print(f"custo relativo da derivação (média com / sem): {statistics.mean(com) / statistics.mean(sem):.2f}x")
    print(f"carga da máquina (loadavg 1 min): {os.getloadavg()[0]:.1f} em {os.cpu_count()} CPUs")
    if args.so_escritas:
        # The bare inserts never reached the derived tables: take them out the same way, then the rest through the engine.
        with sem_derivacao(MovimentacaoEstoque):
            MovimentacaoEstoque.objects.filter(observacao="bench", pk__in=nus).delete()
        MovimentacaoEstoque.objects.filter(observacao="bench").delete()
        return
    # Leave no trace of the bench rows (the unaccounted inserts go too; the rebuild below fixes the rest).
    with sem_derivacao(MovimentacaoEstoque):
        MovimentacaoEstoque.objects.filter(observacao="bench").delete()

    inicio = time.perf_counter()
    total = reconstrucao.reconstruir()
    print(f"rebuild completo: {time.perf_counter() - inicio:.2f} s ({total:,} produtos)")

    # The whole catalog as the sweep and the admin verify it (one snapshot, set-based), and the
    # per-product path a list of products takes (reconciliar(produtos=...)), side by side.
    inicio = time.perf_counter()
    verificados, encontrados = reconciliacao.verificar_catalogo(corrigir=True)
    print(
        f"reconciliação do catálogo inteiro (verificar_catalogo): {time.perf_counter() - inicio:.2f} s "
        f"({verificados:,} produtos, {len(encontrados)} com divergência)"
    )
    inicio = time.perf_counter()
    principais = sorted(set(resolver_principais(reconciliacao.todos_os_codigos()).values()))
    encontrados = reconciliacao.verificar(principais, corrigir=True)
    print(
        f"o mesmo pelo caminho por lista de produtos (verificar): {time.perf_counter() - inicio:.2f} s "
        f"({len(principais):,} produtos, {len(encontrados)} com divergência)"
    )


if __name__ == "__main__":
    main()
