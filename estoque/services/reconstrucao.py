"""Full rebuild of the derived tables (set-based) and the midnight D+7 refresh.

Safe while the system is in use, and correct from derived tables that are wrong or empty:

1. Under the exclusive unification lock: the code -> principal mapping and the invoiced-lote
   flags are rebuilt from their sources, and rows under codes that are not principal go.
2. One snapshot (REPEATABLE READ) reads the whole catalog: every source's grouped pass and
   the whole derived tables (recalculo.ler_catalogo). In it, per principal, the correction
   is `delta = expected - stored`, for the saldo and for each forecast day's inflow/outflow.
3. The deltas are applied in batches of principals (sorted), each in its own transaction under
   the engine's locks (unification shared, then the products), as increments: a writer that
   committed after the snapshot applied its own correct delta to the same rows, so
   stored_now + delta = expected_now. The batch's D+7/D+28 summary is stored under the same
   locks from what the rows hold after the deltas: on PostgreSQL computed from the rows read
   under the lock plus the deltas, so each stock row is written once (one UPDATE with the
   saldo delta and the summary, only where either changes); on SQLite read back.

Two things would break step 3's arithmetic and are kept out: a repair (an absolute write:
the rebuild holds the repair lock exclusive from step 1 to the end, reconciliacao.
reparos_suspensos) and a change of unification groups after the snapshot (each batch
compares the unification pairs' fingerprint with the snapshot's; once it differs, the
remaining batches are recomputed from the sources under their locks, the old way).
"""

import logging
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import connections
from django.utils import timezone

from estoque.models import CodigoUnificado, EstoqueTempoReal, MovimentacaoPrevista, UnificacaoCodigos
from estoque.projecao import DIAS_MAX, ResumoProjecao, calcular_resumo
from estoque.services import massa, recalculo, reconciliacao, transacao, travas, unificacao

LOTE = 2000
logger = logging.getLogger(__name__)
LINHAS_POR_COMANDO = 1000  # rows per multi-row INSERT / UPDATE statement
ZERO = Decimal("0")
ETR = EstoqueTempoReal._meta.db_table
MP = MovimentacaoPrevista._meta.db_table
CU = CodigoUnificado._meta.db_table
UC = UnificacaoCodigos._meta.db_table


def reconstruir(using="default", lote=LOTE, progresso=None) -> int:
    """Bring every derived row to what the sources say. Returns the number of principal codes.
    `progresso(feitos, total)` counts principals as their batches commit."""
    with reconciliacao.reparos_suspensos(using):
        transacao.executar(_preparar, using, using=using)
        with recalculo.instantaneo(using):
            marca = marca_unificacao(using)
            catalogo = recalculo.ler_catalogo(using)
        # The principals the catalog, a contribution or a stored row names. A code whose source
        # rows contribute nothing (only cancelled movements, say) has no row to rebuild: the
        # engine creates none for it either, and "no row" reads as zero everywhere.
        principais = sorted(catalogo.principais())
        if progresso:
            progresso(0, len(principais))
        hoje = timezone.localdate()
        exato = False
        for inicio in range(0, len(principais), lote):
            fatia = principais[inicio : inicio + lote]
            saldos, previstas = _deltas(catalogo, fatia)
            exato = transacao.executar(_aplicar_fatia, fatia, saldos, previstas, marca, exato, hoje, using, using=using)
            if progresso:
                progresso(min(inicio + lote, len(principais)), len(principais))
    return len(principais)


def _preparar(using):
    travas.travar_unificacao(using, exclusivo=True)
    unificacao.reconstruir_mapa(using)
    refeitas = reconciliacao.corrigir_lotes_faturados(using=using, cada_um_e_divergencia=False)
    if refeitas:
        logger.info("Reconstrução: %s marca(s) de lote faturado refeita(s) a partir das origens", len(refeitas))
    with connections[using].cursor() as cursor:
        for tabela in (MP, ETR):
            cursor.execute(
                f"DELETE FROM {tabela} WHERE cod_produto IN "
                f"(SELECT cod_produto FROM {CU} WHERE cod_produto <> cod_principal)"
            )


