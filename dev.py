#!/usr/bin/env python3
"""The project's two commands. Needs only Python 3.11+; everything else it installs.

    python3 dev.py run    # set up, then run the system on SQLite with demo data
    python3 dev.py test   # set up, then run the whole test suite
    python3 dev.py lint   # ruff (lint, format, import order) and mypy on the engine
    python3 dev.py manage ARGS  # manage.py on the local setup of `run` (same data/ and key)

`run` serves the web app (uvicorn, ASGI: live streams hold no thread) and the django-q2
cluster, and stops both on Ctrl+C, SIGTERM or SIGHUP; `test` runs pytest (on PostgreSQL
when DATABASE_URL is set, as CI does; PostgreSQL-only tests are skipped on SQLite).
"""

import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import venv
from contextlib import contextmanager
from pathlib import Path

RAIZ = Path(__file__).resolve().parent
VENV = RAIZ / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
MARCA = VENV / ".instalado"
USUARIO_DEMO, SENHA_DEMO = "admin", "admin123"
SENHA_PAPEIS = "demo-tempo-real"  # the per-role demo users (acesso/papeis.py: usuario_demo)
PASTA_DADOS = Path(os.environ.get("ESTOQUE_DATA_DIR", RAIZ / "data"))


def ambiente_local():
    """The environment of a developer's machine: DEBUG stays off (as in production), with a
    random SECRET_KEY generated once into data/ (gitignored) and plain http on 127.0.0.1
    (no HTTPS redirect, HSTS or secure cookies). Variables already set win."""
    arquivo = PASTA_DADOS / "chave_secreta"
    if not os.environ.get("DJANGO_SECRET_KEY"):
        if not arquivo.exists():
            PASTA_DADOS.mkdir(parents=True, exist_ok=True)
            arquivo.write_text(secrets.token_urlsafe(64))
            arquivo.chmod(0o600)
        os.environ["DJANGO_SECRET_KEY"] = arquivo.read_text().strip()
    for nome in (
        "DJANGO_SECURE_SSL_REDIRECT",
        "DJANGO_SECURE_HSTS_SECONDS",
        "DJANGO_SESSION_COOKIE_SECURE",
        "DJANGO_CSRF_COOKIE_SECURE",
    ):
        os.environ.setdefault(nome, "0")


def passo(texto):
    print(f"\n==> {texto}", flush=True)


def executar(*argumentos, **opcoes):
    subprocess.run([str(a) for a in argumentos], check=True, cwd=RAIZ, **opcoes)


