"""The reference for the benchmark: the consultar answer computed on the fly from the sources.

No derived table is read: unification groups are walked from UnificacaoCodigos, the stock
is the sum of the movement ledger, the forecast is aggregated from production,
pré-separações and pending separações, and the projection uses the same rule
(estoque.projecao). It is what the API would cost without EstoqueTempoReal and
MovimentacaoPrevista; set-based (one aggregate per source table), not a per-row loop,
so the comparison is with a fair alternative.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils import timezone

from carteira.models import PreSeparacaoItem, Separacao
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque, UnificacaoCodigos
from estoque.projecao import DIAS_MAX, projetar, resumo_d7, status_projecao
from producao.models import ProgramacaoProducao

ZERO = Decimal("0")


def _grupos(codigos) -> dict[str, set[str]]:
    """code -> its whole group, walking the active pairs breadth-first."""
    vizinhos = defaultdict(set)
    vistos, fronteira = set(codigos), set(codigos)
    while fronteira:
        pares = UnificacaoCodigos.objects.filter(ativo=True).filter(
            Q(codigo_origem__in=fronteira) | Q(codigo_destino__in=fronteira)
        )
        novos = set()
        for origem, destino in pares.values_list("codigo_origem", "codigo_destino"):
            vizinhos[origem].add(destino)
            vizinhos[destino].add(origem)
            novos.update((origem, destino))
        fronteira = novos - vistos
        vistos |= novos
    grupos = {}
    for cod in codigos:
        if cod in grupos:
            continue
        grupo, pilha = {cod}, [cod]
        while pilha:
            for outro in vizinhos[pilha.pop()]:
                if outro not in grupo:
                    grupo.add(outro)
                    pilha.append(outro)
        for membro in grupo:
            grupos[membro] = grupo
    return grupos


def _fluxos(codigos, fim: date):
    """(cod, data, entrada, saida) per raw code and day, from the source tables."""
    for cod, data, total in (
        ProgramacaoProducao.objects.filter(cod_produto__in=codigos, data_programacao__lte=fim)
        .values("cod_produto", "data_programacao")
        .annotate(total=Sum("qtd_programada"))
        .values_list("cod_produto", "data_programacao", "total")
    ):
        yield cod, data, total, ZERO
    for cod, data, total in (
        PreSeparacaoItem.objects.ativas()
        .filter(cod_produto__in=codigos, data_expedicao_editada__lte=fim)
        .values("cod_produto", "data_expedicao_editada")
        .annotate(total=Sum("qtd_selecionada_usuario"))
        .values_list("cod_produto", "data_expedicao_editada", "total")
    ):
        yield cod, data, ZERO, total
    for cod, data, total in (
        Separacao.objects.pendentes()
        .filter(cod_produto__in=codigos)
        .com_data_prevista()
        .filter(data_prevista__lte=fim)
        .values("cod_produto", "data_prevista")
        .annotate(total=Sum("qtd_saldo"))
        .values_list("cod_produto", "data_prevista", "total")
    ):
        yield cod, data, ZERO, total


def consultar_ingenuo(codigos, dias: int = 7, hoje: date | None = None) -> dict:
    """Same shape and numbers as POST /api/estoque/tempo-real/consultar (atualizado_em: None)."""
    hoje = hoje or timezone.localdate()
    pedidos = list(dict.fromkeys(codigos))
    grupos = _grupos(pedidos)
    for cod in pedidos:
        grupos.setdefault(cod, {cod})
    todos = set().union(*grupos.values()) if grupos else set()
    principal = {cod: min(grupos[cod]) for cod in todos}

    saldo = defaultdict(lambda: ZERO)
    com_movimento = set()
    for cod, total in (
        MovimentacaoEstoque.objects.ativas()
        .filter(cod_produto__in=todos)
        .values("cod_produto")
        .annotate(total=Sum("qtd_movimentacao"))
        .values_list("cod_produto", "total")
    ):
        saldo[principal[cod]] += total
        com_movimento.add(cod)
    previstas = defaultdict(list)
    for cod, data, entrada, saida in _fluxos(todos, hoje + timedelta(days=DIAS_MAX)):
        previstas[principal[cod]].append((data, entrada, saida))
        com_movimento.add(cod)
    nomes = dict(CadastroPalletizacao.objects.filter(cod_produto__in=todos).values_list("cod_produto", "nome_produto"))

    produtos, nao_encontrados = [], []
    for cod in pedidos:
        p = principal[cod]
        if cod not in nomes and len(grupos[cod]) == 1 and not (grupos[cod] & com_movimento):
            nao_encontrados.append(cod)
            continue
        projecao = projetar(saldo[p], previstas[p], hoje, DIAS_MAX)
        menor, ruptura = resumo_d7(projecao)
        produtos.append(
            {
                "cod_produto": cod,
                "cod_principal": p,
                "codigos_unificados": sorted(grupos[cod]),
                "nome_produto": nomes.get(cod) or nomes.get(p) or "",
                "estoque_atual": saldo[p],
                "menor_estoque_d7": menor,
                "dia_ruptura": ruptura.isoformat() if ruptura else None,
                "status": status_projecao(projecao),
                "atualizado_em": None,
                "projecao": [
                    {
                        "data": dia.data.isoformat(),
                        "saldo_inicial": dia.saldo_inicial,
                        "entrada": dia.entrada,
                        "saida": dia.saida,
                        "saldo_final": dia.saldo_final,
                    }
                    for dia in projecao[: dias + 1]
                ],
            }
        )
    return {"produtos": produtos, "nao_encontrados": nao_encontrados}
