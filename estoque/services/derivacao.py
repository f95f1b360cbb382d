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
from typing import Any

from django.db import connections
from django.utils import timezone

from estoque import registro
from estoque.models import CodigoUnificado, EstoqueTempoReal, LoteFaturado, MovimentacaoPrevista, UnificacaoCodigos
from estoque.projecao import DIAS_MAX, ResumoProjecao, calcular_resumo
from estoque.registro import SAIDA, SALDO
from estoque.selectors import _data, _marcas, _qtd
from estoque.services import alertas, eventos, recalculo, travas, unificacao

ETR = EstoqueTempoReal._meta.db_table
MP = MovimentacaoPrevista._meta.db_table
CU = CodigoUnificado._meta.db_table


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
    faturamento = registro.faturamento()
    if faturamento is not None and model is faturamento.model:
        travas.travar_unificacao(using)
        deltas = _deltas_faturamento(faturamento, antigos, novos, using)
        aplicar_deltas(deltas, using)
        return
    regra = registro.regra(model)
    lotes_faturados: frozenset = frozenset()
    lotes = {e[regra.campo_lote] for e in antigos + novos if e[regra.campo_lote]} if regra.campo_lote else set()
    if lotes:
        travas.travar_unificacao(using)  # before the lotes: the lock order (travas)
        travas.travar_lotes(lotes, using)
        lotes_faturados = lotes_faturados_aplicados(lotes, using)
    deltas = []
    for estado in antigos:
        deltas += [(c, -1) for c in registro.contribuicoes(model, estado, lotes_faturados)]
    for estado in novos:
        deltas += [(c, 1) for c in registro.contribuicoes(model, estado, lotes_faturados)]
    # No lote lock taken: the unification lock goes with the groups' read (one round trip).
    aplicar_deltas(deltas, using, travar_unificacao=not lotes)


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


def aplicar_deltas(deltas, using="default", travar_unificacao=False):
    """Apply signed contributions [(Contribuicao, +1|-1)] to the derived tables.

    travar_unificacao: the caller has not taken the shared unification lock yet (it is taken
    here, in the same round trip as the groups' read, still before any other lock)."""
    if not deltas:
        return
    principais = _principais(
        {c.cod_produto for c, _ in deltas}, using, travar_unificacao and connections[using].vendor == "postgresql"
    )
    if travar_unificacao and connections[using].vendor != "postgresql":
        travas.travar_unificacao(using)
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
    hoje = timezone.localdate()
    travados, previstas_lidas = _travar_e_gravar_previstas(tocados, previstas, hoje, using)
    novos_saldos = {cod: travados[cod][0] + saldo.get(cod, Decimal("0")) for cod in tocados}
    resumos = gravar_saldo_e_d7(
        novos_saldos, {cod: saldo.get(cod, Decimal("0")) for cod in tocados}, using, previstas_lidas, hoje
    )
    eventos.publicar(tocados, using)
    # A product out of ruptura within D0..D7 before and after this write cannot raise an alert
    # (alertas.transicao: none without a ruptura day now) and its detection state already says
    # so (the last detection saw the stored day, None): skipping its detection saves a whole
    # transaction after commit on most writes. Any other product is detected as always.
    alertas.agendar(
        [cod for cod in tocados if resumos[cod].dia_ruptura is not None or travados[cod][1] is not None], using
    )


def _principais(codigos, using, travar_unificacao: bool) -> dict[str, str]:
    """unificacao.resolver_principais; on PostgreSQL with the shared unification lock taken
    first in the same round trip (two statements: the read sees every change committed
    before the lock was granted)."""
    if not travar_unificacao:
        return unificacao.resolver_principais(codigos, using)
    codigos = sorted(set(codigos))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT pg_advisory_xact_lock_shared(%s, 0); "
            f"SELECT cod_produto, cod_principal FROM {CU} WHERE cod_produto = ANY(%s)",
            [travas.CLASSE_UNIFICACAO, codigos],
        )
        cursor.nextset()
        mapa = dict(cursor.fetchall())
    return {cod: mapa.get(cod, cod) for cod in codigos}


