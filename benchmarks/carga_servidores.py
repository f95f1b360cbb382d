"""The production set-up of benchmarks/bench_carga.py: its environment, its processes (started,
watched and stopped by pid), its health, and the stock verification run after it stops."""

import collections
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

RAIZ = Path(__file__).resolve().parent.parent


def porta_livre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ambiente_producao(banco: str, redis: str, pasta: Path, pool: int) -> dict[str, str]:
    ambiente = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DB_", "Q_"))}
    ambiente.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        # No TLS on loopback: plain http as dev.py run (ambiente_local) serves it.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="0",
        DJANGO_SESSION_COOKIE_SECURE="0",
        DJANGO_CSRF_COOKIE_SECURE="0",
        DATABASE_URL=banco,
        REDIS_URL=redis,
        ESTOQUE_DATA_DIR=str(pasta),  # a data dir of its own (static root, cache files)
        LOG_LEVEL="WARNING",
    )
    if pool:
        ambiente["DB_POOL_MAX"] = str(pool)  # else asgi.py's default (4 per web process)
    return ambiente


@dataclass
class Servidores:
    processos: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    inicio_logs: dict[str, int] = field(default_factory=dict)

    def iniciar(self, nome: str, comando: list[str], ambiente: dict, pasta: Path):
        self.logs[nome] = pasta / f"{nome}.log"
        saida = open(self.logs[nome], "wb")  # noqa: SIM115  closed with the process
        self.processos[nome] = subprocess.Popen(comando, cwd=RAIZ, env=ambiente, stdout=saida, stderr=subprocess.STDOUT)

    def parar(self) -> dict[str, int | None]:
        """SIGTERM to each process we started (by pid), then wait; SIGKILL only past 30 s."""
        for processo in self.processos.values():
            if processo.poll() is None:
                processo.send_signal(signal.SIGTERM)
        codigos: dict[str, int | None] = {}
        for nome, processo in self.processos.items():
            try:
                codigos[nome] = processo.wait(timeout=30)
            except subprocess.TimeoutExpired:
                processo.kill()
                codigos[nome] = None  # did not stop cleanly
        return codigos

    def marcar_logs(self):
        """From here on the logs count (the health polling before the load logs its 503s)."""
        self.inicio_logs = {nome: caminho.stat().st_size for nome, caminho in self.logs.items()}

    def problemas_nos_logs(self) -> dict[str, tuple[list[str], collections.Counter]]:
        """Per process: its error lines since marcar_logs, and the exceptions that ended its
        tracebacks ("module.Error: message" lines), counted: the cause of a 500, named."""
        padrao = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception")
        excecao = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Timeout)\b.*")
        problemas = {}
        for nome, caminho in self.logs.items():
            with open(caminho, "rb") as arquivo:
                arquivo.seek(self.inicio_logs.get(nome, 0))
                linhas = arquivo.read().decode(errors="replace").splitlines()
            causas = collections.Counter(linha[:160] for linha in linhas if excecao.match(linha))
            problemas[nome] = ([linha for linha in linhas if padrao.search(linha)], causas)
        return problemas


def esperar_saude(base: str, servidores: Servidores, limite_s: float = 120) -> dict:
    """Until /saude/ answers 200 (database, a cluster's heartbeat, a recent scheduled reconciliation)."""
    fim = time.monotonic() + limite_s
    ultimo = "sem resposta"
    while time.monotonic() < fim:
        for nome, processo in servidores.processos.items():
            if processo.poll() is not None:
                sys.exit(f"{nome} terminou ao subir (código {processo.returncode}); log: {servidores.logs[nome]}")
        try:
            resposta = httpx.get(f"{base}/saude/", timeout=5)
            if resposta.status_code == 200:
                return resposta.json()
            ultimo = f"{resposta.status_code} {resposta.text[:200]}"
        except httpx.HTTPError as erro:
            ultimo = type(erro).__name__
        time.sleep(0.5)
    sys.exit(f"/saude/ não ficou saudável em {limite_s:.0f} s: {ultimo}")


def verificar_estoque(banco: str) -> tuple[int, str]:
    """manage.py estoque_verificar over the whole catalog, the servers stopped: (exit code, output)."""
    ambiente = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": banco}
    ambiente.pop("REDIS_URL", None)
    saida = subprocess.run(
        [sys.executable, "manage.py", "estoque_verificar"],
        cwd=RAIZ,
        env=ambiente,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return saida.returncode, (saida.stdout + saida.stderr).strip()
