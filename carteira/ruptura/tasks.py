"""django-q2 entry point of the background ruptura analysis (thin)."""

from carteira.ruptura import jobs


def processar_lote(lote_id: int):
    return jobs.processar_lote(lote_id)


def limpar_analises():
    return jobs.limpar_analises()