def marca_unificacao(using="default") -> tuple:
    """A fingerprint of the unification pairs: any insert, update or delete changes it (on
    PostgreSQL each row's xmin, so even a pair switched off and on again shows)."""
    conexao = connections[using]
    if conexao.vendor != "postgresql":
        return tuple(UnificacaoCodigos.objects.using(using).order_by("pk").values_list())
    with conexao.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(id::text || ':' || xmin::text, ',' ORDER BY id), '')) FROM {UC}"
        )
        return tuple(cursor.fetchone())


def _deltas(catalogo: recalculo.Catalogo, fatia) -> tuple[dict, dict]:
    """(principal -> saldo delta, (principal, date) -> [entrada delta, saida delta]), non-zero only."""
    saldos = {}
    previstas: dict = defaultdict(lambda: [ZERO, ZERO])
    for cod in fatia:
        atual = catalogo.atuais.get(cod)
        guardadas = atual.previstas if atual else {}
        delta = catalogo.saldos.get(cod, ZERO) - (atual.saldo if atual else ZERO)
        if delta:
            saldos[cod] = delta
        esperadas = catalogo.previstas.get(cod, {})
        for data in set(esperadas) | set(guardadas):
            e_esp, s_esp = esperadas.get(data, (ZERO, ZERO))
            e_atu, s_atu = guardadas.get(data, (ZERO, ZERO))
            if e_esp != e_atu or s_esp != s_atu:
                previstas[(cod, data)] = [e_esp - e_atu, s_esp - s_atu]
    return saldos, dict(previstas)


def _aplicar_fatia(fatia, saldos, previstas, marca, exato, hoje, using) -> bool:
    """Apply one batch's deltas under its locks. Returns whether the batches must be recomputed
    exactly from now on (the unification groups changed after the snapshot)."""
    travas.travar_unificacao(using)
    if not exato and marca_unificacao(using) != marca:
        exato = True
    if exato:
        principais = sorted(set(unificacao.resolver_principais(fatia, using).values()))
        travas.travar_produtos(principais, using)
        recalculo.gravar(recalculo.calcular_esperado(principais, using, hoje), using=using)
        return True
    conexao = connections[using]
    if conexao.vendor == "postgresql":
        _aplicar_fatia_postgresql(conexao, fatia, saldos, previstas, hoje)
        return False
    travas.travar_produtos(fatia, using)  # also creates the missing EstoqueTempoReal rows
    with conexao.cursor() as cursor:
        _aplicar_deltas(cursor, saldos, previstas)
    recalculo.recalcular_resumos(fatia, using, hoje)
    return False


def _aplicar_fatia_postgresql(conexao, fatia, saldos: dict, previstas: dict, hoje):
    """The batch on PostgreSQL, writing each stock row once: lock the rows (created when missing)
    reading their saldo and summary, read their forecast up to D28, apply the forecast deltas,
    and compute in Python what the rows hold after the deltas (stored + delta: nobody else
    writes them while the locks are held) and its summary; then one UPDATE adds the saldo delta
    and stores the summary, only on the rows where either changes."""
    fim = hoje + timedelta(days=DIAS_MAX)
    colunas = recalculo.colunas_resumo(conexao)
    with conexao.cursor() as cursor:
        cursor.execute(*travas.sql_criar_produtos(fatia, True))
        cursor.execute(
            f"SELECT cod_produto, saldo_atual, {', '.join(c for c, _ in colunas)} FROM {ETR} "
            f"WHERE cod_produto = ANY(%s) ORDER BY cod_produto FOR UPDATE",
            [fatia],
        )
        guardados = {cod: (saldo, ResumoProjecao(*resumo)) for cod, saldo, *resumo in cursor.fetchall()}
        linhas = recalculo.previstas_por_produto(fatia, fim, conexao.alias)
        _aplicar_previstas_postgresql(cursor, previstas)
        por_dia: dict = defaultdict(dict)
        for cod, lidas in linhas.items():
            for data, entrada, saida in lidas:
                por_dia[cod][data] = (entrada, saida)
        for (cod, data), (entrada, saida) in previstas.items():
            if data <= fim:
                e, s = por_dia[cod].get(data, (ZERO, ZERO))
                por_dia[cod][data] = (e + entrada, s + saida)
        parametros = []
        for cod in sorted(guardados):
            saldo, guardado = guardados[cod]
            delta = saldos.get(cod, ZERO)
            dias = ((data, e, s) for data, (e, s) in por_dia.get(cod, {}).items() if e or s)
            resumo = calcular_resumo(saldo + delta, dias, hoje)
            if delta or resumo != guardado:
                parametros.append((delta, *recalculo.valores_resumo(resumo), cod))
        if parametros:
            recalculo.atualizar_em_massa(cursor, parametros, saldo=True, momento=False)


