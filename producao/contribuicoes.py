"""The production schedule's contribution to the real-time stock (estoque.registro)."""

from django.db.models import Sum

from estoque.registro import ENTRADA, Contribuicao, RegraFonte, dos_codigos, registrar
from producao.models import ProgramacaoProducao


def programacao(estado: dict, lote_faturado: bool):
    """Planned production is a forecast inflow on its day."""
    yield Contribuicao(estado["cod_produto"], ENTRADA, estado["data_programacao"], estado["qtd_programada"])


def programacoes(codigos, using):
    totais = (
        dos_codigos(ProgramacaoProducao.objects.using(using), codigos)
        .values("cod_produto", "data_programacao")
        .annotate(total=Sum("qtd_programada"))
        .values_list("cod_produto", "data_programacao", "total")
    )
    for cod, data, total in totais:
        yield Contribuicao(cod, ENTRADA, data, total)


def registrar_regras():
    registrar(
        RegraFonte(
            ProgramacaoProducao, ("cod_produto", "data_programacao", "qtd_programada"), programacao, programacoes
        )
    )
