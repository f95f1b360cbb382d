"""Concurrent writes through the API's services (PostgreSQL row locks)."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from carteira import services
from carteira.models import PreSeparacaoItem, Separacao
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def em_paralelo(funcao, vezes=2):
    """Run funcao in threads started together; returns (results, errors)."""
    barreira = threading.Barrier(vezes)
    resultados, erros = [], []

    def rodar():
        try:
            barreira.wait()
            resultados.append(funcao())
        except Exception as erro:  # collected and asserted by the test
            erros.append(erro)
        finally:
            connection.close()

    threads = [threading.Thread(target=rodar) for _ in range(vezes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return resultados, erros


def test_confirmar_a_mesma_pre_separacao_ao_mesmo_tempo_cria_uma_separacao():
    f.produto("A")
    f.movimento("A", 100)
    f.linha_carteira("PED1", "A", 50)
    pre = f.pre_separacao("A", 30, k=2)
    resultados, erros = em_paralelo(lambda: services.confirmar_pre_separacao(pre.pk))
    assert len(resultados) == 1
    assert len(erros) == 1 and isinstance(erros[0], ValidationError)
    assert Separacao.objects.filter(cod_produto="A").count() == 1
    assert PreSeparacaoItem.objects.get(pk=pre.pk).status == "ENVIADO_SEPARACAO"
    assert diferencas_com_derivados() == []


def test_pre_separacoes_simultaneas_nao_passam_do_saldo_livre():
    f.produto("A")
    f.linha_carteira("PED1", "A", 20)

    def criar():
        return services.criar_pre_separacao(
            num_pedido="PED1", cod_produto="A", qtd_selecionada_usuario=Decimal("15"), data_expedicao_editada=f.dia(1)
        )

    resultados, erros = em_paralelo(criar)
    assert len(resultados) == 1
    assert len(erros) == 1 and "qtd_selecionada_usuario" in erros[0].message_dict
    assert PreSeparacaoItem.objects.filter(num_pedido="PED1").count() == 1
    assert diferencas_com_derivados() == []
