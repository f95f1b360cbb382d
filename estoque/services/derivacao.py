"""The incremental path: a source change moves the derived tables by exactly its delta.

Called inside the transaction of the source change (signals for single rows,
estoque.fontes.FonteQuerySet for bulk writes). Atomic SQL increments under row locks
taken in sorted order of principal code; D+7 recomputed from the product's forecast rows.
"""
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import connections
from django.utils import timezone

from carteira.models import Separacao
from embarques.models import EmbarqueItem
from estoque.models import CodigoUnificado, EstoqueTempoReal, LoteFaturado, MovimentacaoPrevista
from estoque.projecao import DIAS_D7, calcular_d7
from estoque.services import eventos, travas
from estoque.services.contribuicoes import (
    CAMPOS,
    SALDO,
    SAIDA,
    UnificacaoCodigos,
    contribuicao,
    q_embarque_faturado,
)

ETR = EstoqueTempoReal._meta.db_table
MP = MovimentacaoPrevista._meta.db_table


# ---------------------------------------------------------------- states of source rows


def estados(model, linhas) -> list[dict]:
    """The fields a contribution needs, from model instances or a queryset."""
    campos = CAMPOS[model]
    if hasattr(linhas, "values"):
        return list(linhas.values("pk", *campos))
    return [{"pk": obj.pk, **{campo: getattr(obj, campo) for campo in campos}} for obj in linhas]


def estados_travados(model, queryset, using="default") -> list[dict]:
    """Old states read under row locks, so two writers of one row cannot both use the same 'old'."""
    qs = queryset.using(using).order_by("pk").select_for_update()
    return estados(model, qs)


# ---------------------------------------------------------------- entry point


def aplicar_mudanca(model, antigos: list[dict], novos: list[dict], using="default"):
    if not antigos and not novos:
        return
    if model is UnificacaoCodigos:
        from estoque.services import unificacao

        unificacao.aplicar_mudanca_pares(antigos, novos, using=using)
        return
    travas.travar_unificacao(using)
    if model is EmbarqueItem:
        deltas = _deltas_embarque(antigos, novos, using)
    else:
        lotes_faturados = frozenset()
        if model is Separacao:
            lotes = {e["separacao_lote_id"] for e in antigos + novos}
            travas.travar_lotes(lotes, using)
            lotes_faturados = lotes_faturados_aplicados(lotes, using)
        deltas = []
        for estado in antigos:
            deltas += [(c, -1) for c in contribuicao(model, estado, lotes_faturados)]
        for estado in novos:
            deltas += [(c, 1) for c in contribuicao(model, estado, lotes_faturados)]
    aplicar_deltas(deltas, using)


def lotes_com_faturamento(lotes, using="default") -> frozenset:
    """Lotes whose invoice is matched now, according to the EmbarqueItem rows."""
    lotes = [lote for lote in lotes if lote]
    if not lotes:
        return frozenset()
    qs = EmbarqueItem.objects.using(using).filter(q_embarque_faturado(), separacao_lote_id__in=lotes)
    return frozenset(qs.values_list("separacao_lote_id", flat=True).distinct())


def lotes_faturados_aplicados(lotes, using="default") -> frozenset:
    """Lotes the derived tables currently treat as invoiced (LoteFaturado)."""
    lotes = [lote for lote in lotes if lote]
    if not lotes:
        return frozenset()
    qs = LoteFaturado.objects.using(using).filter(separacao_lote_id__in=lotes)
    return frozenset(qs.values_list("separacao_lote_id", flat=True))


def _deltas_embarque(antigos, novos, using):
    """An EmbarqueItem moves the forecast only by flipping its lote's invoicing flag."""
    lotes = {e["separacao_lote_id"] for e in antigos + novos if e["separacao_lote_id"]}
    travas.travar_lotes(lotes, using)
    antes = lotes_faturados_aplicados(lotes, using)
    depois = lotes_com_faturamento(lotes, using)
    mudaram = antes ^ depois
    if not mudaram:
        return []
    LoteFaturado.objects.using(using).filter(separacao_lote_id__in=antes - depois).delete()
    LoteFaturado.objects.using(using).bulk_create([LoteFaturado(separacao_lote_id=lote) for lote in sorted(depois - antes)])
    deltas = []
    for estado in estados(Separacao, Separacao.objects.using(using).filter(separacao_lote_id__in=mudaram)):
        deltas += [(c, -1) for c in contribuicao(Separacao, estado, antes)]
        deltas += [(c, 1) for c in contribuicao(Separacao, estado, depois)]
    return deltas


# ---------------------------------------------------------------- applying deltas


def resolver_principais(codigos, using="default") -> dict[str, str]:
    """code -> principal code of its unification group (itself when not unified)."""
    codigos = set(codigos)
    mapa = dict(
        CodigoUnificado.objects.using(using).filter(cod_produto__in=codigos).values_list("cod_produto", "cod_principal")
    )
    return {codigo: mapa.get(codigo, codigo) for codigo in codigos}


