"""Benchmark of the Excel exports (not a test). On PostgreSQL, after loading demo data:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_relatorios \\
        .venv/bin/python manage.py gerar_dados_demo --escala 100 --limpar
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_relatorios \\
        .venv/bin/python -m benchmarks.bench_relatorios [--relatorio carteira-detalhada] [--todos]

Each measurement runs in a fresh child process, so its figures are its own: wall time, rows
written, file size, peak RSS growth over the process's size before the export (getrusage)
and peak Python heap (tracemalloc, in a second run, as tracing slows Python down; skip it
with --sem-tracemalloc). The same
export is measured on the whole carteira and on a narrow date range, and the ratios are
printed: constant memory means the peak hardly moves while the rows grow many times.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta

ESTE_MODULO = "benchmarks.bench_relatorios"


def rss_atual_kb() -> int:
    with open("/proc/self/statm") as arquivo:
        paginas = int(arquivo.read().split()[1])
    return paginas * os.sysconf("SC_PAGE_SIZE") // 1024


def medir(chave: str, dias: int | None, rastrear: bool) -> dict:
    """Child process: one export, measured."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from core.periodo import Periodo
    from relatorios import exportacoes

    connection.ensure_connection()
    hoje = timezone.localdate()
    periodo = Periodo(hoje - timedelta(days=dias), hoje) if dias is not None else Periodo()
    rss_antes = rss_atual_kb()
    if rastrear:
        tracemalloc.start()
    inicio = time.perf_counter()
    exportacao = exportacoes.gerar(chave, periodo)
    segundos = time.perf_counter() - inicio
    pico_heap = tracemalloc.get_traced_memory()[1] if rastrear else None
    tamanho = os.fstat(exportacao.arquivo.fileno()).st_size
    exportacao.arquivo.close()
    pico_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "chave": chave,
        "dias": dias,
        "vendor": connection.vendor,
        "segundos": segundos,
        "linhas": exportacao.linhas,
        "bytes": tamanho,
        "pico_heap_mb": pico_heap / 2**20 if pico_heap is not None else None,
        "rss_antes_mb": rss_antes / 1024,
        "pico_rss_mb": pico_rss / 1024,
        "crescimento_rss_mb": (pico_rss - rss_antes) / 1024,
    }


def rodar_filho(chave: str, dias: int | None, rastrear: bool) -> dict:
    comando = [sys.executable, "-m", ESTE_MODULO, "--filho", chave, "--dias", "" if dias is None else str(dias)]
    if rastrear:
        comando.append("--rastrear")
    saida = subprocess.run(comando, check=True, capture_output=True, text=True)
    return json.loads(saida.stdout.strip().splitlines()[-1])


def medir_relatorio(chave: str, dias_estreito: int, rastrear: bool) -> None:
    from relatorios.exportacoes import RELATORIOS

    print(f"\n== {chave}", flush=True)
    faixas = (
        (("estreito", dias_estreito), ("completo", None)) if RELATORIOS[chave].campo_data else (("completo", None),)
    )
    resultados = {}
    for rotulo, dias in faixas:
        tempo = rodar_filho(chave, dias, rastrear=False)
        memoria = rodar_filho(chave, dias, rastrear=True) if rastrear else {"pico_heap_mb": None}
        resultados[rotulo] = (tempo, memoria)
        faixa = "sem filtro" if dias is None else f"data nos últimos {dias} dias"
        heap = f"pico heap {memoria['pico_heap_mb']:6.1f} MiB  " if rastrear else ""
        print(
            f"  {rotulo:9s} ({faixa}): {tempo['linhas']:>9,} linhas  {tempo['segundos']:8.1f} s  "
            f"{tempo['linhas'] / max(tempo['segundos'], 1e-9):>8,.0f} linhas/s  arquivo {tempo['bytes'] / 2**20:7.1f} MiB  "
            f"{heap}RSS +{tempo['crescimento_rss_mb']:6.1f} MiB (pico do processo {tempo['pico_rss_mb']:.0f} MiB)".replace(
                ",", "."
            ),
            flush=True,
        )
    if len(resultados) == 2 and resultados["estreito"][0]["linhas"]:
        (t_e, m_e), (t_c, m_c) = resultados["estreito"], resultados["completo"]
        razoes = [
            f"linhas {t_c['linhas'] / t_e['linhas']:.1f}x",
            f"tempo {t_c['segundos'] / t_e['segundos']:.1f}x",
            f"crescimento RSS {t_c['crescimento_rss_mb'] / max(t_e['crescimento_rss_mb'], 0.1):.2f}x",
        ]
        if rastrear:
            razoes.append(f"pico heap {m_c['pico_heap_mb'] / m_e['pico_heap_mb']:.2f}x")
        print("  razões completo/estreito: " + ", ".join(razoes), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--relatorio", default="carteira-detalhada")
    parser.add_argument("--todos", action="store_true", help="the five workbooks")
    parser.add_argument("--dias-estreito", type=int, default=3, help="narrow range: the last N days")
    parser.add_argument("--sem-tracemalloc", action="store_true", help="skip the (slow) traced runs")
    parser.add_argument("--filho", help=argparse.SUPPRESS)
    parser.add_argument("--dias", default="", help=argparse.SUPPRESS)
    parser.add_argument("--rastrear", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.filho:
        print(json.dumps(medir(args.filho, int(args.dias) if args.dias else None, args.rastrear)))
        return
    chaves = (
        ["pre-separacoes", "separacoes", "carteira", "carteira-detalhada", "producao"]
        if args.todos
        else [args.relatorio]
    )
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    django.setup()
    print(f"banco: {os.environ.get('DATABASE_URL', '(SQLite padrão)')}", flush=True)
    for chave in chaves:
        medir_relatorio(chave, args.dias_estreito, not args.sem_tracemalloc)


if __name__ == "__main__":
    main()
