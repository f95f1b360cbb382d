"""The hot reads prepared once per PostgreSQL connection (core.preparadas): the same rows as the
plain statement, prepared on first use and on a new connection, prepared again when the
connection lost it, and the plain statement inside a transaction."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core import preparadas
from tests import fabricas as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SQL = "SELECT n, n * %s FROM generate_series(1, %s) AS g(n) ORDER BY n"
CONSULTA = "/api/estoque/tempo-real/consultar"


def ler(fator, ate):
    with connection.cursor() as cursor:
        preparadas.executar(connection, cursor, "teste_preparada", SQL, ("int", "int"), [fator, ate])
        return cursor.fetchall()


def sqls(consultas):
    return [c["sql"].split("(")[0].split(" AS ")[0] for c in consultas]


def test_prepara_uma_vez_por_conexao_e_da_as_mesmas_linhas():
    connection.close()
    with CaptureQueriesContext(connection) as primeira:
        assert ler(3, 4) == [(1, 3), (2, 6), (3, 9), (4, 12)]
    assert sqls(primeira) == ["PREPARE teste_preparada", "EXECUTE teste_preparada"]
    with CaptureQueriesContext(connection) as segunda:
        assert ler(2, 2) == [(1, 2), (2, 4)]
    assert sqls(segunda) == ["EXECUTE teste_preparada"]
    connection.close()  # a new connection (a restart, the pool's next one) prepares it again
    with CaptureQueriesContext(connection) as nova:
        assert ler(1, 1) == [(1, 1)]
    assert sqls(nova) == ["PREPARE teste_preparada", "EXECUTE teste_preparada"]


def test_conexao_que_perdeu_a_preparada_prepara_de_novo():
    ler(1, 1)
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # what a pooler's DISCARD ALL does behind our back
    with CaptureQueriesContext(connection) as consultas:
        assert ler(5, 2) == [(1, 5), (2, 10)]
    assert sqls(consultas) == [
        "EXECUTE teste_preparada",
        "DEALLOCATE ALL",
        "PREPARE teste_preparada",
        "EXECUTE teste_preparada",
    ]


def test_dentro_de_uma_transacao_roda_a_consulta_simples():
    ler(1, 1)
    with transaction.atomic(), CaptureQueriesContext(connection) as consultas:
        assert ler(7, 1) == [(1, 7)]
    assert sqls(consultas) == ["SELECT n, n * 7 FROM generate_series"]


def test_consultar_logado_usa_as_preparadas_e_responde_igual(cliente_papel):
    f.produto("P1")
    f.movimento("P1", 10)
    f.pre_separacao("P1", 4, k=2)
    cliente = cliente_papel("Comercial")
    corpo = {"produtos": ["P1"], "dias": 3}
    with transaction.atomic():
        simples = cliente.post(CONSULTA, corpo, content_type="application/json")
    respostas = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as consultas:
            respostas.append(cliente.post(CONSULTA, corpo, content_type="application/json"))
    assert simples.status_code == 200 and [r.status_code for r in respostas] == [200, 200]
    assert respostas[0].json() == respostas[1].json() == simples.json()
    assert [p["saldo_final"] for p in simples.json()["produtos"][0]["projecao"]] == [10, 10, 6, 6]
    # The second request: the session with its user, then the stock read, each one EXECUTE.
    assert sqls(consultas) == ["EXECUTE core_sessao_ler", "EXECUTE estoque_ler"]
