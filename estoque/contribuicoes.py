"""Stock movements' contribution to the real-time stock (estoque.registro)."""

from django.db.models import Sum

from estoque.models import MovimentacaoEstoque
from estoque.registro import SALDO, Contribuicao, RegraFonte, dos_codigos, registrar


def movimentacao(estado: dict, lote_faturado: bool):
    """An active movement moves the stock by its signed quantity; a cancelled one by nothing."""
    if estado["ativo"]:
        yield Contribuicao(estado["cod_produto"], SALDO, None, estado["qtd_movimentacao"])


def movimentacoes(codigos, using):
    totais = (
        dos_codigos(MovimentacaoEstoque.objects.using(using), codigos)
        .ativas()
        .values("cod_produto")
        .annotate(total=Sum("qtd_movimentacao"))
        .values_list("cod_produto", "total")
    )
    for cod, total in totais:
        yield Contribuicao(cod, SALDO, None, total)


def registrar_regras():
    registrar(
        RegraFonte(MovimentacaoEstoque, ("cod_produto", "qtd_movimentacao", "ativo"), movimentacao, movimentacoes)
    )
