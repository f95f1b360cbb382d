"""Two users building lotes over the same order lines at once (PostgreSQL row locks)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from carteira import montagem
from carteira.models import PreSeparacaoItem, Separacao
from carteira.montagem import ItemLote
from tests import fabricas as f
from tests.carteira.test_api_concorrencia import em_paralelo
from tests.oracle import diferencas_com_derivados

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_lotes_simultaneos_nunca_passam_do_saldo_livre():
    for cod in "AB":
        f.produto(cod)
        f.linha_carteira("PED1", cod, 20)

    def criar(ordem):
        # Each thread names the lines in a different order: the service locks them in code order.
        itens = [ItemLote(cod, Decimal("15"), f.dia(1)) for cod in ordem]
        return montagem.criar_lote_pre_separacao("PED1", itens)

    ordens = iter(["AB", "BA", "AB", "BA"])
    resultados, erros = em_paralelo(lambda: criar(next(ordens)), vezes=4)
    assert len(resultados) == 1
    assert len(erros) == 3 and all(isinstance(e, ValidationError) and "itens" in e.message_dict for e in erros)
    for cod in "AB":
        total = sum(p.qtd_selecionada_usuario for p in PreSeparacaoItem.objects.filter(cod_produto=cod))
        assert total == Decimal("15")
    assert diferencas_com_derivados() == []


def test_confirmar_o_mesmo_lote_ao_mesmo_tempo_cria_as_separacoes_uma_vez():
    for cod in "AB":
        f.produto(cod)
        f.movimento(cod, 50)
        f.linha_carteira("PED1", cod, 20)
    lote, _ = montagem.criar_lote_pre_separacao("PED1", [ItemLote(c, Decimal("10"), f.dia(2)) for c in "AB"])
    resultados, erros = em_paralelo(lambda: montagem.confirmar_lote(lote), vezes=3)
    assert len(resultados) == 1 and len(erros) == 2
    assert Separacao.objects.filter(separacao_lote_id=lote).count() == 2
    assert diferencas_com_derivados() == []
