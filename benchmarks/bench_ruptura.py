"""Benchmark (not a test): the ruptura analysis of every open order, side by side in one run.

1. The page's mechanism, for real: jobs.iniciar over the whole open carteira (what the API's
   POST does), its lots run by a `manage.py qcluster` started here with Q_CLUSTER_NAME=ruptura
   (Q_WORKERS_RUPTURA workers, 2 by default, separate processes) on a Redis broker: seconds to
   the first lot finished (the page's first results) and to the last. Then one page of 100 orders.
2. The current analisar_pedidos over every open order in this one process; then the carteira's
   lots as the workers run them (the catalog snapshot and jobs.em_json), one after another here:
   the CPU the two workers share.
3. The same before issue 16 (carteira/ruptura/analise.py at commit ANTES, read with `git show`),
   in this one process: the speedup measured side by side, whatever the machine's load.

DJANGO_DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ruptura_e100 \\
    .venv/bin/python -m benchmarks.bench_ruptura [--redis redis://127.0.0.1:6379/11] [--sem-antiga]

The Redis database (11 by default) should be one no other cluster reads: a ruptura cluster
elsewhere on the same database would take some of the lots. The analyses are stored in the
benchmark's database (AnaliseRuptura), as the page's are.
"""

import argparse
import gc
import importlib.util
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RAIZ = Path(__file__).resolve().parent.parent
ANTES = "c24a554"  # the last commit before the issue 16 work on the ruptura analysis
REDIS_PADRAO = "redis://127.0.0.1:6379/11"


def _argumentos():
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", default=REDIS_PADRAO)
    parser.add_argument("--sem-antiga", action="store_true", help="skip the pre-issue-16 single-process run")
    parser.add_argument("--sem-cluster", action="store_true", help="skip the qcluster run")
    parser.add_argument("--pagina", type=int, default=100, help="orders of the page scenario")
    return parser.parse_args()


ARGS = _argumentos() if __name__ == "__main__" else None
# Before Django reads its settings: the broker, and no reuse of an analysis of the same orders.
os.environ["REDIS_URL"] = ARGS.redis if ARGS else REDIS_PADRAO
os.environ["RUPTURA_REUSO_SEGUNDOS"] = "0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.utils import timezone

from carteira.models import AnaliseRupturaLote
from carteira.ruptura import jobs
from carteira.ruptura.analise import Instantaneo, analisar_pedidos, pedidos_em_aberto


def carga() -> str:
    return f"loadavg {os.getloadavg()[0]:.2f}"


def _analise_antiga():
    """The module carteira/ruptura/analise.py as it was at ANTES, or None when git cannot give it."""
    try:
        fonte = subprocess.run(
            ["git", "show", f"{ANTES}:carteira/ruptura/analise.py"],
            cwd=RAIZ,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as erro:
        print(f"análise antiga indisponível ({erro}): pulada")
        return None
    caminho = Path(tempfile.mkdtemp()) / "analise_antiga.py"
    caminho.write_text(fonte)
    spec = importlib.util.spec_from_file_location("analise_antiga", caminho)
    modulo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(modulo)
    return modulo


def _cronometrar(funcao):
    """(wall seconds, CPU seconds of this process, result): the CPU figure moves less with the load."""
    inicio, cpu = time.perf_counter(), time.process_time()
    resultado = funcao()
    return time.perf_counter() - inicio, time.process_time() - cpu, resultado


# ---------------------------------------------------------------- the cluster


def iniciar_cluster():
    log = open(Path(tempfile.gettempdir()) / f"bench_ruptura_qcluster_{os.getpid()}.log", "w")  # noqa: SIM115
    env = {**os.environ, "Q_CLUSTER_NAME": settings.RUPTURA_CLUSTER}
    processo = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=RAIZ,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with its workers at the end
    )
    return processo, log


def parar_cluster(processo, log):
    if processo.poll() is None:
        os.killpg(processo.pid, signal.SIGTERM)
        try:
            processo.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(processo.pid, signal.SIGKILL)
            processo.wait()
    log.close()


def esperar(analise, limite: float) -> list:
    """The analysis' lots once all are finished (concluido_em, indice, erro), or raise after `limite` s."""
    fim = time.monotonic() + limite
    while time.monotonic() < fim:
        lotes = list(
            AnaliseRupturaLote.objects.filter(analise=analise, concluido_em__isnull=False).values_list(
                "concluido_em", "indice", "erro"
            )
        )
        if len(lotes) >= analise.total_lotes:
            return lotes
        time.sleep(0.05)
    raise TimeoutError(f"análise {analise.pk}: lotes não concluídos em {limite:.0f} s (o cluster está rodando?)")


