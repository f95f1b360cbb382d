"""dev.py run stops its children (web server, cluster) on SIGTERM and SIGHUP as on Ctrl+C.

The supervisor runs in a child process (it installs signal handlers) with dummy commands
in place of uvicorn and qcluster; one of them ignores SIGINT and SIGTERM, as a stuck server
would, so the escalation to SIGKILL is exercised too (and its death proves the supervisor
killed it: the parent-death signal, SIGTERM, would not).
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parents[2]


def vivo(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sinal", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_supervisor_encerra_os_filhos(tmp_path, sinal):
    filho = textwrap.dedent(
        """
        import os, signal, sys, time
        if sys.argv[2] == "teimoso":
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        open(sys.argv[1], "w").write(str(os.getpid()))
        time.sleep(120)
        """
    )
    (tmp_path / "filho.py").write_text(filho)
    comandos = [
        [sys.executable, str(tmp_path / "filho.py"), str(tmp_path / f"pid{i}"), tipo]
        for i, tipo in enumerate(("comum", "teimoso"))
    ]
    supervisor = subprocess.Popen(
        [sys.executable, "-c", f"import sys, dev; sys.exit(dev.supervisionar({comandos!r}, espera_segundos=4))"],
        cwd=RAIZ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        fim = time.monotonic() + 20
        while not all((tmp_path / f"pid{i}").exists() and (tmp_path / f"pid{i}").read_text() for i in range(2)):
            assert time.monotonic() < fim, "os filhos não subiram"
            assert supervisor.poll() is None, supervisor.stdout.read()
            time.sleep(0.05)
        pids = [int((tmp_path / f"pid{i}").read_text()) for i in range(2)]
        supervisor.send_signal(sinal)
        saida, _ = supervisor.communicate(timeout=20)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    vivos = [pid for pid in pids if vivo(pid)]
    for pid in vivos:
        os.kill(pid, signal.SIGKILL)
    assert "Encerrando" in saida
    assert not vivos, saida


def test_comando_com_ambiente_proprio(tmp_path):
    """dev.py run starts the ruptura cluster as (arguments, {"Q_CLUSTER_NAME": "ruptura"})."""
    saida = tmp_path / "ambiente"
    codigo = f"import os; open({str(saida)!r}, 'w').write(os.environ.get('Q_CLUSTER_NAME', '-'))"
    comandos = [([sys.executable, "-c", codigo], {"Q_CLUSTER_NAME": "ruptura"})]
    resultado = subprocess.run(
        [sys.executable, "-c", f"import sys, dev; sys.exit(dev.supervisionar({comandos!r}, espera_segundos=4))"],
        cwd=RAIZ,
        timeout=60,
    )
    assert resultado.returncode == 0
    assert saida.read_text() == "ruptura"
