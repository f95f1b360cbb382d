"""OpenAPI schema, documentation page, and a bounded schemathesis run that must find no 5xx."""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from carteira.api import EXEMPLO_PEDIDO
from estoque.api import EXEMPLO_COD
from tests import fabricas as f

pytestmark = pytest.mark.django_db

# Bounded for CI: about 20 operations x this many examples, each a request in process.
EXEMPLOS = int(os.environ.get("SCHEMATHESIS_EXEMPLOS", "50"))


def test_schema_openapi3_com_todas_as_operacoes(cliente_staff):
    resposta = cliente_staff.get("/api/schema/?format=json")
    assert resposta.status_code == 200
    schema = resposta.json()
    assert schema["openapi"].startswith("3.")
    operacoes = {(caminho, metodo) for caminho, itens in schema["paths"].items() for metodo in itens}
    esperadas = {
        ("/api/estoque/tempo-real/consultar", "post"),
        ("/api/estoque/tempo-real/produto/{cod}", "get"),
        ("/api/estoque/tempo-real/projecao/{cod}", "get"),
        ("/api/estoque/tempo-real/rupturas", "get"),
        ("/api/estoque/tempo-real/estatisticas", "get"),
        ("/api/estoque/tempo-real/recalcular/{cod}", "post"),
        ("/api/estoque/movimentacoes", "post"),
        ("/api/estoque/movimentacoes/{id}", "get"),
        ("/api/estoque/movimentacoes/{id}", "patch"),
        ("/api/estoque/movimentacoes/{id}/cancelar", "post"),
        ("/api/carteira/pedidos/{num_pedido}/workspace", "get"),
        ("/api/carteira/pre-separacoes", "post"),
        ("/api/carteira/pre-separacoes/{id}", "get"),
        ("/api/carteira/pre-separacoes/{id}", "patch"),
        ("/api/carteira/pre-separacoes/{id}", "delete"),
        ("/api/carteira/pre-separacoes/{id}/confirmar", "post"),
        ("/api/producao/programacoes", "get"),
        ("/api/producao/programacoes", "post"),
        ("/api/producao/programacoes/{id}", "get"),
        ("/api/producao/programacoes/{id}", "patch"),
        ("/api/producao/programacoes/{id}", "delete"),
        ("/api/estoque/tempo-real/saldo", "get"),
        ("/api/estoque/tempo-real/produto/{cod}/composicao", "get"),
    }
    assert esperadas <= operacoes
    assert {caminho for caminho, _ in esperadas} == OPERACOES_DO_WORKSPACE
    produto = schema["components"]["schemas"]["EstoqueProduto"]["properties"]
    assert produto["estoque_atual"]["type"] == "number"  # quantities are JSON numbers
    assert produto["dia_ruptura"]["format"] == "date"


def test_pagina_de_documentacao(cliente_staff):
    resposta = cliente_staff.get("/api/docs/")
    assert resposta.status_code == 200
    assert b"swagger" in resposta.content.lower()


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


@pytest.fixture
def token(staff, conexao_do_teste):
    # The schema's example codes exist, so the examples (and some generated requests) reach
    # the happy paths, writes included.
    f.produto(EXEMPLO_COD)
    f.unificar(EXEMPLO_COD, "4310148-B")
    f.movimento(EXEMPLO_COD, 100000)
    f.producao(EXEMPLO_COD, 10, k=2)
    f.linha_carteira(EXEMPLO_PEDIDO, EXEMPLO_COD, 500)
    f.pre_separacao(EXEMPLO_COD, 5, k=1, pedido=EXEMPLO_PEDIDO)
    f.separacao(EXEMPLO_COD, 5, k=3, lote="1", pedido=EXEMPLO_PEDIDO)
    for _ in range(3):  # ids 1.. exist for the {id} operations
        f.movimento(EXEMPLO_COD, 1)
    return Token.objects.create(user=staff).key


def _esquema() -> dict:
    """The document /api/schema/?format=json serves, built without a request: the view needs a
    logged-in user, and there is no database at collection time."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


# Loaded at collection. schemathesis.pytest.from_fixture would defer it, but its lazy loader
# reads a pytest attribute that pytest 9 removed.
schema = schemathesis.openapi.from_dict(_esquema())
schema.app = get_wsgi_application()  # what from_wsgi() sets: the calls go to the app in process
schema.location = "/api/schema/?format=json"


def _fluxo_de_eventos(contexto) -> bool:
    """Server-Sent Events streams stay open by design: fuzzing them in process only waits."""
    return "text/event-stream" in (contexto.operation.definition.raw.get("description") or "")


schema = schema.exclude(func=_fluxo_de_eventos)


# The operations of the workspace API (issue 4) get every check; the rest of the schema
# (other features' endpoints) is held to the one rule all of it shares: no 5xx.
OPERACOES_DO_WORKSPACE = {
    "/api/estoque/tempo-real/consultar",
    "/api/estoque/tempo-real/produto/{cod}",
    "/api/estoque/tempo-real/projecao/{cod}",
    "/api/estoque/tempo-real/rupturas",
    "/api/estoque/tempo-real/estatisticas",
    "/api/estoque/tempo-real/recalcular/{cod}",
    "/api/estoque/movimentacoes",
    "/api/estoque/movimentacoes/{id}",
    "/api/estoque/movimentacoes/{id}/cancelar",
    "/api/carteira/pedidos/{num_pedido}/workspace",
    "/api/carteira/pre-separacoes",
    "/api/carteira/pre-separacoes/{id}",
    "/api/carteira/pre-separacoes/{id}/confirmar",
    "/api/producao/programacoes",
    "/api/producao/programacoes/{id}",
    "/api/estoque/tempo-real/saldo",
    "/api/estoque/tempo-real/produto/{cod}/composicao",
}


@schema.parametrize()
@settings(
    max_examples=EXEMPLOS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("SCHEMATHESIS_ALEATORIO") != "1",
)
def test_schemathesis_sem_erro_5xx(case, token):
    # Every other default check runs (5xx, status codes, content types, response schemas,
    # auth...). Not positive_data_acceptance: a schema-valid body can still break a
    # business rule (an unknown product code is a well-formed string) and get its 400.
    verificacoes = {} if case.operation.path in OPERACOES_DO_WORKSPACE else {"checks": [not_a_server_error]}
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"}, excluded_checks=[positive_data_acceptance], **verificacoes
    )
