"""Pré-separações' and separações' contribution to the real-time stock (estoque.registro).

Both are forecast outflows. A pré-separação confirmed into a separação stops counting
(status ENVIADO_SEPARACAO) in the same transaction as its separação starts: the outflow
moves, never doubles. A separação stops counting once invoiced, by its own status, its
NF flag or its lote's embarque item (the engine passes `lote_faturado`). Either stops
counting when a carteira sync cancels it (pré-separação: status CANCELADO; separação:
`cancelado_em` set): the row is kept for the record and contributes nothing.
"""

from django.db.models import Sum

from carteira.models import (
    STATUS_PRE_SEPARACAO_ATIVOS,
    PreSeparacaoItem,
    Separacao,
    data_prevista_separacao,
    separacao_pendente,
)
from estoque.registro import SAIDA, Contribuicao, RegraFonte, dos_codigos, registrar


def pre_separacao(estado: dict, lote_faturado: bool):
    if estado["status"] in STATUS_PRE_SEPARACAO_ATIVOS:
        yield Contribuicao(
            estado["cod_produto"], SAIDA, estado["data_expedicao_editada"], estado["qtd_selecionada_usuario"]
        )


def pre_separacoes(codigos, using):
    totais = (
        dos_codigos(PreSeparacaoItem.objects.using(using), codigos)
        .ativas()
        .values("cod_produto", "data_expedicao_editada")
        .annotate(total=Sum("qtd_selecionada_usuario"))
        .values_list("cod_produto", "data_expedicao_editada", "total")
    )
    for cod, data, total in totais:
        yield Contribuicao(cod, SAIDA, data, total)


def separacao(estado: dict, lote_faturado: bool):
    if separacao_pendente(estado["status"], estado["sincronizado_nf"], lote_faturado, estado["cancelado_em"]):
        data = data_prevista_separacao(estado["expedicao"], estado["criado_em"])
        yield Contribuicao(estado["cod_produto"], SAIDA, data, estado["qtd_saldo"])


def separacoes(codigos, using):
    totais = (
        dos_codigos(Separacao.objects.using(using), codigos)
        .pendentes()
        .com_data_prevista()
        .values("cod_produto", "data_prevista")
        .annotate(total=Sum("qtd_saldo"))
        .values_list("cod_produto", "data_prevista", "total")
    )
    for cod, data, total in totais:
        yield Contribuicao(cod, SAIDA, data, total)


def registrar_regras():
    registrar(
        RegraFonte(
            PreSeparacaoItem,
            ("cod_produto", "data_expedicao_editada", "qtd_selecionada_usuario", "status"),
            pre_separacao,
            pre_separacoes,
        )
    )
    registrar(
        RegraFonte(
            Separacao,
            (
                "cod_produto",
                "expedicao",
                "qtd_saldo",
                "status",
                "sincronizado_nf",
                "separacao_lote_id",
                "criado_em",
                "cancelado_em",
            ),
            separacao,
            separacoes,
            campo_lote="separacao_lote_id",
        )
    )