def cpu_do_grupo(grupo: int) -> dict[int, float]:
    """pid -> CPU seconds (user + system) of every process in this process group (Linux /proc)."""
    tique = os.sysconf("SC_CLK_TCK")
    resultado = {}
    for entrada in Path("/proc").iterdir():
        if not entrada.name.isdigit():
            continue
        try:
            campos = (entrada / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(campos[2]) == grupo:  # after "pid (comm)": state ppid pgrp ... utime(11) stime(12)
            resultado[int(entrada.name)] = (int(campos[11]) + int(campos[12])) / tique
    return resultado


def paralelismo(antes: dict[int, float], depois: dict[int, float], relogio: float) -> str:
    """CPU each cluster process spent on the run: two workers busy at once is the parallelism."""
    gastos = sorted((depois[pid] - antes.get(pid, 0.0) for pid in depois), reverse=True)
    ocupados = [f"{gasto:.1f} s" for gasto in gastos if gasto >= 0.05]
    return (
        f"CPU por processo do cluster: {', '.join(ocupados) or '—'} em {relogio:.1f} s de relógio "
        f"({sum(gastos) / relogio:.2f} CPUs em média)"
    )


def rodar_pelo_cluster(grupo: int, pedidos: list[str], rotulo: str, limite: float = 600):
    cpu_antes = cpu_do_grupo(grupo)
    inicio = timezone.now()
    t0 = time.perf_counter()
    analise = jobs.iniciar(pedidos, usuario="bench_ruptura")
    enfileirado = time.perf_counter() - t0
    lotes = esperar(analise, limite)
    erros = [(indice, erro) for _, indice, erro in lotes if erro]
    primeiro = (min(concluido for concluido, _, _ in lotes) - inicio).total_seconds()
    lote_zero = next((concluido - inicio).total_seconds() for concluido, indice, _ in lotes if indice == 0)
    todos = (max(concluido for concluido, _, _ in lotes) - inicio).total_seconds()
    print(
        f"{rotulo}: {len(pedidos)} pedidos em {analise.total_lotes} lotes; lotes na fila em {enfileirado:.2f} s; "
        f"primeiros resultados (1º lote concluído) em {primeiro:.2f} s (lote 0: {lote_zero:.2f} s); "
        f"todos em {todos:.2f} s  [{carga()}]"
    )
    print(f"    {paralelismo(cpu_antes, cpu_do_grupo(grupo), todos)}")
    if erros:
        print(f"    LOTES COM ERRO: {erros[:3]}")
    return primeiro, todos


def _lotes_num_processo(pedidos) -> tuple[float, int]:
    """Every lot of the carteira as a worker runs it (jobs.em_json, the snapshot from the first
    lot of LOTE_COM_INSTANTANEO orders on), one after another without storing them: the CPU the
    two workers share. Returns (CPU seconds of the snapshot, orders analysed)."""
    instantaneo, cpu_instantaneo, quantos = None, 0.0, 0
    coletando = gc.isenabled()
    gc.disable()  # as processar_lote
    try:
        for lote in jobs.dividir_em_lotes(pedidos):
            if len(lote) >= jobs.LOTE_COM_INSTANTANEO and instantaneo is None:
                inicio = time.process_time()
                instantaneo = Instantaneo(timezone.localdate())
                cpu_instantaneo = time.process_time() - inicio
            quantos += jobs.em_json(lote, instantaneo if len(lote) >= jobs.LOTE_COM_INSTANTANEO else None)[1]
    finally:
        if coletando:
            gc.enable()
    return cpu_instantaneo, quantos


def main():
    args = ARGS
    pedidos = pedidos_em_aberto()
    workers = settings.Q_CLUSTER["ALT_CLUSTERS"][settings.RUPTURA_CLUSTER]["workers"]
    print(f"banco: {connection.vendor} {connection.settings_dict['NAME']}; pedidos em aberto: {len(pedidos)}")
    if not args.sem_cluster:
        print(
            f"cluster: manage.py qcluster, Q_CLUSTER_NAME={settings.RUPTURA_CLUSTER}, {workers} workers, {args.redis}"
        )
        processo, log = iniciar_cluster()
        try:
            # Warm-up: the workers import the code and open their connections (long-lived in production).
            rodar_pelo_cluster(processo.pid, pedidos[:60], "aquecimento", limite=120)
            rodar_pelo_cluster(processo.pid, pedidos, "carteira inteira pelo cluster")
            rodar_pelo_cluster(
                processo.pid, pedidos[-args.pagina :], f"uma página ({args.pagina} pedidos) pelo cluster"
            )
        finally:
            parar_cluster(processo, log)
    nova, cpu_nova, resultado = _cronometrar(analisar_pedidos)
    ok = sum(1 for r in resultado.values() if r.pedido_ok)
    print(
        f"um processo, código atual: {nova:.2f} s (CPU do processo {cpu_nova:.2f} s; {len(resultado)} pedidos, "
        f"{ok} com estoque OK)  [{carga()}]"
    )
    lotes, cpu_lotes, (cpu_instantaneo, quantos) = _cronometrar(lambda: _lotes_num_processo(pedidos))
    print(
        f"os lotes da carteira em um processo (o trabalho dos workers, sem gravar): {lotes:.2f} s (CPU do processo "
        f"{cpu_lotes:.2f} s, dos quais {cpu_instantaneo:.2f} s no instantâneo do catálogo; {quantos} pedidos)  [{carga()}]"
    )
    antiga = None if args.sem_antiga else _analise_antiga()
    if antiga is not None:
        tempo, cpu, resultado_antigo = _cronometrar(antiga.analisar_pedidos)
        iguais = len(resultado_antigo) == len(resultado)
        print(
            f"um processo, código antes da issue 16 ({ANTES}): {tempo:.2f} s (CPU do processo {cpu:.2f} s; "
            f"{len(resultado_antigo)} pedidos)  [{carga()}]; atual {tempo / nova:.2f}x mais rápido no relógio, "
            f"{cpu / cpu_nova:.2f}x na CPU{'' if iguais else ' (CONTAGENS DIFERENTES)'}"
        )


if __name__ == "__main__":
    main()