def aplicar_deltas(deltas, using="default"):
    """Apply signed contributions [(Contribuicao, +1|-1)] to the derived tables."""
    if not deltas:
        return
    principais = resolver_principais({c.cod_produto for c, _ in deltas}, using)
    saldo = defaultdict(Decimal)
    previstas = defaultdict(lambda: [Decimal("0"), Decimal("0")])
    for c, sinal in deltas:
        cod = principais[c.cod_produto]
        if c.tipo == SALDO:
            saldo[cod] += sinal * c.qtd
        else:
            previstas[(cod, c.data)][1 if c.tipo == SAIDA else 0] += sinal * c.qtd
    saldo = {cod: qtd for cod, qtd in saldo.items() if qtd}
    previstas = {chave: par for chave, par in previstas.items() if any(par)}
    tocados = sorted(set(saldo) | {cod for cod, _ in previstas})
    if not tocados:
        return
    saldos_atuais = travar_produtos(tocados, using)
    conexao = connections[using]
    with conexao.cursor() as cursor:
        if previstas:
            cursor.executemany(
                f"INSERT INTO {MP} (cod_produto, data_prevista, entrada_prevista, saida_prevista) "
                f"VALUES (%s, %s, %s, %s) ON CONFLICT (cod_produto, data_prevista) DO UPDATE SET "
                f"entrada_prevista = {MP}.entrada_prevista + excluded.entrada_prevista, "
                f"saida_prevista = {MP}.saida_prevista + excluded.saida_prevista",
                [(cod, data, par[0], par[1]) for (cod, data), par in sorted(previstas.items())],
            )
            marcas = ", ".join(["%s"] * len(tocados))
            cursor.execute(
                f"DELETE FROM {MP} WHERE cod_produto IN ({marcas}) AND entrada_prevista = 0 AND saida_prevista = 0",
                tocados,
            )
    novos_saldos = {cod: saldos_atuais[cod] + saldo.get(cod, Decimal("0")) for cod in tocados}
    gravar_saldo_e_d7(novos_saldos, {cod: saldo.get(cod, Decimal("0")) for cod in tocados}, using)
    eventos.publicar(tocados, using)


def travar_produtos(codigos: list[str], using="default") -> dict[str, Decimal]:
    """Create missing EstoqueTempoReal rows, then lock them in sorted order; returns saldo_atual."""
    codigos = sorted(set(codigos))
    conexao = connections[using]
    valores = ", ".join(["(%s)"] * len(codigos))
    agora = timezone.now()
    with conexao.cursor() as cursor:
        # Insert first (sorted), lock second (sorted): see travas.py for why this order cannot deadlock.
        cursor.execute(
            f"INSERT INTO {ETR} (cod_produto, nome_produto, saldo_atual, menor_estoque_d7, dia_ruptura, atualizado_em) "
            f"SELECT v.column1, COALESCE(c.nome_produto, ''), 0, 0, NULL, %s FROM (VALUES {valores}) AS v "
            f"LEFT JOIN producao_cadastropalletizacao c ON c.cod_produto = v.column1 WHERE 1 = 1 "
            f"ON CONFLICT (cod_produto) DO NOTHING",
            [agora, *codigos],
        )
    linhas = (
        EstoqueTempoReal.objects.using(using)
        .select_for_update()
        .filter(cod_produto__in=codigos)
        .order_by("cod_produto")
        .values_list("cod_produto", "saldo_atual")
    )
    return dict(linhas)


def previstas_por_produto(codigos, ate, using="default") -> dict[str, list]:
    """(data, entrada, saida) forecast rows up to a date, per principal code."""
    resultado = defaultdict(list)
    linhas = (
        MovimentacaoPrevista.objects.using(using)
        .filter(cod_produto__in=list(codigos), data_prevista__lte=ate)
        .values_list("cod_produto", "data_prevista", "entrada_prevista", "saida_prevista")
    )
    for cod, data, entrada, saida in linhas:
        resultado[cod].append((data, entrada, saida))
    return resultado


def gravar_saldo_e_d7(novos_saldos: dict[str, Decimal], deltas_saldo: dict[str, Decimal], using="default"):
    """Apply saldo deltas atomically and store the D+7 recomputed from the locked rows."""
    hoje = timezone.localdate()
    previstas = previstas_por_produto(novos_saldos, hoje + timedelta(days=DIAS_D7), using)
    agora = timezone.now()
    parametros = []
    for cod in sorted(novos_saldos):
        menor, ruptura = calcular_d7(novos_saldos[cod], previstas.get(cod, ()), hoje)
        parametros.append((deltas_saldo.get(cod, Decimal("0")), menor, ruptura, agora, cod))
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ETR} SET saldo_atual = saldo_atual + %s, menor_estoque_d7 = %s, dia_ruptura = %s, "
            f"atualizado_em = %s WHERE cod_produto = %s",
            parametros,
        )


def atualizar_nome(cod_produto: str, nome_produto: str, using="default"):
    """Catalog name changed: the stock row of its group shows the principal code's name."""
    principal = resolver_principais([cod_produto], using)[cod_produto]
    if principal == cod_produto:
        EstoqueTempoReal.objects.using(using).filter(cod_produto=principal).update(nome_produto=nome_produto)
