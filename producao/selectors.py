"""Reads of the production schedule."""
from datetime import date

from producao.models import ProgramacaoProducao


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
