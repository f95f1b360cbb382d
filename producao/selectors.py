"""Reads of the production schedule and its dashboard."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Sum

from core.periodo import Periodo
from estoque import selectors as estoque_selectors
from estoque.projecao import DIAS_MAX
from producao.models import ProgramacaoProducao

ZERO = Decimal("0")


def programacoes(cod_produto: str | None = None, de: date | None = None, ate: date | None = None):
    """Scheduled production, by date then product, optionally for one raw code and a date range."""
    qs = ProgramacaoProducao.objects.order_by("data_programacao", "cod_produto", "id")
    if cod_produto:
        qs = qs.filter(cod_produto=cod_produto)
    if de:
        qs = qs.filter(data_programacao__gte=de)
    if ate:
        qs = qs.filter(data_programacao__lte=ate)
    return qs


def painel_producao(hoje: date, periodo: Periodo) -> dict:
    """The production schedule in a date range (D0..D28 by default) and the stock status counts."""
    de = periodo.de or hoje
    ate = periodo.ate or hoje + timedelta(days=DIAS_MAX)
    no_periodo = programacoes(de=de, ate=ate)
    totais = no_periodo.aggregate(
        itens=Count("id"), produtos=Count("cod_produto", distinct=True), quantidade=Sum("qtd_programada")
    )
    estatisticas = estoque_selectors.estatisticas(hoje)
    return {
        "data_referencia": hoje,
        "de": de,
        "ate": ate,
        "programacoes": no_periodo,
        "itens": totais["itens"] or 0,
        "produtos": totais["produtos"] or 0,
        "quantidade": totais["quantidade"] or ZERO,
        "estatisticas": estatisticas,
    }