def _travar_e_gravar_previstas(tocados: list[str], previstas: dict, hoje: date, using):
    """Lock the products' stock rows (created when missing; sorted), apply the forecast deltas
    and read the forecast rows up to D28 back: ({cod: (saldo_atual, dia_ruptura)}, {cod: rows}).

    On PostgreSQL these statements go in one round trip, each statement still after the one
    before it (so the forecast read comes after the lock was granted and sees the rows as the
    previous holder committed them)."""
    fim = hoje + timedelta(days=DIAS_MAX)
    postgresql = connections[using].vendor == "postgresql"
    # On PostgreSQL the codes go as one array parameter: short statements psycopg need not parse
    # again for every size of the set (estoque.services.massa).
    marcas, codigos = ("= ANY(%s)", [tocados]) if postgresql else (f"IN ({_marcas(tocados)})", tocados)
    criar = travas.sql_criar_produtos(tocados, postgresql)
    # SQLite has no row locks (one writer at a time holds the whole database).
    para_alterar = " FOR UPDATE" if connections[using].features.has_select_for_update else ""
    travar = (
        f"SELECT cod_produto, saldo_atual, dia_ruptura FROM {ETR} WHERE cod_produto {marcas} "
        f"ORDER BY cod_produto{para_alterar}",
        codigos,
    )
    gravar = []
    if previstas:
        linhas = sorted(previstas.items())
        gravar = [
            (
                f"INSERT INTO {MP} (cod_produto, data_prevista, entrada_prevista, saida_prevista) "
                f"VALUES {', '.join(['(%s, %s, %s, %s)'] * len(linhas))} ON CONFLICT (cod_produto, data_prevista) "
                f"DO UPDATE SET entrada_prevista = {MP}.entrada_prevista + excluded.entrada_prevista, "
                f"saida_prevista = {MP}.saida_prevista + excluded.saida_prevista",
                [v for (cod, data), par in linhas for v in (cod, data, par[0], par[1])],
            ),
            (
                f"DELETE FROM {MP} WHERE cod_produto {marcas} AND entrada_prevista = 0 AND saida_prevista = 0",
                codigos,
            ),
        ]
    ler: tuple[str, list[Any]] = (
        f"SELECT cod_produto, data_prevista, entrada_prevista, saida_prevista FROM {MP} "
        f"WHERE cod_produto {marcas} AND data_prevista <= %s",
        [*codigos, fim],
    )
    comandos = [criar, travar, *gravar, ler]
    with connections[using].cursor() as cursor:
        if connections[using].vendor == "postgresql":
            cursor.execute("; ".join(sql for sql, _ in comandos), [p for _, params in comandos for p in params])
            cursor.nextset()  # the INSERT
            travados = {cod: (saldo, dia) for cod, saldo, dia in cursor.fetchall()}
            for _ in gravar:
                cursor.nextset()
            cursor.nextset()
            lidas = cursor.fetchall()
        else:
            cursor.execute(*criar)
            cursor.execute(*travar)
            travados = {cod: (saldo, dia) for cod, saldo, dia in cursor.fetchall()}
            for sql, params in gravar:
                cursor.execute(sql, params)
            cursor.execute(*ler)
            lidas = cursor.fetchall()
    por_produto = defaultdict(list)
    for cod, data, entrada, saida in lidas:
        por_produto[cod].append((_data(data), _qtd(entrada), _qtd(saida)))
    travados = {cod: (_qtd(saldo), _data(dia) if dia is not None else None) for cod, (saldo, dia) in travados.items()}
    return travados, por_produto


def gravar_saldo_e_d7(
    novos_saldos: dict[str, Decimal],
    deltas_saldo: dict[str, Decimal],
    using="default",
    previstas: dict[str, list] | None = None,
    hoje: date | None = None,
) -> dict[str, ResumoProjecao]:
    """Apply saldo deltas atomically and store the D+7/D+28 summary recomputed from the locked
    rows (`previstas`: the forecast rows up to D28 when the caller read them already)."""
    hoje = hoje or timezone.localdate()
    if previstas is None:
        previstas = recalculo.previstas_por_produto(novos_saldos, hoje + timedelta(days=DIAS_MAX), using)
    agora = timezone.now()
    parametros = []
    resumos = {}
    for cod in sorted(novos_saldos):
        resumo = resumos[cod] = calcular_resumo(novos_saldos[cod], previstas.get(cod, ()), hoje)
        parametros.append((deltas_saldo.get(cod, Decimal("0")), *recalculo.valores_resumo(resumo), agora, cod))
    conexao = connections[using]
    with conexao.cursor() as cursor:
        if conexao.vendor == "postgresql" and len(parametros) > 1:
            # Many products (a bulk write): one statement, not one UPDATE per product.
            recalculo.atualizar_em_massa(cursor, parametros, saldo=True, momento=True)
        else:
            cursor.executemany(
                f"UPDATE {ETR} SET saldo_atual = saldo_atual + %s, {recalculo.ATRIBUICOES_RESUMO}, atualizado_em = %s "
                f"WHERE cod_produto = %s",
                parametros,
            )
    return resumos


def atualizar_nome(cod_produto: str, nome_produto: str, using="default"):
    """Catalog name changed: the stock row of its group shows the principal code's name."""
    principal = unificacao.resolver_principais([cod_produto], using)[cod_produto]
    if principal == cod_produto:
        EstoqueTempoReal.objects.using(using).filter(cod_produto=principal).update(nome_produto=nome_produto)
