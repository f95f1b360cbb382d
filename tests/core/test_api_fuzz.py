"""schemathesis over the whole API, writes included, as each role: no 5xx, and every answer is
documented (status code, content type, response schema).

Each generated request is sent as a superuser, as an active user without any permission, and
as a user of one of the Django groups in the database, the group picked from the request
(the role groups come from a data migration, so new roles are fuzzed without touching this
file, and a request costs three calls however many roles there are; SCHEMATHESIS_TODOS_OS_GRUPOS=1
sends each one as every group's user). Not checked:
positive_data_acceptance, since a schema-valid body can still break a business rule the
schema cannot state (an unknown product code is a well-formed string) and get its
documented 400.

Bounded: SCHEMATHESIS_EXEMPLOS examples per operation, by default ESTOQUE_HYPOTHESIS_EXEMPLOS/6
(50 in CI, which sets 300; 25 locally).
"""

import json
import os
import zlib

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.specs.openapi.checks import positive_data_acceptance

from carteira.api import EXEMPLO_PEDIDO
from embarques import services as embarques_services
from estoque.api import EXEMPLO_COD
from tests import fabricas as f

pytestmark = pytest.mark.django_db

# SCHEMATHESIS_TODOS_OS_GRUPOS=1 sends every request as every group's user too (a deeper local run).
TODOS_OS_GRUPOS = os.environ.get("SCHEMATHESIS_TODOS_OS_GRUPOS") == "1"
EXEMPLOS = int(
    os.environ.get("SCHEMATHESIS_EXEMPLOS") or max(10, int(os.environ.get("ESTOQUE_HYPOTHESIS_EXEMPLOS", "150")) // 6)
)


@pytest.fixture
def conexao_do_teste():
    """Keep the test's DB connection across in-process WSGI requests, as Django's test Client does.

    The real WSGI handler closes connections at request end; on PostgreSQL that would drop
    the test transaction (SQLite's in-memory test database ignores it).
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _dados_de_exemplo():
    # The schema's example codes exist, so the examples (and some generated requests) reach
    # the happy paths, writes included.
    f.produto(EXEMPLO_COD)
    f.unificar(EXEMPLO_COD, "4310148-B")
    f.movimento(EXEMPLO_COD, 100000)
    f.producao(EXEMPLO_COD, 10, k=2)
    f.linha_carteira(EXEMPLO_PEDIDO, EXEMPLO_COD, 500)
    f.pre_separacao(EXEMPLO_COD, 5, k=1, pedido=EXEMPLO_PEDIDO)
    f.separacao(EXEMPLO_COD, 5, k=3, lote="1", pedido=EXEMPLO_PEDIDO)
    # An embarcado lote for the invoicing operations (their example's lote).
    f.separacao(EXEMPLO_COD, 5, k=3, lote="L1", pedido=EXEMPLO_PEDIDO)
    embarque = embarques_services.criar_embarque()
    embarques_services.adicionar_lote(embarque.pk, "L1")
    embarques_services.marcar_embarcado(embarque.pk)
    for _ in range(3):  # small ids exist for the {id} operations (on SQLite, where ids restart)
        f.movimento(EXEMPLO_COD, 1)


class Papeis:
    """Tokens of the superuser, of a user without permissions and of one user per group."""

    def __init__(self, fixos: list[tuple[str, str]], grupos: list[tuple[str, str]]):
        self.fixos, self.grupos = fixos, grupos

    def para(self, case) -> list[tuple[str, str]]:
        """The group comes from the request itself, so replaying a case (hypothesis shrinking a
        failure) sends it as the same role."""
        if not self.grupos or TODOS_OS_GRUPOS:
            return self.fixos + self.grupos
        pedido = repr((case.method, case.path_parameters, case.query, case.body)).encode()
        return self.fixos + [self.grupos[zlib.crc32(pedido) % len(self.grupos)]]


def _token(usuario) -> str:
    return Token.objects.create(user=usuario).key


@pytest.fixture
def papeis(staff, django_user_model, conexao_do_teste) -> Papeis:
    _dados_de_exemplo()
    fixos = [("superusuário", _token(staff)), ("sem permissão", _token(django_user_model.objects.create_user("sem")))]
    grupos = []
    for grupo in Group.objects.order_by("name"):
        usuario = django_user_model.objects.create_user(f"papel_{grupo.pk}")
        usuario.groups.add(grupo)
        grupos.append((f"grupo {grupo.name}", _token(usuario)))
    return Papeis(fixos, grupos)


def _esquema() -> dict:
    """The document /api/schema/?format=json serves, built without a request: the view needs a
    logged-in user with a role, and there is no database at collection time."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


# Loaded at collection. schemathesis.pytest.from_fixture would defer it, but its lazy loader
# reads a pytest attribute that pytest 9 removed.
schema = schemathesis.openapi.from_dict(_esquema())
schema.app = get_wsgi_application()  # what from_wsgi() sets: the calls go to the app in process
schema.location = "/api/schema/?format=json"


@schema.parametrize()
@settings(
    max_examples=EXEMPLOS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("SCHEMATHESIS_ALEATORIO") != "1",
)
def test_api_por_papel(case, papeis):
    for papel, token in papeis.para(case):
        try:
            case.call_and_validate(
                headers={"Authorization": f"Token {token}"}, excluded_checks=[positive_data_acceptance]
            )
        except BaseException as erro:
            erro.add_note(f"papel: {papel}")
            raise
