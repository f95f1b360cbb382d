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


@dataclass(frozen=True, slots=True)
class Saldos:
    """A projection D0..D(dias) as the rule gives it, without per-day objects: each day's final
    balance, and the inflow and outflow of the days that move (most days move nothing). The hot
    paths read this (the engine's summary, the workspace read, the ruptura's snapshot); dias()
    builds the DiaProjecao that screens and reports iterate, from the same Decimals."""

    datas: tuple[date, ...]  # D0..D(dias)
    inicial: Decimal  # the stock now: D0's saldo_inicial
    finais: list[Decimal]  # saldo_final of each day
    entradas: dict[date, Decimal]  # the day's counted inflow, only where there is one
    saidas: dict[date, Decimal]  # the day's counted outflow, only where there is one

    def dias(self) -> list[DiaProjecao]:
        resultado = []
        saldo = self.inicial
        entradas, saidas = self.entradas, self.saidas
        for dia, final in zip(self.datas, self.finais):
            entrada = entradas.get(dia)
            saida = saidas.get(dia)
            if entrada is None and saida is None:
                resultado.append(DiaProjecao(dia, saldo, ZERO, ZERO, saldo))
            else:
                resultado.append(DiaProjecao(dia, saldo, entrada or ZERO, saida or ZERO, final))
                saldo = final
        return resultado

    def resumo_d7(self) -> tuple[Decimal, date | None]:
        return _menor_e_ruptura(self.datas, self.finais, DIAS_D7)

    def status(self) -> str:
        return _status(self.finais)

    def resumo(self) -> "ResumoProjecao":
        return _resumo(self.datas, self.finais)


def calcular_saldos(
    saldo_atual: Decimal, previstas: Iterable[tuple[date, Decimal, Decimal]], hoje: date, dias: int
) -> Saldos:
    """The projection rule: D0..D(dias) from the stock now and (data, entrada, saida) forecast rows.

    The horizon is at most D+28 (DIAS_MAX): a forecast dated years ahead must not make a
    report or a screen walk every day up to it."""
    if not 0 <= dias <= DIAS_MAX:
        raise ValueError(f"Projeção de {dias} dias: o horizonte vai de D0 a D{DIAS_MAX}.")
    datas = _datas(hoje, dias)
    fim = datas[-1]
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
    if not entradas and not saidas:
        return Saldos(datas, saldo_atual, [saldo_atual] * len(datas), entradas, saidas)
    finais = []
    saldo = saldo_atual
    for dia in datas:
        entrada_dia = entradas.get(dia)
        saida_dia = saidas.get(dia)
        if entrada_dia is not None or saida_dia is not None:
            # Only the days that move do Decimal arithmetic: the read hot path.
            saldo = saldo + (entrada_dia or ZERO) - (saida_dia or ZERO)
        finais.append(saldo)
    return Saldos(datas, saldo_atual, finais, entradas, saidas)


def projetar(
    saldo_atual: Decimal, previstas: Iterable[tuple[date, Decimal, Decimal]], hoje: date, dias: int
) -> list[DiaProjecao]:
    """calcular_saldos, one DiaProjecao per day."""
    return calcular_saldos(saldo_atual, previstas, hoje, dias).dias()


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
    return _menor_e_ruptura([dia.data for dia in projecao], [dia.saldo_final for dia in projecao], DIAS_D7)


def _menor_e_ruptura(datas, finais: list[Decimal], ate: int) -> tuple[Decimal, date | None]:
    """(lowest final balance, first day below zero) over D0..D(ate)."""
    janela = finais[: ate + 1]
    menor = min(janela)
    if menor >= ZERO:  # most products: min() in C, no Python loop
        return menor, None
    return menor, datas[next(k for k, final in enumerate(janela) if final < ZERO)]


def calcular_d7(
    saldo_atual: Decimal, previstas: Iterable[tuple[date, Decimal, Decimal]], hoje: date
) -> tuple[Decimal, date | None]:
    return calcular_saldos(saldo_atual, previstas, hoje, DIAS_D7).resumo_d7()


class StatusEstoque:
    CRITICO = "CRITICO"
    ATENCAO = "ATENCAO"
    OK = "OK"


ROTULOS_STATUS = {StatusEstoque.CRITICO: "CRÍTICO", StatusEstoque.ATENCAO: "ATENÇÃO", StatusEstoque.OK: "OK"}
SEVERIDADE = {StatusEstoque.CRITICO: 0, StatusEstoque.ATENCAO: 1, StatusEstoque.OK: 2}


def status_projecao(projecao: list[DiaProjecao]) -> str:
    return _status([dia.saldo_final for dia in projecao])


def _status(finais: list[Decimal]) -> str:
    """CRITICO: below zero within D0..D7; ATENCAO: within D8..D28; OK otherwise."""
    janela = finais[: DIAS_MAX + 1]
    if not janela or min(janela) >= ZERO:  # most products: min() in C, no Python loop
        return StatusEstoque.OK
    primeiro = next(k for k, final in enumerate(janela) if final < ZERO)
    return StatusEstoque.CRITICO if primeiro <= DIAS_D7 else StatusEstoque.ATENCAO


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
    return _resumo([dia.data for dia in projecao], [dia.saldo_final for dia in projecao])


def _resumo(datas, finais: list[Decimal]) -> ResumoProjecao:
    menor_d7, ruptura_d7 = _menor_e_ruptura(datas, finais, DIAS_D7)
    menor_d28, ruptura_d28 = _menor_e_ruptura(datas, finais, DIAS_MAX)
    return ResumoProjecao(menor_d7, ruptura_d7, menor_d28, ruptura_d28, _status(finais))


def calcular_resumo(
    saldo_atual: Decimal, previstas: Iterable[tuple[date, Decimal, Decimal]], hoje: date
) -> ResumoProjecao:
    return calcular_saldos(saldo_atual, previstas, hoje, DIAS_MAX).resumo()


RESUMO_VAZIO = ResumoProjecao(ZERO, None, ZERO, None, StatusEstoque.OK)  # a product with nothing at all
