"""Pure projection arithmetic (no database): one rule for every screen, report and job.

D0 is today in America/Sao_Paulo. Outflows dated before today are overdue and still
pending, so they count on D0; production dated before today did not happen as planned
and does not count.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

ZERO = Decimal("0")
DIAS_D7 = 7
DIAS_MAX = 28


@dataclass(slots=True)
class DiaProjecao:  # slots, not frozen: built 29 times per product per read, on the hot path
    data: date
    saldo_inicial: Decimal
    entrada: Decimal
    saida: Decimal
    saldo_final: Decimal


def projetar(
    saldo_atual: Decimal, previstas: Iterable[tuple[date, Decimal, Decimal]], hoje: date, dias: int
) -> list[DiaProjecao]:
    """Projection D0..D(dias) from the stock now and (data, entrada, saida) forecast rows.

    The horizon is at most D+28 (DIAS_MAX): a forecast dated years ahead must not make a
    report or a screen walk every day up to it."""
    if not 0 <= dias <= DIAS_MAX:
        raise ValueError(f"Projeção de {dias} dias: o horizonte vai de D0 a D{DIAS_MAX}.")
    fim = hoje + timedelta(days=dias)
    entradas: dict[date, Decimal] = {}
    saidas: dict[date, Decimal] = {}
    for data, entrada, saida in previstas:
        if data > fim:
            continue
        if entrada and (dia := dia_da_entrada(data, hoje)) is not None:
            entradas[dia] = entradas.get(dia, ZERO) + entrada
        if saida:
            dia = dia_da_saida(data, hoje)
            saidas[dia] = saidas.get(dia, ZERO) + saida
    dias_projecao = []
    saldo = saldo_atual
    for dia in _datas(hoje, dias):
        entrada_dia = entradas.get(dia)
        saida_dia = saidas.get(dia)
        if entrada_dia is None and saida_dia is None:
            # Most days move nothing: no Decimal arithmetic on the read hot path.
            dias_projecao.append(DiaProjecao(dia, saldo, ZERO, ZERO, saldo))
            continue
        entrada = entrada_dia or ZERO
        saida = saida_dia or ZERO
        final = saldo + entrada - saida
        dias_projecao.append(DiaProjecao(dia, saldo, entrada, saida, final))
        saldo = final
    return dias_projecao


def dia_da_entrada(data: date, hoje: date) -> date | None:
    """The day a forecast inflow counts on: its own day; production dated before today does not count."""
    return data if data >= hoje else None


def dia_da_saida(data: date, hoje: date) -> date:
    """The day a forecast outflow counts on: its own day; an overdue one (before today) counts on D0."""
    return data if data >= hoje else hoje


@lru_cache(maxsize=64)
def _datas(hoje: date, dias: int) -> tuple[date, ...]:
    return tuple(hoje + timedelta(days=k) for k in range(dias + 1))


def resumo_d7(projecao: list[DiaProjecao]) -> tuple[Decimal, date | None]:
    """(menor_estoque_d7, dia_ruptura) over D0..D7 of a projection of at least 7 days."""
    janela = projecao[: DIAS_D7 + 1]
    menor = min(dia.saldo_final for dia in janela)
    ruptura = next((dia.data for dia in janela if dia.saldo_final < 0), None)
    return menor, ruptura


def calcular_d7(
    saldo_atual: Decimal, previstas: Iterable[tuple[date, Decimal, Decimal]], hoje: date
) -> tuple[Decimal, date | None]:
    return resumo_d7(projetar(saldo_atual, previstas, hoje, DIAS_D7))


class StatusEstoque:
    CRITICO = "CRITICO"
    ATENCAO = "ATENCAO"
    OK = "OK"


ROTULOS_STATUS = {StatusEstoque.CRITICO: "CRÍTICO", StatusEstoque.ATENCAO: "ATENÇÃO", StatusEstoque.OK: "OK"}
SEVERIDADE = {StatusEstoque.CRITICO: 0, StatusEstoque.ATENCAO: 1, StatusEstoque.OK: 2}


def status_projecao(projecao: list[DiaProjecao]) -> str:
    """CRITICO: below zero within D0..D7; ATENCAO: within D8..D28; OK otherwise."""
    for k, dia in enumerate(projecao[: DIAS_MAX + 1]):
        if dia.saldo_final < 0:
            return StatusEstoque.CRITICO if k <= DIAS_D7 else StatusEstoque.ATENCAO
    return StatusEstoque.OK


@dataclass(frozen=True, slots=True)
class ResumoProjecao:
    """What EstoqueTempoReal stores of a product's D0..D28 projection (the screens sort and filter on it)."""

    menor_estoque_d7: Decimal  # min saldo_final over D0..D7
    dia_ruptura: date | None  # first day of D0..D7 below zero
    menor_estoque_d28: Decimal  # min saldo_final over D0..D28: what can still be promised ("disponível")
    dia_ruptura_d28: date | None  # first day of D0..D28 below zero
    status: str  # status_projecao


def resumir(projecao: list[DiaProjecao]) -> ResumoProjecao:
    """The stored summary of a D0..D28 projection."""
    menor_d7, ruptura_d7 = resumo_d7(projecao)
    janela = projecao[: DIAS_MAX + 1]
    menor_d28 = min(dia.saldo_final for dia in janela)
    ruptura_d28 = next((dia.data for dia in janela if dia.saldo_final < 0), None)
    return ResumoProjecao(menor_d7, ruptura_d7, menor_d28, ruptura_d28, status_projecao(projecao))


def calcular_resumo(
    saldo_atual: Decimal, previstas: Iterable[tuple[date, Decimal, Decimal]], hoje: date
) -> ResumoProjecao:
    return resumir(projetar(saldo_atual, previstas, hoje, DIAS_MAX))


RESUMO_VAZIO = ResumoProjecao(ZERO, None, ZERO, None, StatusEstoque.OK)  # a product with nothing at all
