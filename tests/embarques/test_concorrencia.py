"""Two operators registering the same NF for the same lote at once (PostgreSQL row locks)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carteira.models import CarteiraPrincipal
from embarques import services
from embarques.faturamento import registrar_faturamento
from embarques.models import FaturamentoLote
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque
from tests import fabricas as f
from tests.carteira.test_api_concorrencia import em_paralelo
from tests.oracle import diferencas_com_derivados

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lote():
    f.produto("A")
    f.movimento("A", 100)
    f.linha_carteira("PED1", "A", 50)
    f.separacao("A", 30, k=1, lote="L1", pedido="PED1")
    emb = services.criar_embarque()
    services.adicionar_lote(emb.pk, "L1")
    services.marcar_embarcado(emb.pk)


def test_mesma_nf_ao_mesmo_tempo_baixa_o_estoque_uma_vez(lote):
    resultados, erros = em_paralelo(lambda: registrar_faturamento(separacao_lote_id="L1", nota_fiscal="777"), vezes=3)
    assert erros == []
    assert sorted(r.criado for r in resultados) == [False, False, True]
    assert MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO").count() == 1
    assert EstoqueTempoReal.objects.get(cod_produto="A").saldo_atual == Decimal(70)
    assert CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == Decimal(20)
    assert FaturamentoLote.objects.count() == 1
    assert diferencas_com_derivados() == []


def test_nfs_diferentes_ao_mesmo_tempo_uma_vence(lote):
    nfs = iter(["1", "2"])
    resultados, erros = em_paralelo(lambda: registrar_faturamento(separacao_lote_id="L1", nota_fiscal=next(nfs)))
    assert len(resultados) == 1 and resultados[0].criado
    assert len(erros) == 1 and isinstance(erros[0], ValidationError)
    assert MovimentacaoEstoque.objects.filter(tipo_movimentacao="FATURAMENTO").count() == 1
    assert EstoqueTempoReal.objects.get(cod_produto="A").saldo_atual == Decimal(70)
    assert diferencas_com_derivados() == []
