"""One year of stock movements (MovimentacaoEstoque), steered per product towards a stock level
chosen from its open orders, so some products break within D+7 and most do not.

The hot path at escala 100 (~18M rows): keep the per-movement work to plain arithmetic.
"""

from datetime import timedelta
from itertools import accumulate

from demo.geracao import escalado
from demo.vocabulario import (
    ATIVO,
    DIAS_HISTORICO,
    FATOR_DIA_SEMANA,
    FRACAO_BAIXO,
    FRACAO_RUPTURA,
    LOCAIS,
    OBS_ENTRADA,
    OBS_SAIDA,
    USUARIOS,
)

COLUNAS_MOVIMENTACAO = (
    "cod_produto",
    "nome_produto",
    "data_movimentacao",
    "tipo_movimentacao",
    "local_movimentacao",
    "qtd_movimentacao",
    "ativo",
    "observacao",
    "separacao_lote_id",
    "numero_nf",
    "num_pedido",
    "criado_em",
    "criado_por",
    "atualizado_em",
    "atualizado_por",
)


def perfis(demo):
    """Where each product's stock is steered: comfortable (most), below its D+7 orders (ruptura), near zero.
    Runs after the carteira: it reads each product's allocated D+7 outflow."""
    rng = demo.rng("perfis")
    unidades = demo.unidades
    total_peso = sum(u.peso_demanda for u in unidades)
    simples = [u for u in unidades if u.ativo and not u.legados and not u.paralelo]
    com_saida = [u for u in simples if u.saida_d7 > 0]
    for u in rng.sample(com_saida, min(len(com_saida), escalado(FRACAO_RUPTURA * len(unidades), 1))):
        u.perfil = "ruptura"
    sem_saida = [u for u in simples if u.saida_d7 == 0]
    for u in rng.sample(sem_saida, min(len(sem_saida), int(round(FRACAO_BAIXO * len(unidades))))):
        u.perfil = "baixo"
    for u in unidades:
        saida_dia = demo.movs_dia * u.peso_demanda / total_peso * 0.7 * u.lote_tipico
        if u.perfil == "ruptura":  # stock stays <= 2 * alvo < saida_d7: the orders of the week break it
            u.alvo = max(1, int(u.saida_d7 * rng.uniform(0.1, 0.45)))
        elif u.perfil == "baixo":
            u.alvo = max(1, int(saida_dia * rng.uniform(0.3, 1.5)))
        else:
            u.alvo = max(int(saida_dia * rng.uniform(5, 30)), 2 * u.saida_d7 + u.lote_tipico)


def _movs_no_dia(demo, dia) -> int:
    return max(1, int(round(demo.movs_dia * FATOR_DIA_SEMANA[dia.weekday()] * 7 / sum(FATOR_DIA_SEMANA))))


def total_movimentacoes(demo) -> int:
    """The row count movimentacoes() will yield (for the progress bar)."""
    inicio = demo.hoje - timedelta(days=DIAS_HISTORICO)
    dias = sum(_movs_no_dia(demo, inicio + timedelta(days=k)) for k in range(DIAS_HISTORICO + 1))
    return dias + len(demo.unidades) + sum(len(lote.itens) for lote in demo.lotes if lote.situacao != ATIVO)


def movimentacoes(demo):
    """One year, day by day. Each product's stock (active movements) is steered towards its alvo,
    never below zero; old codes hand their balance to the new one on the day they are replaced."""
    rng = demo.rng("movimentacoes")
    unidades = demo.unidades
    cum, indices = list(accumulate(u.peso_demanda for u in unidades)), range(len(unidades))
    saldo = [0] * len(unidades)
    legados = {cod: 0 for u in unidades for cod, _ in u.legados}  # balance per old code
    trocas, faturas = _calendario(demo)
    inicio = demo.hoje - timedelta(days=DIAS_HISTORICO)
    for u in unidades:
        cod = u.legados[0][0] if u.legados else u.cod
        saldo[u.indice] = u.alvo
        if cod in legados:
            legados[cod] += u.alvo
        yield _linha(demo, rng, u, cod, inicio, "AJUSTE", u.alvo, 7 * 3600, obs="INVENTÁRIO INICIAL")
    for k in range(DIAS_HISTORICO + 1):
        dia = inicio + timedelta(days=k)
        for u, velho, novo in trocas.get(dia, ()):
            yield from _transferir(demo, rng, dia, u, velho, novo, legados)
        for i in rng.choices(indices, cum_weights=cum, k=_movs_no_dia(demo, dia)):
            yield _movimento(demo, rng, dia, unidades[i], saldo, legados)
        for lote in faturas.get(dia, ()):
            yield from _faturar(demo, rng, dia, lote, saldo)


def _calendario(demo):
    """({day: [(unit, old code, new code)]} code replacements, {day: [invoiced lote]} by expedição)."""
    trocas, faturas = {}, {}
    for u in demo.unidades:
        codigos = [cod for cod, _ in u.legados] + [u.cod]
        for (velho, dia), novo in zip(u.legados, codigos[1:]):
            trocas.setdefault(dia, []).append((u, velho, novo))
    for lote in demo.lotes:
        if lote.situacao != ATIVO:
            faturas.setdefault(lote.expedicao, []).append(lote)
    return trocas, faturas


