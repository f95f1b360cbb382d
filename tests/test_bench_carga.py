"""The load test's request plan (benchmarks/bench_carga.py): 80% reads, 20% writes, each client
writing only what its role may write. No server is started here."""

from collections import Counter

from benchmarks.bench_carga import ESCRITAS, LEITURAS, PAPEL_DA_ESCRITA, plano_do_cliente, planos


def test_plano_do_cliente_tem_80_por_cento_de_leituras_e_so_a_sua_escrita():
    plano = plano_do_cliente(100, "movimentacao", semente=3)
    contagem = Counter(plano)
    assert contagem == {"consultar": 40, "produto": 20, "saldo": 20, "movimentacao": 20}
    assert plano != sorted(plano)  # shuffled, not in blocks


def test_planos_somam_o_total_com_80_20_e_10_10_entre_as_escritas():
    todos = planos(3001, 50)
    assert len(todos) == 50 and {len(p) for p in todos} == {60, 61}
    contagem = Counter(tipo for plano in todos for tipo in plano)
    assert sum(contagem.values()) == 3001
    leituras = sum(contagem[t] for t in LEITURAS)
    escritas = sum(contagem[t] for t in ESCRITAS)
    assert abs(leituras / 3001 - 0.8) < 0.005 and abs(escritas / 3001 - 0.2) < 0.005
    assert abs(contagem["movimentacao"] - contagem["pre_separacao"]) <= 50
    # A client writes one kind only: the one its role (acesso/papeis.py) allows.
    for plano in todos:
        assert len({t for t in plano if t in ESCRITAS}) == 1
    assert set(PAPEL_DA_ESCRITA) == set(ESCRITAS)
