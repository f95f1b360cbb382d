"""The projection rule without per-day objects (estoque.projecao.calcular_saldos) against a plain
recomputation written here, over random forecasts: the per-day objects it builds (dias(), what
projetar returns), the summaries the engine stores, and the JSON the workspace read writes
(estoque.serializers.saldos_json) from the final balances alone."""

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from estoque.projecao import DIAS_D7, DIAS_MAX, calcular_resumo, calcular_saldos, projetar
from estoque.serializers import saldos_json

HOJE = date(2026, 3, 10)
ZERO = Decimal("0")

qtds = st.one_of(
    st.just(ZERO),
    st.decimals(min_value=Decimal("-50"), max_value=Decimal("900"), places=3, allow_nan=False, allow_infinity=False),
)
previstas = st.lists(
    st.tuples(st.integers(min_value=-6, max_value=DIAS_MAX + 6).map(lambda k: HOJE + timedelta(days=k)), qtds, qtds),
    max_size=25,
)
saldos_atuais = st.decimals(min_value=Decimal("-200"), max_value=Decimal("2000"), places=3)


def referencia(saldo, linhas, dias):
    """[(data, saldo_inicial, entrada, saida, saldo_final)] D0..D(dias): every row looked at for every
    day. An outflow counts on its day, an overdue one on D0; an inflow on its day, never when overdue."""
    resultado = []
    for k in range(dias + 1):
        dia = HOJE + timedelta(days=k)
        entrada = sum((e for data, e, _ in linhas if data == dia), ZERO)
        saida = sum((s for data, _, s in linhas if data == dia or (k == 0 and data < HOJE)), ZERO)
        resultado.append((dia, saldo, entrada, saida, saldo + entrada - saida))
        saldo = saldo + entrada - saida
    return resultado


@settings(max_examples=400, deadline=None)
@given(saldo=saldos_atuais, linhas=previstas, dias=st.integers(min_value=0, max_value=DIAS_MAX))
def test_dias_e_json_iguais_a_recomputacao(saldo, linhas, dias):
    esperado = referencia(saldo, linhas, dias)
    saldos = calcular_saldos(saldo, linhas, HOJE, dias)
    obtido = [(d.data, d.saldo_inicial, d.entrada, d.saida, d.saldo_final) for d in saldos.dias()]
    assert obtido == esperado
    assert saldos.finais == [dia[4] for dia in esperado]
    assert [(d.data, d.saldo_final) for d in projetar(saldo, linhas, HOJE, dias)] == [(d[0], d[4]) for d in esperado]
    # The workspace read's JSON, cut anywhere up to the horizon, from the final balances alone.
    corte = dias // 2
    assert saldos_json(saldos, corte) == [
        {
            "data": data.isoformat(),
            "saldo_inicial": float(inicial),
            "entrada": float(entrada),
            "saida": float(saida),
            "saldo_final": float(final),
        }
        for data, inicial, entrada, saida, final in esperado[: corte + 1]
    ]


@settings(max_examples=400, deadline=None)
@given(saldo=saldos_atuais, linhas=previstas)
def test_resumo_igual_a_recomputacao(saldo, linhas):
    esperado = referencia(saldo, linhas, DIAS_MAX)
    finais = [dia[4] for dia in esperado]
    negativos = [k for k, final in enumerate(finais) if final < 0]
    resumo = calcular_resumo(saldo, linhas, HOJE)
    assert resumo.menor_estoque_d7 == min(finais[: DIAS_D7 + 1])
    assert resumo.menor_estoque_d28 == min(finais)
    assert resumo.dia_ruptura == (esperado[negativos[0]][0] if negativos and negativos[0] <= DIAS_D7 else None)
    assert resumo.dia_ruptura_d28 == (esperado[negativos[0]][0] if negativos else None)
    status = "OK" if not negativos else ("CRITICO" if negativos[0] <= DIAS_D7 else "ATENCAO")
    assert resumo.status == status
    assert calcular_saldos(saldo, linhas, HOJE, DIAS_MAX).resumo_d7() == (resumo.menor_estoque_d7, resumo.dia_ruptura)
