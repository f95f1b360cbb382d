"""Four weeks of production planning (ProgramacaoProducao)."""

from datetime import timedelta
from itertools import accumulate

from demo.geracao import amostra_ponderada, escalado
from demo.vocabulario import DIAS_PROGRAMACAO, NOMES_CLIENTE, PROGRAMACOES_DIA

COLUNAS_PROGRAMACAO = (
    "data_programacao",
    "cod_produto",
    "nome_produto",
    "qtd_programada",
    "linha_producao",
    "cliente_produto",
    "observacao_pcp",
)


def total_programacao(demo) -> int:
    """An upper bound of the rows programacao() yields (for the progress bar; Sundays have none)."""
    return escalado(PROGRAMACOES_DIA, demo.escala, 2) * DIAS_PROGRAMACAO


def programacao(demo):
    """Four weeks of production (no Sundays); products steered to a stock-out get none before D+8."""
    rng = demo.rng("programacao")
    ativos = [u for u in demo.unidades if u.ativo]
    n_dia = escalado(PROGRAMACOES_DIA, demo.escala, 2)
    for k in range(DIAS_PROGRAMACAO):
        dia = demo.hoje + timedelta(days=k)
        if dia.weekday() == 6:
            continue
        possiveis = [u for u in ativos if u.perfil != "ruptura" or k > 7]
        cum = list(accumulate(u.peso_demanda for u in possiveis))
        escolhidos = amostra_ponderada(rng, possiveis, cum, n_dia // 2 if dia.weekday() == 5 else n_dia)
        for u in sorted(escolhidos, key=lambda u: (u.linha, u.cod)):
            cliente = f"MARCA PRÓPRIA {rng.choice(NOMES_CLIENTE)}" if rng.random() < 0.1 else ""
            obs = rng.choice(("", "", "", "", "PRIORIDADE: CARTEIRA EM ATRASO", "AGUARDANDO EMBALAGEM", "LOTE PILOTO"))
            yield (dia, u.cod, u.nome, u.palletizacao * rng.randint(1, 8), u.linha, cliente, obs)
