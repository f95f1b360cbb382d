"""Embarques (trucks) and their items (EmbarqueItem): quoted and shipped lotes, invoiced ones
matched to their NF, and a few lotes taken off the truck."""

from datetime import timedelta

from demo.vocabulario import ATIVO, TRANSPORTADORAS
from embarques.models import ERRO_NF_PENDENTE

COLUNAS_EMBARQUE = ("numero", "data_prevista_embarque", "data_embarque", "transportadora", "status", "criado_em")
# embarque_id: the rows carry the embarque's numero there until its id is known (demo.gerador).
COLUNAS_EMBARQUE_ITEM = (
    "embarque_id",
    "separacao_lote_id",
    "num_pedido",
    "cliente",
    "nota_fiscal",
    "status",
    "erro_validacao",
)


def embarques(demo):
    """(embarque rows, item rows with the embarque numero in place of its id)."""
    rng = demo.rng("embarques")
    chave = lambda lote: (lote.expedicao, lote.lote_id)  # noqa: E731
    ativos = [lote for lote in demo.lotes if lote.situacao == ATIVO]
    grupos = (
        (sorted((lote for lote in ativos if lote.status == "COTADO"), key=chave), False),
        (sorted((lote for lote in ativos if lote.status == "EMBARCADO"), key=chave), False),
        (sorted((lote for lote in demo.lotes if lote.situacao != ATIVO), key=chave), True),
    )
    abertos = sorted((lote for lote in ativos if lote.status == "ABERTO"), key=chave)
    embarques, itens, numero = [], [], 1000
    for lotes, faturado in grupos:
        inicio = 0
        while inicio < len(lotes):
            carga = lotes[inicio : inicio + rng.randint(2, 6)]
            inicio += len(carga)
            numero += 1
            previsto = carga[0].expedicao
            saiu = previsto if faturado or carga[0].status == "EMBARCADO" else None
            criado = demo.instante(previsto - timedelta(days=rng.randint(1, 3)), rng.randrange(8 * 3600, 18 * 3600))
            embarques.append((numero, previsto, saiu, rng.choice(TRANSPORTADORAS), "ATIVO", criado))
            for lote in carga:
                nota, erro = (
                    (lote.numero_nf, None if rng.random() < 0.5 else "") if faturado else ("", ERRO_NF_PENDENTE)
                )
                itens.append((numero, lote.lote_id, lote.num_pedido, lote.cliente, nota, "ATIVO", erro))
            if not faturado and abertos and rng.random() < 0.3:  # a lote taken off the truck
                lote = abertos.pop(0)
                itens.append((numero, lote.lote_id, lote.num_pedido, lote.cliente, "", "CANCELADO", ERRO_NF_PENDENTE))
    return embarques, itens
