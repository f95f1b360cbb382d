"""Concurrent writers of one product on PostgreSQL: its entry into ruptura is one alert, however
the two commits and the two after-commit detections interleave."""

import threading
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connections

from estoque.models import AlertaRuptura, EstadoRuptura, MovimentacaoEstoque
from estoque.services import alertas
from tests import fabricas as f

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
D = Decimal


def _em_paralelo(*funcoes):
    barreira = threading.Barrier(len(funcoes))
    erros = []

    def correr(funcao):
        try:
            barreira.wait(timeout=10)
            funcao()
        except Exception as erro:
            erros.append(erro)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=correr, args=(funcao,)) for funcao in funcoes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not erros, erros


@pytest.mark.parametrize("rodada", range(5))
def test_duas_saidas_ao_mesmo_tempo_um_alerta(rodada):
    f.movimento("K1", 10)
    assert not AlertaRuptura.objects.exists()
    original = alertas._detectar_lote
    juntos = threading.Barrier(2)

    def detectar_juntos(*args, **kwargs):
        # Both detections start at the same moment (after both writes committed, or not).
        juntos.wait(timeout=10)
        return original(*args, **kwargs)

    def saida():
        MovimentacaoEstoque.objects.create(
            cod_produto="K1", qtd_movimentacao=D(-15), tipo_movimentacao="SAIDA", data_movimentacao=f.hoje()
        )

    with mock.patch.object(alertas, "_detectar_lote", detectar_juntos):
        _em_paralelo(saida, saida)
    assert list(AlertaRuptura.objects.values_list("cod_produto", "tipo", "dia_ruptura")) == [
        ("K1", "ENTROU_EM_RUPTURA", f.hoje())
    ]
    assert AlertaRuptura.objects.get().menor_estoque_d7 == D(-20)
    assert EstadoRuptura.objects.get(cod_produto="K1").dia_ruptura == f.hoje()


def test_deteccoes_simultaneas_do_mesmo_produto_um_alerta():
    # Many detectors of one product already in ruptura (e.g. a write and the day change): one alert.
    f.movimento("K2", -5)  # autocommit: its own detection ran
    AlertaRuptura.objects.all().delete()
    EstadoRuptura.objects.all().delete()
    _em_paralelo(*[lambda: alertas.detectar(["K2"]) for _ in range(6)])
    assert AlertaRuptura.objects.filter(cod_produto="K2").count() == 1
