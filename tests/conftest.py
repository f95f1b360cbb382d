import os

import pytest
from django.conf import settings


def _usa_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_configure(config):
    # Password hashing at production strength costs ~1 s per user created: not what tests measure.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if os.environ.get("ESTOQUE_EXIGIR_POSTGRES") == "1" and not _usa_postgres():
        raise pytest.UsageError("ESTOQUE_EXIGIR_POSTGRES=1 mas DATABASE_URL não aponta para PostgreSQL")


def pytest_collection_modifyitems(config, items):
    if _usa_postgres():
        return
    pular = pytest.mark.skip(reason="precisa de PostgreSQL: defina DATABASE_URL (o CI sempre roda)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pular)


@pytest.fixture
def staff(django_user_model):
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