def _codigo(rng, u, dia) -> str:
    for cod, ate in u.legados:
        if dia < ate:
            return cod
    if u.paralelo and rng.random() < 0.3:
        return u.paralelo
    return u.cod


def _movimento(demo, rng, dia, u, saldo, legados) -> tuple:
    s, alvo = saldo[u.indice], u.alvo
    cod = _codigo(rng, u, dia)
    segundos = 6 * 3600 + int(rng.random() * 15 * 3600)  # cheaper than randrange, 18M times at escala 100
    if rng.random() < 0.004:  # launched by mistake and cancelled: never counts
        tipo = rng.choice(("FATURAMENTO", "SAIDA", "PRODUCAO"))
        qtd = max(1, int(u.lote_tipico * rng.uniform(0.5, 2)))
        qtd = qtd if tipo == "PRODUCAO" else -qtd
        obs = "CANCELADO: LANÇAMENTO EM DUPLICIDADE"
        return _linha(demo, rng, u, cod, dia, tipo, qtd, segundos, ativo=False, obs=obs)
    teto = 2 * alvo - s
    p_entrada = 1.0 if s < 1 else 0.75 if s < alvo / 2 else 0.05 if s > 1.5 * alvo else 0.3
    x, obs, nf = rng.random(), "", ""
    if x < p_entrada and teto >= 1:
        tipo = "PRODUCAO" if x < p_entrada * 0.8 else "ENTRADA"
        qtd = min(teto, max(1, int(u.lote_tipico * rng.uniform(1.5, 3.5))))
        obs = rng.choice(OBS_ENTRADA) if tipo == "ENTRADA" else ""
    else:
        y = rng.random()
        tipo = "FATURAMENTO" if y < 0.78 else "SAIDA" if y < 0.9 else "AJUSTE"
        if tipo == "AJUSTE":
            qtd = max(1, int(u.lote_tipico * rng.uniform(0.01, 0.08)))
            qtd = qtd if rng.random() < 0.4 and qtd <= teto else -min(qtd, s)
            obs = "AJUSTE DE INVENTÁRIO"
        else:
            qtd = -min(s, max(1, int(u.lote_tipico * rng.lognormvariate(0, 0.5))))
            obs = rng.choice(OBS_SAIDA) if tipo == "SAIDA" else ""
            if tipo == "FATURAMENTO":
                if rng.random() < 0.3:  # a few items per invoice
                    demo.nf += 1
                nf = str(demo.nf)
    saldo[u.indice] = s + qtd
    if cod in legados:
        legados[cod] += qtd
    return _linha(demo, rng, u, cod, dia, tipo, qtd, segundos, obs=obs, nf=nf)


def _transferir(demo, rng, dia, u, velho, novo, legados):
    saldo = legados.pop(velho)
    if saldo:
        obs = f"TRANSFERÊNCIA DE SALDO PARA O CÓDIGO {novo} (UNIFICAÇÃO)"
        yield _linha(demo, rng, u, velho, dia, "AJUSTE", -saldo, 6 * 3600, obs=obs)
        obs = f"TRANSFERÊNCIA DE SALDO DO CÓDIGO {velho} (UNIFICAÇÃO)"
        yield _linha(demo, rng, u, novo, dia, "AJUSTE", saldo, 6 * 3600, obs=obs)
        if novo in legados:
            legados[novo] += saldo


def _faturar(demo, rng, dia, lote, saldo):
    """The invoice of a lote: its FATURAMENTO movements (production first where stock was short)."""
    demo.nf += 1
    lote.numero_nf = str(demo.nf)
    for cod, u, qtd in lote.itens:
        falta = qtd - saldo[u.indice]
        if falta > 0:
            yield _linha(demo, rng, u, u.cod, dia, "PRODUCAO", falta, 6 * 3600)
            saldo[u.indice] += falta
        saldo[u.indice] -= qtd
        yield _linha(
            demo,
            rng,
            u,
            cod,
            dia,
            "FATURAMENTO",
            -qtd,
            17 * 3600,
            lote=lote.lote_id,
            nf=lote.numero_nf,
            pedido=lote.num_pedido,
        )


def _linha(demo, rng, u, cod, dia, tipo, qtd, segundos, ativo=True, obs="", lote="", nf="", pedido="") -> tuple:
    criado = demo.instante(dia, segundos)
    if tipo == "FATURAMENTO" or tipo == "PRODUCAO":
        por = "integracao.odoo" if tipo == "FATURAMENTO" else "apontamento.pcp"
    else:
        por = USUARIOS[int(rng.random() * len(USUARIOS))]
    atualizado, atualizado_por = criado, por
    if not ativo:  # cancelled later by someone
        atualizado, atualizado_por = criado + timedelta(hours=rng.randint(1, 30)), rng.choice(USUARIOS)
    return (
        cod,
        u.nome,
        dia,
        tipo,
        LOCAIS[tipo],
        qtd,
        ativo,
        obs,
        lote,
        nf,
        pedido,
        criado,
        por,
        atualizado,
        atualizado_por,
    )
