"""What each source row contributes to the derived tables: a pure function of its state.

A change applies contribution(new) - contribution(old); nothing depends on the kind of
event, so confirmations, cancellations, re-dating and invoicing are right by
construction (DESIGN.md section 2).

A contribution is (cod_produto, tipo, data, qtd) with tipo one of SALDO (data None),
ENTRADA or SAIDA. Codes are raw here; the engine resolves them to principal codes.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from carteira.models import PreSeparacaoItem, Separacao
from embarques.models import EmbarqueItem
from estoque.models import MovimentacaoEstoque, UnificacaoCodigos
from producao.models import ProgramacaoProducao

SALDO = "saldo"
ENTRADA = "entrada"
SAIDA = "saida"


@dataclass(frozen=True)
class Contribuicao:
    cod_produto: str
    tipo: str
    data: date | None
    qtd: Decimal


# The fields of each source model that its contribution (or a dependant's) reads.
CAMPOS = {
    MovimentacaoEstoque: ("cod_produto", "qtd_movimentacao", "ativo"),
    ProgramacaoProducao: ("cod_produto", "data_programacao", "qtd_programada"),
    PreSeparacaoItem: ("cod_produto", "data_expedicao_editada", "qtd_selecionada_usuario", "status"),
    Separacao: ("cod_produto", "expedicao", "qtd_saldo", "status", "sincronizado_nf", "separacao_lote_id", "criado_em"),
    EmbarqueItem: ("separacao_lote_id", "status", "erro_validacao"),
    UnificacaoCodigos: ("codigo_origem", "codigo_destino", "ativo"),
}

MODELOS_FONTE = tuple(CAMPOS)


def q_embarque_faturado() -> Q:
    """EmbarqueItem rows whose invoice was matched (erro_validacao empty, item active)."""
    return Q(status=EmbarqueItem.Status.ATIVO) & (Q(erro_validacao__isnull=True) | Q(erro_validacao=""))


def data_separacao(estado: dict) -> date:
    """A separação without expedição counts on D0: it is dated at its creation day (never after today)."""
    if estado["expedicao"]:
        return estado["expedicao"]
    criado_em = estado["criado_em"]
    if isinstance(criado_em, datetime):
        return timezone.localdate(criado_em) if timezone.is_aware(criado_em) else criado_em.date()
    return timezone.localdate()


def separacao_pendente(estado: dict, lote_faturado: bool) -> bool:
    return not (
        estado["sincronizado_nf"] or estado["status"] in Separacao.FATURADOS or lote_faturado
    )


def contribuicao(model, estado: dict, lotes_faturados: frozenset = frozenset()) -> list[Contribuicao]:
    if model is MovimentacaoEstoque:
        if not estado["ativo"]:
            return []
        return [Contribuicao(estado["cod_produto"], SALDO, None, estado["qtd_movimentacao"])]
    if model is ProgramacaoProducao:
        return [Contribuicao(estado["cod_produto"], ENTRADA, estado["data_programacao"], estado["qtd_programada"])]
    if model is PreSeparacaoItem:
        if estado["status"] not in PreSeparacaoItem.ATIVOS:
            return []
        return [Contribuicao(estado["cod_produto"], SAIDA, estado["data_expedicao_editada"], estado["qtd_selecionada_usuario"])]
    if model is Separacao:
        if not separacao_pendente(estado, estado["separacao_lote_id"] in lotes_faturados):
            return []
        return [Contribuicao(estado["cod_produto"], SAIDA, data_separacao(estado), estado["qtd_saldo"])]
    return []
