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
from operator import add

from django.db import connection

from estoque.models import CodigoUnificado, EstoqueTempoReal
from estoque.projecao import DIAS_D7, DIAS_MAX, DiaProjecao, calcular_saldos, dia_da_saida
from estoque.selectors import CU, ETR, MP, Leitura, _linhas, _momento, ler

ZERO = Decimal("0")
SEPARADOR = "\x1f"  # ASCII unit separator: in no product code (_lista checks)


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

    @classmethod
    def projetada(cls, saldo: Decimal, previstas, hoje: date) -> "Disponibilidade":
        """de(projetar(saldo, previstas, hoje, DIAS_MAX)) without the DiaProjecao objects (a snapshot
        projects tens of thousands at once): the rule's own final balances."""
        saldos = calcular_saldos(saldo, previstas, hoje, DIAS_MAX)
        return cls(saldos.datas, saldos.finais)

    def primeiro_dia(self, quantidade: Decimal) -> date | None:
        """primeiro_dia_disponivel: the first day from which every final balance is >= quantidade."""
        k = bisect_left(self._menor_a_partir, quantidade)
        return self.datas[k] if k < len(self.datas) else None

    def primeiro_dia_sem(self, saidas: Iterable[tuple[date, Decimal]], quantidade: Decimal) -> date | None:
        """sem_saidas(saidas).primeiro_dia(quantidade) without building that projection: taking
        outflows out only raises the final balances, so a quantity that ships today still does;
        otherwise one walk from D28 back, each returned outflow counted from its day on."""
        k = bisect_left(self._menor_a_partir, quantidade)
        if k == 0:
            return self.datas[0]
        devolvido = self._devolvido_por_dia(saidas)
        if not devolvido:
            return self.datas[k] if k < len(self.datas) else None
        acumulado = sum(devolvido.values())
        finais = self.finais
        for dia in range(len(finais) - 1, -1, -1):
            if finais[dia] + acumulado < quantidade:
                return self.datas[dia + 1] if dia + 1 < len(finais) else None
            if dia in devolvido:
                acumulado -= devolvido[dia]
        return self.datas[0]

    def sem_saidas(self, saidas: Iterable[tuple[date, Decimal]]) -> "Disponibilidade":
        """The projection without these forecast outflows (data, qtd): each one raises the final
        balances from the day it counts on (dia_da_saida) to the end; one dated after the
        horizon was never in the projection (projetar skips it)."""
        devolvido = self._devolvido_por_dia(saidas)
        if not devolvido:
            return self
        primeiro = min(devolvido)
        finais = self.finais
        return Disponibilidade(
            self.datas,
            finais[:primeiro]
            + list(
                map(add, finais[primeiro:], accumulate(devolvido.get(k, ZERO) for k in range(primeiro, len(finais))))
            ),
        )

    def _devolvido_por_dia(self, saidas: Iterable[tuple[date, Decimal]]) -> dict[int, Decimal]:
        """Day index -> the quantity of these outflows counted on it (dia_da_saida), within the horizon."""
        hoje, fim = self.datas[0], self.datas[-1]
        devolvido: dict[int, Decimal] = {}
        for data, qtd in saidas:
            if data > fim or not qtd:
                continue
            dia = (dia_da_saida(data, hoje) - hoje).days
            devolvido[dia] = devolvido[dia] + qtd if dia in devolvido else qtd
        return devolvido


