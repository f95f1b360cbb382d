"""A D0..D28 projection as the per-order ruptura analysis asks it, many times per product.

The projection itself comes from estoque.projecao.projetar (the one rule). On its final
balances this answers, cheaply enough to ask once per order line: the lowest balance of
D0..D7 (resumo_d7), the first day a quantity can ship without breaking a later day
(primeiro_dia_disponivel), and the same projection without some outflows (an order's own,
which the analysis takes back out): what projetar gives with them taken out, derived from
the finals instead of projecting again. tests/carteira/test_ruptura_disponibilidade.py
holds each answer equal to the rule's own functions.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db import connection

from estoque.projecao import DIAS_D7, DIAS_MAX, DiaProjecao, dia_da_saida
from estoque.selectors import CU, ETR, MP, Leitura, _data, _linhas, _momento, _qtd, ler

ZERO = Decimal("0")


class Disponibilidade:
    __slots__ = ("datas", "finais", "menor_d7", "_menor_a_partir")

    def __init__(self, datas: tuple[date, ...], finais: list[Decimal]):
        self.datas = datas
        self.finais = finais
        self.menor_d7 = min(finais[: DIAS_D7 + 1])
        # min(finais[d:]) for every d: never decreases with d, so a bisection finds the first day.
        self._menor_a_partir = list(accumulate(reversed(finais), min))[::-1]

    @classmethod
    def de(cls, projecao: list[DiaProjecao]) -> "Disponibilidade":
        return cls(tuple(dia.data for dia in projecao), [dia.saldo_final for dia in projecao])

    def primeiro_dia(self, quantidade: Decimal) -> date | None:
        """primeiro_dia_disponivel: the first day from which every final balance is >= quantidade."""
        k = bisect_left(self._menor_a_partir, quantidade)
        return self.datas[k] if k < len(self.datas) else None

    def sem_saidas(self, saidas: Iterable[tuple[date, Decimal]]) -> "Disponibilidade":
        """The projection without these forecast outflows (data, qtd): each one raises the final
        balances from the day it counts on (dia_da_saida) to the end; one dated after the
        horizon was never in the projection (projetar skips it)."""
        hoje, fim = self.datas[0], self.datas[-1]
        devolvido = [ZERO] * len(self.datas)
        for data, qtd in saidas:
            if data > fim or not qtd:
                continue
            devolvido[(dia_da_saida(data, hoje) - hoje).days] += qtd
        return Disponibilidade(self.datas, [f + d for f, d in zip(self.finais, accumulate(devolvido), strict=True)])


def ler_projecoes(codigos, hoje: date) -> Leitura:
    """estoque.selectors.ler without the catalog, for thousands of codes at once (a lot of the
    ruptura analysis): on PostgreSQL each code list goes as one array parameter (= ANY(%s))
    instead of one placeholder per code, whose parsing and quoting cost more than the reads.
    The same rows as ler's (tests/carteira/test_ruptura_disponibilidade.py); other databases: ler."""
    if connection.vendor != "postgresql":
        return ler(codigos, hoje)
    codigos = sorted(set(codigos))
    principal_de: dict[str, str] = {}
    membros: defaultdict[str, set[str]] = defaultdict(set)
    for cod, principal in _linhas(
        f"SELECT cod_produto, cod_principal FROM {CU} WHERE cod_principal IN "
        f"(SELECT cod_principal FROM {CU} WHERE cod_produto = ANY(%s))",
        [codigos],
    ):
        principal_de[cod] = principal
        membros[principal].update((cod, principal))
    mapa = {cod: principal_de.get(cod, cod) for cod in codigos}
    principais = sorted(set(mapa.values()))
    grupos = {principal: sorted(membros.get(principal) or {principal}) for principal in principais}
    if not principais:
        return Leitura({}, {}, {}, {}, {}, set())
    estoques = {
        cod: (_qtd(saldo), nome, _momento(atualizado))
        for cod, saldo, nome, atualizado in _linhas(
            f"SELECT cod_produto, saldo_atual, nome_produto, atualizado_em FROM {ETR} WHERE cod_produto = ANY(%s)",
            [principais],
        )
    }
    previstas = defaultdict(list)
    for cod, data, entrada, saida in _linhas(
        f"SELECT cod_produto, data_prevista, entrada_prevista, saida_prevista FROM {MP} "
        f"WHERE cod_produto = ANY(%s) AND data_prevista <= %s",
        [principais, hoje + timedelta(days=DIAS_MAX)],
    ):
        previstas[cod].append((_data(data), _qtd(entrada), _qtd(saida)))
    return Leitura(mapa, grupos, estoques, previstas, {}, set(principal_de))
