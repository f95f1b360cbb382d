"""The incremental path: a source change moves the derived tables by exactly its delta.

Called inside the transaction of the source change (estoque.fontes for saves, deletes
and bulk writes; estoque.signals for cascaded deletes). What a row contributes is its
app's registered rule (estoque.registro); here the deltas are applied with atomic SQL
increments under row locks taken in sorted order of principal code, and the D+7/D+28
summary is recomputed from the product's forecast rows.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.db import connections
from django.utils import timezone

from estoque import registro
from estoque.models import EstoqueTempoReal, LoteFaturado, MovimentacaoPrevista, UnificacaoCodigos
from estoque.projecao import DIAS_MAX, calcular_resumo
from estoque.registro import SAIDA, SALDO
from estoque.services import alertas, eventos, recalculo, travas, unificacao

ETR = EstoqueTempoReal._meta.db_table
MP = MovimentacaoPrevista._meta.db_table


# ---------------------------------------------------------------- states of source rows


def estados(model, linhas) -> list[dict]:
    """The fields a contribution needs, from model instances or a queryset."""
    campos = registro.campos(model)
    if hasattr(linhas, "values"):
        return list(linhas.values("pk", *campos))
    return [{"pk": obj.pk, **{campo: getattr(obj, campo) for campo in campos}} for obj in linhas]


def estados_travados(model, queryset, using="default") -> list[dict]:
    """Old states read under row locks, so two writers of one row cannot both use the same 'old'."""
    qs = queryset.using(using).order_by("pk").select_for_update()
    return estados(model, qs)


# ---------------------------------------------------------------- entry point


def aplicar_mudanca(model, antigos: list[dict], novos: list[dict], using="default"):
    """Rows of a source went from `antigos` to `novos` (matched by nothing: a delta is a delta)."""
    if not antigos and not novos:
        return
    if model is UnificacaoCodigos:
        unificacao.aplicar_mudanca_pares(antigos, novos, using=using)
        return
    travas.travar_unificacao(using)
    faturamento = registro.faturamento()
    if faturamento is not None and model is faturamento.model:
        deltas = _deltas_faturamento(faturamento, antigos, novos, using)
    else:
        regra = registro.regra(model)
        lotes_faturados: frozenset = frozenset()
        if regra.campo_lote:
            lotes = {e[regra.campo_lote] for e in antigos + novos}
            travas.travar_lotes(lotes, using)
            lotes_faturados = lotes_faturados_aplicados(lotes, using)
        deltas = []
        for estado in antigos:
            deltas += [(c, -1) for c in registro.contribuicoes(model, estado, lotes_faturados)]
        for estado in novos:
            deltas += [(c, 1) for c in registro.contribuicoes(model, estado, lotes_faturados)]
    aplicar_deltas(deltas, using)


def lotes_com_faturamento(lotes, using="default") -> frozenset:
    """Lotes whose invoice is matched now, according to the invoicing source's rows."""
    lotes = [lote for lote in lotes if lote]
    faturamento = registro.faturamento()
    if not lotes or faturamento is None:
        return frozenset()
    qs = faturamento.faturados(using).filter(**{f"{faturamento.campo_lote}__in": lotes})
    return frozenset(qs.values_list(faturamento.campo_lote, flat=True).distinct())


def lotes_faturados_aplicados(lotes, using="default") -> frozenset:
    """Lotes the derived tables currently treat as invoiced (LoteFaturado)."""
    lotes = [lote for lote in lotes if lote]
    if not lotes:
        return frozenset()
    qs = LoteFaturado.objects.using(using).filter(separacao_lote_id__in=lotes)
    return frozenset(qs.values_list("separacao_lote_id", flat=True))


def _deltas_faturamento(faturamento, antigos, novos, using):
    """An invoicing row moves the forecast only by flipping its lote's invoiced flag."""
    lotes = {e[faturamento.campo_lote] for e in antigos + novos if e[faturamento.campo_lote]}
    travas.travar_lotes(lotes, using)
    antes = lotes_faturados_aplicados(lotes, using)
    depois = lotes_com_faturamento(lotes, using)
    mudaram = antes ^ depois
    if not mudaram:
        return []
    LoteFaturado.objects.using(using).filter(separacao_lote_id__in=antes - depois).delete()
    LoteFaturado.objects.using(using).bulk_create(
        [LoteFaturado(separacao_lote_id=lote) for lote in sorted(depois - antes)]
    )
    deltas = []
    for regra in registro.regras_por_lote():
        linhas = regra.model._base_manager.using(using).filter(**{f"{regra.campo_lote}__in": mudaram})
        for estado in estados(regra.model, linhas):
            deltas += [(c, -1) for c in registro.contribuicoes(regra.model, estado, antes)]
            deltas += [(c, 1) for c in registro.contribuicoes(regra.model, estado, depois)]
    return deltas


# ---------------------------------------------------------------- applying deltas


def aplicar_deltas(deltas, using="default"):
    """Apply signed contributions [(Contribuicao, +1|-1)] to the derived tables."""
    if not deltas:
        return
    principais = unificacao.resolver_principais({c.cod_produto for c, _ in deltas}, using)
    # Typed as dicts: the zero entries are dropped into plain dicts below.
    saldo: dict[str, Decimal] = defaultdict(Decimal)
    previstas: dict[tuple[str, date | None], list[Decimal]] = defaultdict(lambda: [Decimal("0"), Decimal("0")])
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
    saldos_atuais = travas.travar_produtos(tocados, using)
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
    alertas.agendar(tocados, using)


def gravar_saldo_e_d7(novos_saldos: dict[str, Decimal], deltas_saldo: dict[str, Decimal], using="default"):
    """Apply saldo deltas atomically and store the D+7/D+28 summary recomputed from the locked rows."""
    hoje = timezone.localdate()
    previstas = recalculo.previstas_por_produto(novos_saldos, hoje + timedelta(days=DIAS_MAX), using)
    agora = timezone.now()
    parametros = []
    for cod in sorted(novos_saldos):
        resumo = calcular_resumo(novos_saldos[cod], previstas.get(cod, ()), hoje)
        parametros.append((deltas_saldo.get(cod, Decimal("0")), *recalculo.valores_resumo(resumo), agora, cod))
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f"UPDATE {ETR} SET saldo_atual = saldo_atual + %s, {recalculo.ATRIBUICOES_RESUMO}, atualizado_em = %s "
            f"WHERE cod_produto = %s",
            parametros,
        )


def atualizar_nome(cod_produto: str, nome_produto: str, using="default"):
    """Catalog name changed: the stock row of its group shows the principal code's name."""
    principal = unificacao.resolver_principais([cod_produto], using)[cod_produto]
    if principal == cod_produto:
        EstoqueTempoReal.objects.using(using).filter(cod_produto=principal).update(nome_produto=nome_produto)