def _aplicar_previstas_postgresql(cursor, previstas: dict):
    """The batch's forecast deltas in two short statements, whatever their number (estoque.services.massa)."""
    if previstas:
        linhas = [(cod, data, entrada, saida) for (cod, data), (entrada, saida) in sorted(previstas.items())]
        valores, parametros = massa.tabela(
            (("cod", "text"), ("data", "date"), ("entrada", "numeric"), ("saida", "numeric")), linhas
        )
        cursor.execute(
            f"INSERT INTO {MP} (cod_produto, data_prevista, entrada_prevista, saida_prevista) "
            f"SELECT v.cod, v.data, v.entrada, v.saida FROM {valores} "
            f"ON CONFLICT (cod_produto, data_prevista) DO UPDATE SET "
            f"entrada_prevista = {MP}.entrada_prevista + excluded.entrada_prevista, "
            f"saida_prevista = {MP}.saida_prevista + excluded.saida_prevista",
            parametros,
        )
        cursor.execute(
            f"DELETE FROM {MP} WHERE cod_produto = ANY(%s) AND entrada_prevista = 0 AND saida_prevista = 0",
            [sorted({cod for cod, _ in previstas})],
        )


def _aplicar_deltas(cursor, saldos: dict, previstas: dict):
    """The same, statement by statement (SQLite)."""
    if saldos:
        cursor.executemany(
            f"UPDATE {ETR} SET saldo_atual = saldo_atual + %s WHERE cod_produto = %s",
            [(delta, cod) for cod, delta in sorted(saldos.items())],
        )
    for parte in recalculo._fatias(sorted(previstas.items()), LINHAS_POR_COMANDO):
        valores = ", ".join(["(%s, %s, %s, %s)"] * len(parte))
        cursor.execute(
            f"INSERT INTO {MP} (cod_produto, data_prevista, entrada_prevista, saida_prevista) VALUES {valores} "
            f"ON CONFLICT (cod_produto, data_prevista) DO UPDATE SET "
            f"entrada_prevista = {MP}.entrada_prevista + excluded.entrada_prevista, "
            f"saida_prevista = {MP}.saida_prevista + excluded.saida_prevista",
            [x for (cod, data), (entrada, saida) in parte for x in (cod, data, entrada, saida)],
        )
    for parte in recalculo._fatias(sorted({cod for cod, _ in previstas}), LINHAS_POR_COMANDO):
        marcas = ", ".join(["%s"] * len(parte))
        cursor.execute(
            f"DELETE FROM {MP} WHERE cod_produto IN ({marcas}) AND entrada_prevista = 0 AND saida_prevista = 0",
            parte,
        )


def _recalcular_d7_fatia(codigos, hoje, using):
    travas.travar_unificacao(using)
    return recalculo.recalcular_d7(codigos, using, hoje)


def recalcular_d7_todos(using="default", lote=LOTE, hoje=None) -> int:
    """The D+7 window moved (midnight in São Paulo): store every product's D+7 again."""
    hoje = hoje or timezone.localdate()
    codigos = list(EstoqueTempoReal.objects.using(using).order_by("cod_produto").values_list("cod_produto", flat=True))
    total = 0
    for inicio in range(0, len(codigos), lote):
        total += transacao.executar(_recalcular_d7_fatia, codigos[inicio : inicio + lote], hoje, using, using=using)
    return total