def ler_projecoes(codigos, hoje: date) -> Leitura:
    """estoque.selectors.ler without the catalog, for thousands of codes at once (a lot of the
    ruptura analysis), or for every product when codigos is None (one snapshot for a whole analysis):
    on PostgreSQL each code list goes as one array parameter (= ANY(%s)) instead of one placeholder
    per code, whose parsing and quoting cost more than the reads. The same rows as ler's
    (tests/carteira/test_ruptura_disponibilidade.py), but for the whole catalog the stock rows'
    atualizado_em come as carimbos gives them (text: the snapshot's stamps); other databases: ler."""
    if connection.vendor != "postgresql":
        leitura = ler(codigos if codigos is not None else _todos_os_codigos(), hoje)
        if codigos is None:  # the snapshot's stamps as carimbos gives them, so they compare
            leitura.estoques = {cod: (saldo, nome, str(m)) for cod, (saldo, nome, m) in leitura.estoques.items()}
        return leitura
    todos = codigos is None
    codigos = [] if todos else sorted(set(codigos))
    filtro = "" if todos else f"WHERE cod_principal IN (SELECT cod_principal FROM {CU} WHERE cod_produto = ANY(%s))"
    principal_de: dict[str, str] = {}
    membros: defaultdict[str, set[str]] = defaultdict(set)
    for cod, principal in _linhas(f"SELECT cod_produto, cod_principal FROM {CU} {filtro}", [] if todos else [codigos]):
        principal_de[cod] = principal
        membros[principal].update((cod, principal))
    if todos:
        estoques = {
            cod: (saldo, nome, carimbo)  # PostgreSQL: saldo is a Decimal already
            for cod, saldo, nome, carimbo in _linhas(
                f"SELECT cod_produto, saldo_atual, nome_produto, atualizado_em::text FROM {ETR}", []
            )
        }
    else:
        estoques = {
            cod: (saldo, nome, _momento(atualizado))
            for cod, saldo, nome, atualizado in _linhas(
                f"SELECT cod_produto, saldo_atual, nome_produto, atualizado_em FROM {ETR} WHERE cod_produto = ANY(%s)",
                [sorted({principal_de.get(cod, cod) for cod in codigos})],
            )
        }
    if todos:
        codigos = sorted(set(principal_de) | set(estoques))
    mapa = {cod: principal_de.get(cod, cod) for cod in codigos}
    principais = sorted(set(mapa.values()))
    grupos = {principal: sorted(membros.get(principal) or {principal}) for principal in principais}
    if not principais:
        return Leitura({}, {}, {}, {}, {}, set())
    previstas = defaultdict(list)
    for linha in _linhas(
        f"SELECT cod_produto, data_prevista, entrada_prevista, saida_prevista FROM {MP} "
        f"WHERE data_prevista <= %s" + ("" if todos else " AND cod_produto = ANY(%s)"),
        [hoje + timedelta(days=DIAS_MAX)] + ([] if todos else [principais]),
    ):
        previstas[linha[0]].append(linha[1:])  # PostgreSQL: (date, Decimal, Decimal) already
    return Leitura(mapa, grupos, estoques, previstas, {}, set(principal_de))


def carimbos(principais=None) -> dict[str, str]:
    """principal -> atualizado_em of its stock row, as text (of these principals, or of all): every
    write to a product's balance or forecast rows changes it (estoque.services.derivacao, recalculo),
    so what was read of a principal before its stamp was read is still right while the stamp is."""
    if connection.vendor != "postgresql":
        consulta = EstoqueTempoReal.objects.all()
        if principais is not None:
            consulta = consulta.filter(cod_produto__in=list(principais))
        return {cod: str(atualizado) for cod, atualizado in consulta.values_list("cod_produto", "atualizado_em")}
    if principais is None:
        return dict(_linhas(f"SELECT cod_produto, atualizado_em::text FROM {ETR}", []))
    condicao, parametros = _lista(principais)
    return dict(
        _linhas(f"SELECT cod_produto, atualizado_em::text FROM {ETR} WHERE cod_produto = {condicao}", parametros)
    )


def _lista(codigos) -> tuple[str, list]:
    """= ANY of these codes as SQL: one text parameter split by the server (a list of thousands of
    codes as an array costs more to send than the query takes), or an array when a code holds the separator."""
    codigos = list(codigos)
    if any(SEPARADOR in cod for cod in codigos):
        return "ANY(%s)", [codigos]
    return f"ANY(string_to_array(%s, chr({ord(SEPARADOR)})))", [SEPARADOR.join(codigos)]


def _todos_os_codigos() -> list[str]:
    return sorted(
        set(CodigoUnificado.objects.values_list("cod_produto", flat=True))
        | set(EstoqueTempoReal.objects.values_list("cod_produto", flat=True))
    )
