import os

import pytest
from django.conf import settings
from django.core.cache import cache


def _usa_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_configure(config):
    # Password hashing at production strength costs ~1 s per user created: not what tests measure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("ESTOQUE_EXIGIR_POSTGRES") == "1" and not _usa_postgres():
        raise pytest.UsageError("ESTOQUE_EXIGIR_POSTGRES=1 mas DATABASE_URL não aponta para PostgreSQL")
    from django.db.models.signals import post_migrate

    post_migrate.connect(_agendamentos_de_volta, dispatch_uid="tests.agendamentos_de_volta")
    trabalhador = os.environ.get("PYTEST_XDIST_WORKER")
    if trabalhador:
        # Parallel workers (pytest-xdist; each has its own test database, so the same ids):
        # the files and the shared cache keyed by those ids get one folder per worker.
        if settings.CACHES["compartilhado"]["BACKEND"].endswith("FileBasedCache"):
            settings.CACHES["compartilhado"]["LOCATION"] = str(settings.DATA_DIR / f"cache-{trabalhador}")
        else:
            settings.CACHES["compartilhado"]["KEY_PREFIX"] = trabalhador
        settings.TRABALHOS_DIR = settings.DATA_DIR / f"trabalhos-{trabalhador}"


# The data migrations that create django-q2 schedules, as (module, forward function).
AGENDAMENTOS_DAS_MIGRACOES = [
    ("estoque.migrations.0002_agendamentos", "criar"),
    ("carteira.migrations.0003_sincronizacao", "agendar"),
    ("carteira.migrations.0008_analise_ruptura_reuso_e_limpeza", "agendar_limpeza"),
    ("core.migrations.0002_trabalhos", "agendar"),
    ("core.migrations.0004_limpeza_sessoes", "agendar"),
]


def _agendamentos_de_volta(sender, **kwargs):
    """A transactional test ends with a flush that empties every table; post_migrate runs after
    it (that is how the roles come back), but the schedules the data migrations created do not.
    Put them back, as a migrated database has them, so no test depends on running before a
    transactional one in its worker (pytest-xdist orders tests differently on each run)."""
    if sender.label != "django_q":
        return
    import importlib

    from django.apps import apps

    for modulo, funcao in AGENDAMENTOS_DAS_MIGRACOES:
        getattr(importlib.import_module(modulo), funcao)(apps, None)


def pytest_collection_modifyitems(config, items):
    if _usa_postgres():
        return
    pular = pytest.mark.skip(reason="precisa de PostgreSQL: defina DATABASE_URL (o CI sempre roda)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pular)


@pytest.fixture(autouse=True)
def _cache_limpo():
    """Login and API throttle counters live in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _batimentos_isolados(monkeypatch):
    """django-q2 keeps the clusters' heartbeats in its broker's cache (the shared file cache):
    in the tests, the per-test cache above, so a cluster running from the same data/ folder
    (`dev.py run`) is not seen and a test's heartbeat does not outlive it."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "CACHE", "default")


@pytest.fixture
def staff(django_user_model):
    """A superuser: for tests about behaviour, not permissions."""
    return django_user_model.objects.create_user(
        "staff", "staff@example.com", "senha-forte-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def cliente_staff(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def comum(django_user_model):
    """A logged-in user without any permission (for 403s)."""
    return django_user_model.objects.create_user("comum", "comum@example.com", "senha-forte-123")


@pytest.fixture
def cliente_comum(client, comum):
    client.force_login(comum)
    return client


@pytest.fixture
def dar_papel():
    """dar_papel(usuario, "Comercial"): puts an existing user in a role's group."""
    from django.contrib.auth.models import Group

    def dar(usuario, papel: str):
        usuario.groups.add(Group.objects.get(name=papel))
        return usuario

    return dar


@pytest.fixture
def usuario_papel(django_user_model):
    """usuario_papel("Expedição") -> a staff user in that role's group (acesso/papeis.py) and nothing else."""
    from django.contrib.auth.models import Group

    def criar(papel: str, username: str | None = None):
        usuario = django_user_model.objects.create_user(
            username or f"papel-{papel.lower()}", f"{papel.lower()}@example.com", "senha-forte-123", is_staff=True
        )
        usuario.groups.add(Group.objects.get(name=papel))
        return usuario

    return criar


@pytest.fixture
def cliente_papel(client, usuario_papel):
    """cliente_papel("Comercial") -> the test client, logged in as a user of that role."""

    def entrar(papel: str):
        client.force_login(usuario_papel(papel))
        return client

    return entrar


@pytest.fixture
def tarefas_sincronas(monkeypatch, settings, tmp_path):
    """django-q2 in sync mode: async_task runs the task at once, in the test's transaction (the
    background jobs of core.trabalhos finish before the view answers); job files in tmp_path;
    every progress call written (no one-second throttle)."""
    from django_q.conf import Conf

    from core.trabalhos import servico

    monkeypatch.setattr(Conf, "SYNC", True)
    monkeypatch.setattr(servico, "INTERVALO_SEGUNDOS", 0)
    settings.TRABALHOS_DIR = tmp_path / "trabalhos"
    return settings.TRABALHOS_DIR