def preparar_ambiente():
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 ou mais novo é necessário (este é {sys.version.split()[0]}).")
    if not PYTHON.exists():
        passo("Criando o ambiente virtual em .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    assinatura = hashlib.sha256((RAIZ / "pyproject.toml").read_bytes()).hexdigest()
    if not MARCA.exists() or MARCA.read_text() != assinatura:
        passo("Instalando dependências (pip install -e '.[dev]')")
        executar(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--upgrade", "pip")
        executar(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-e", ".[dev]")
        MARCA.write_text(assinatura)


def manage(*argumentos, **opcoes):
    executar(PYTHON, "manage.py", *argumentos, **opcoes)


def django_python(codigo):
    """Run a snippet with Django set up; return its stdout."""
    preambulo = "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'estoque_project.settings'); django.setup()\n"
    saida = subprocess.run(
        [str(PYTHON), "-c", preambulo + codigo], check=True, cwd=RAIZ, capture_output=True, text=True
    )
    return saida.stdout.strip()


def comando_run():
    # SIGTERM/SIGHUP during the setup too: the running step (pip, migrate) is killed with us.
    for sinal in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sinal is not None:
            signal.signal(sinal, _encerrar)
    try:
        return _rodar()
    except Encerrar as motivo:
        sys.exit(f"\nInterrompido ({motivo}) durante a preparação.")


def _rodar():
    preparar_ambiente()
    ambiente_local()
    passo("Aplicando migrações")
    manage("migrate", "--no-input", "-v", "0")
    tem_dados = django_python(
        "from estoque.models import CadastroPalletizacao; print(CadastroPalletizacao.objects.exists())"
    )
    if tem_dados != "True":
        passo("Gerando dados de demonstração (escala 1: 600 produtos, um ano de movimentações)")
        manage("gerar_dados_demo", "--escala", "1")
    django_python(
        "from django.contrib.auth import get_user_model\n"
        "U = get_user_model()\n"
        f"U.objects.filter(username='{USUARIO_DEMO}').exists() or "
        f"U.objects.create_superuser('{USUARIO_DEMO}', 'admin@example.com', '{SENHA_DEMO}')"
    )
    passo("Usuários de demonstração, um por papel")
    manage("criar_usuarios_demo", "--senha", SENHA_PAPEIS)
    manage("estoque_agendar", "-v", "0")
    if not os.environ.get("ODOO_URL"):
        # Demo without an Odoo to reach: no scheduled carteira sync failing every half hour.
        manage("sincronizar_carteira", "--agendar", env={**os.environ, "CARTEIRA_SINCRONIZACAO_MINUTOS": "0"})
    porta = os.environ.get("PORT", "8000")
    passo("Iniciando o servidor web (uvicorn, ASGI) e o cluster django-q2 (Ctrl+C encerra)")
    comandos = [
        [str(PYTHON), "manage.py", "qcluster"],
        # The ruptura analysis has a cluster of its own: it can never delay the reconciliation.
        ([str(PYTHON), "manage.py", "qcluster"], {"Q_CLUSTER_NAME": "ruptura"}),
        [str(PYTHON), "-m", "uvicorn", "estoque_project.asgi:application", *opcoes_uvicorn("127.0.0.1", porta)],
    ]

    def anunciar():
        time.sleep(2)
        print(
            f"\n  Sistema no ar: http://127.0.0.1:{porta}/\n"
            f"  Entrar: http://127.0.0.1:{porta}/entrar/\n"
            f"  Login de demonstração: usuário '{USUARIO_DEMO}', senha '{SENHA_DEMO}' (superusuário)\n"
            f"  Um usuário por papel (listados acima, ver o README), senha '{SENHA_PAPEIS}'\n"
            f"  API: http://127.0.0.1:{porta}/api/docs/\n",
            flush=True,
        )

    return supervisionar(comandos, cwd=RAIZ, ao_iniciar=anunciar)


def opcoes_uvicorn(host, porta, workers=1):
    """The ASGI server's options (dev.py run and the README's production command)."""
    return [
        "--host",
        host,
        "--port",
        str(porta),
        "--workers",
        str(workers),
        # Open live streams would hold a shutdown forever: they get this long, then are cut
        # (the browsers reconnect to the next server).
        "--timeout-graceful-shutdown",
        "5",
    ]


class Encerrar(Exception):
    """SIGTERM or SIGHUP reached dev.py: stop the children as Ctrl+C does."""


def _encerrar(numero, _quadro):
    raise Encerrar(signal.Signals(numero).name)


def _morrer_com_o_pai():
    # Linux: a child gets SIGTERM if dev.py itself dies without cleaning up (kill -9).
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# Signals that stop the supervisor: held back while a child is spawned (see _sinais_adiados).
_SINAIS = {s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None}


@contextmanager
def _sinais_adiados():
    """A stop signal arriving while a child is spawned is delivered once the child is in the list:
    raised inside Popen it left that child unsupervised (alive, holding dev.py's stdout)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    signal.pthread_sigmask(signal.SIG_BLOCK, _SINAIS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SINAIS)


def _preparar_filho():
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _SINAIS)  # the mask is inherited: the child gets them again
    _morrer_com_o_pai()


def _comando_e_ambiente(comando):
    """A command is a list of arguments, or (arguments, extra environment variables)."""
    if isinstance(comando, tuple):
        argumentos, extras = comando
        return argumentos, {**os.environ, **extras}
    return comando, None


def supervisionar(comandos, cwd=None, ao_iniciar=None, espera_segundos=15):
    """Run the commands as child processes until one exits, or Ctrl+C / SIGTERM / SIGHUP;
    then stop every child (SIGINT, then SIGTERM, then SIGKILL) and wait for them. Returns the
    worst exit status."""
    anteriores = {}
    for sinal in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sinal is not None:
            anteriores[sinal] = signal.signal(sinal, _encerrar)
    # Ctrl+C stops it even when started with SIGINT ignored (a shell's background job inherits
    # SIG_IGN, and Python then installs no KeyboardInterrupt handler).
    anteriores[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    processos = []
    try:
        for comando in comandos:
            argumentos, ambiente = _comando_e_ambiente(comando)
            with _sinais_adiados():
                processos.append(
                    subprocess.Popen(
                        argumentos, env=ambiente, cwd=cwd, preexec_fn=_preparar_filho if os.name == "posix" else None
                    )
                )
        if ao_iniciar:
            ao_iniciar()
        while all(p.poll() is None for p in processos):
            time.sleep(0.5)
    except (KeyboardInterrupt, Encerrar) as motivo:
        print(f"\n==> Encerrando ({type(motivo).__name__} {motivo})".rstrip(), flush=True)
    finally:
        for sinal in anteriores:
            signal.signal(sinal, signal.SIG_IGN)  # a second signal must not interrupt the cleanup
        _parar(processos, espera_segundos)
        for sinal, anterior in anteriores.items():
            signal.signal(sinal, anterior)
    return max(((p.returncode or 0) for p in processos), default=0)


def _parar(processos, espera_segundos):
    for sinal in (signal.SIGINT, signal.SIGTERM):
        for processo in processos:
            if processo.poll() is None:
                processo.send_signal(sinal)
        fim = time.monotonic() + espera_segundos / 2
        while time.monotonic() < fim and any(p.poll() is None for p in processos):
            time.sleep(0.1)
    for processo in processos:
        if processo.poll() is None:
            processo.kill()
        processo.wait()


def garantir_postgres():
    """CI asks for PostgreSQL: fail, do not skip, when it cannot be reached."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("ESTOQUE_EXIGIR_POSTGRES=1 exige DATABASE_URL apontando para PostgreSQL.")
    try:
        django_python("from django.db import connection; connection.ensure_connection(); print('ok')")
    except subprocess.CalledProcessError as erro:
        sys.exit(f"PostgreSQL inacessível em {url}:\n{erro.stderr}")


def garantir_chromium():
    """Browser tests drive Debian's Chromium; install it when missing and we may."""
    if shutil.which("chromium") or os.environ.get("ESTOQUE_SEM_NAVEGADOR") == "1":
        return
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        passo("Instalando o Chromium (testes de navegador)")
        executar("apt-get", "update", "-qq")
        executar(
            "apt-get",
            "install",
            "-y",
            "-qq",
            "chromium",
            "chromium-driver",
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )


def comando_test(argumentos):
    preparar_ambiente()
    ambiente_local()  # the PostgreSQL check below loads the settings (pytest alone gets them from pyproject.toml)
    if os.environ.get("ESTOQUE_EXIGIR_POSTGRES") == "1":
        garantir_postgres()
    garantir_chromium()
    banco = (
        "PostgreSQL"
        if os.environ.get("DATABASE_URL", "").startswith("postgres")
        else "SQLite (testes só-PostgreSQL serão pulados)"
    )
    if not any(a in ("-n", "--numprocesses") or a.startswith(("-n=", "--numprocesses=")) for a in argumentos):
        # Every core (pytest-xdist; ESTOQUE_TESTES_PROCESSOS=0 runs in this one process); worksteal
        # evens out the long property tests.
        argumentos = ["-n", os.environ.get("ESTOQUE_TESTES_PROCESSOS", "auto"), "--dist", "worksteal", *argumentos]
    passo(f"Rodando a suíte de testes em {banco}")
    return subprocess.run([str(PYTHON), "-m", "pytest", *argumentos], cwd=RAIZ).returncode


def comando_lint(argumentos):
    """ruff check, ruff format --check and mypy; any finding fails (CI runs this before the tests)."""
    preparar_ambiente()
    ambiente_local()  # mypy's Django plugin loads the settings
    corrigir = "--corrigir" in argumentos
    bin_venv = PYTHON.parent
    passos = [
        ("ruff (lint e ordem dos imports)", [bin_venv / "ruff", "check", *(["--fix"] if corrigir else []), "."]),
        ("ruff (formatação)", [bin_venv / "ruff", "format", *([] if corrigir else ["--check"]), "."]),
        ("mypy (motor, ruptura, sincronização)", [bin_venv / "mypy"]),
    ]
    falhou = False
    for titulo, comando in passos:
        passo(titulo)
        falhou |= subprocess.run([str(c) for c in comando], cwd=RAIZ).returncode != 0
    return 1 if falhou else 0


def comando_manage(argumentos):
    """manage.py with the local environment of `run` (its SECRET_KEY, http on 127.0.0.1, data/)."""
    preparar_ambiente()
    ambiente_local()
    return subprocess.run([str(PYTHON), "manage.py", *argumentos], cwd=RAIZ).returncode


def main():
    comandos = {
        "run": lambda: comando_run(),
        "test": lambda: comando_test(sys.argv[2:]),
        "lint": lambda: comando_lint(sys.argv[2:]),
        "manage": lambda: comando_manage(sys.argv[2:]),
    }
    if len(sys.argv) < 2 or sys.argv[1] not in comandos:
        sys.exit(__doc__)
    sys.exit(comandos[sys.argv[1]]())


if __name__ == "__main__":
    main()
