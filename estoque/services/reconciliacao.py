"""Verification and repair of the derived tables against their sources.

The sweep verifies the whole catalog in one consistent snapshot (REPEATABLE READ): one
grouped pass per source over the whole table, the whole derived tables, compared in one
pass (recalculo.ler_catalogo). The engine writes the derived rows in the same transaction
as each source change, so whatever differs inside one snapshot is real drift. When the
last whole-catalog run took more than half the sweep's interval, the run falls back to the
old cycle: the next batch of codes after a cursor, read per batch (`verificar`), and says
so in its record. Either way each candidate is then locked, recomputed and compared
again, so nothing is fixed from a stale read. Every repair is recorded, and logged at ERROR after its commit: drift means a write path
went around the engine (a bug upstream), not a routine event. Each run is logged at INFO.

Repairs write absolute values, and the rebuild applies differences read in a snapshot:
the two must not interleave. Every repair takes the repair lock shared, first (before the
unification lock); the rebuild holds it exclusive for its whole run (`reparos_suspensos`).
"""

import logging
from contextlib import contextmanager

from django.conf import settings
from django.db import connections
from django.utils import timezone

from estoque import registro
from estoque.models import (
    CadastroPalletizacao,
    CursorReconciliacao,
    EstoqueTempoReal,
    LoteFaturado,
    ReconciliacaoExecucao,
    ReparoEstoque,
)
from estoque.services import alertas, eventos, recalculo, transacao, travas
from estoque.services.unificacao import resolver_principais

LOTE_LEITURA = 2000
LOTE_REPARO = 500
# The whole catalog is verified on a run when the last whole-catalog run took at most this
# share of the sweep's interval: the rest is headroom for a busier machine.
FRACAO_DO_INTERVALO = 0.5
EM_LOTES = "Verificação em lotes"  # how a batch run's record starts when it fell back from the whole catalog
CLASSE_REPARO = 7303  # advisory lock class (travas.py uses 7301 and 7302)
# Repairs logged one by one per run; past this, one line with how many more (the run's
# ReparoEstoque rows keep them all).
MAX_REPAROS_NO_LOG = 200

logger = logging.getLogger(__name__)


def fontes_de_codigos():
    """(model, code field) of every table a product code can appear in."""
    return [(EstoqueTempoReal, "cod_produto"), (CadastroPalletizacao, "cod_produto")] + [
        (regra.model, regra.campo_produto) for regra in registro.regras()
    ]


def proximos_codigos(depois_de: str, quantos: int, using="default") -> list[str]:
    """The next `quantos` distinct codes (any table) after a code, in order."""
    codigos = set()
    for model, campo in fontes_de_codigos():
        qs = (
            model._base_manager.using(using)
            .filter(**{f"{campo}__gt": depois_de})
            .order_by(campo)
            .values_list(campo, flat=True)
            .distinct()[:quantos]
        )
        codigos.update(qs)
    return sorted(codigos)[:quantos]


def todos_os_codigos(using="default") -> list[str]:
    """Every distinct code of any table, sorted. An indexed column is walked code by code down
    its index (a recursive query: one index probe per code, not a pass over its rows)."""
    conexao = connections[using]
    codigos: set[str] = set()
    with conexao.cursor() as cursor:
        for model, campo in fontes_de_codigos():
            tabela = model._meta.db_table
            coluna = model._meta.get_field(campo).column
            if conexao.vendor == "postgresql" and _indexada(cursor, conexao, tabela, coluna):
                cursor.execute(
                    f"WITH RECURSIVE c(cod) AS ("
                    f"(SELECT {coluna} FROM {tabela} WHERE {coluna} IS NOT NULL ORDER BY {coluna} LIMIT 1) "
                    f"UNION ALL SELECT (SELECT {coluna} FROM {tabela} WHERE {coluna} > c.cod ORDER BY {coluna} LIMIT 1) "
                    f"FROM c WHERE c.cod IS NOT NULL) SELECT cod FROM c WHERE cod IS NOT NULL"
                )
            else:
                cursor.execute(f"SELECT DISTINCT {coluna} FROM {tabela} WHERE {coluna} IS NOT NULL")
            codigos.update(cod for (cod,) in cursor.fetchall())
    return sorted(codigos)


def _indexada(cursor, conexao, tabela, coluna) -> bool:
    """Whether a b-tree index (or key) leads with this column, so ORDER BY it LIMIT 1 is one probe."""
    return any(
        r["columns"][:1] == [coluna] and (r["primary_key"] or r["unique"] or r.get("type") == "btree")
        for r in conexao.introspection.get_constraints(cursor, tabela).values()
    )


def travar_reparos(using="default"):
    """The repair lock, shared: the first lock of a repair (before the unification lock)."""
    conexao = connections[using]
    if conexao.vendor == "postgresql":
        with conexao.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [CLASSE_REPARO])


@contextmanager
def reparos_suspensos(using="default"):
    """Hold the repair lock exclusive across transactions (the rebuild): repairs wait meanwhile."""
    conexao = connections[using]
    if conexao.vendor != "postgresql":
        yield
        return
    with conexao.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, 0)", [CLASSE_REPARO])
    try:
        yield
    finally:
        with conexao.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, 0)", [CLASSE_REPARO])


def verificar(principais, execucao=None, corrigir=True, using="default", progresso=None) -> dict[str, list]:
    """Verify some principal codes, read per batch; fix drift (unless not corrigir).
    Returns {code: differences}. The whole catalog is `verificar_catalogo`'s."""
    principais = sorted(set(principais))
    candidatos = []
    for inicio in range(0, len(principais), LOTE_LEITURA):
        fatia = principais[inicio : inicio + LOTE_LEITURA]
        esperados = recalculo.calcular_esperado(fatia, using)
        atuais = recalculo.ler_atual(fatia, using)
        candidatos += [cod for cod in fatia if not recalculo.equivalentes(atuais[cod], esperados[cod])]
        if progresso:
            progresso(inicio + len(fatia), len(principais))
    return reparar(candidatos, execucao, corrigir, using)


def verificar_catalogo(execucao=None, corrigir=True, using="default", progresso=None) -> tuple[int, dict[str, list]]:
    """Verify the whole catalog in one snapshot; fix drift (unless not corrigir).
    Returns (principal codes verified, {code: differences}). `progresso(feitos, total)` counts
    the steps: one read per source, the mapping, the two derived tables, the comparison."""
    total = len(registro.regras()) + 4
    feitos = 0

    def etapa():
        nonlocal feitos
        feitos += 1
        if progresso:
            progresso(feitos, total)

    hoje = timezone.localdate()
    with recalculo.instantaneo(using):
        catalogo = recalculo.ler_catalogo(using, etapa)
    candidatos = recalculo.divergentes(catalogo, hoje) + catalogo.nao_principais()
    etapa()
    return len(catalogo.principais()), reparar(sorted(candidatos), execucao, corrigir, using)


def reparar(candidatos, execucao=None, corrigir=True, using="default") -> dict[str, list]:
    """Lock, recompute and compare each candidate again; record and fix what still differs."""
    encontrados = {}
    for inicio in range(0, len(candidatos), LOTE_REPARO):
        encontrados.update(
            transacao.executar(
                _verificar_travado, candidatos[inicio : inicio + LOTE_REPARO], execucao, corrigir, using, using=using
            )
        )
    _log_divergencias(encontrados, execucao, corrigir)
    return encontrados


def _log_divergencias(encontrados: dict[str, list], execucao, corrigir: bool):
    """Each drift at ERROR: product, field, stored value and the one recomputed from the sources."""
    divergencias = [
        (cod, campo, antes, depois) for cod in sorted(encontrados) for campo, antes, depois in encontrados[cod]
    ]
    for cod, campo, antes, depois in divergencias[:MAX_REPAROS_NO_LOG]:
        logger.error(
            "Estoque divergente %s em %s: gravado %s, recalculado %s%s",
            cod,
            campo,
            antes,
            depois,
            "" if corrigir else " (simulação: não corrigido)",
            extra={
                "reconciliacao_id": getattr(execucao, "pk", None),
                "cod_produto": cod,
                "campo": campo,
                "gravado": antes,
                "recalculado": depois,
                "corrigido": corrigir,
            },
        )
    if len(divergencias) > MAX_REPAROS_NO_LOG:
        logger.error(
            "Estoque divergente: mais %s divergência(s) nesta reconciliação (lista completa nos reparos registrados)",
            len(divergencias) - MAX_REPAROS_NO_LOG,
            extra={"reconciliacao_id": getattr(execucao, "pk", None), "divergencias": len(divergencias)},
        )


CAMPO_NAO_PRINCIPAL = "linha sob código não principal"


def _verificar_travado(fatia, execucao, corrigir, using) -> dict[str, list]:
    """Under the product locks: recompute, compare, record and (unless dry-run) fix."""
    travar_reparos(using)
    travas.travar_unificacao(using)
    # A code may have become non-principal meanwhile: verify what it resolves to now, and
    # drop any derived row left under it (stable here: groups change only under the
    # exclusive unification lock, and only repairs write such rows away).
    mapa = resolver_principais(fatia, using)
    principais = sorted(set(mapa.values()))
    lidos = recalculo.ler_atual(sorted(cod for cod, principal in mapa.items() if principal != cod), using)
    orfaos = {cod: estado for cod, estado in lidos.items() if estado is not None}
    travas.travar_produtos(sorted(set(principais) | set(orfaos)), using)
    esperados = recalculo.calcular_esperado(principais, using)
    atuais = recalculo.ler_atual(principais, using)
    encontrados = {}
    for cod in principais:
        difs = recalculo.diferencas(atuais[cod], esperados[cod])
        if difs:
            encontrados[cod] = difs
    for cod, estado in orfaos.items():
        antes = f"saldo {estado.saldo}, {len(estado.previstas)} linha(s) prevista(s)"
        encontrados[cod] = [(CAMPO_NAO_PRINCIPAL, antes, f"removida (principal {mapa[cod]})")]
    if not encontrados or not corrigir:
        return encontrados
    if execucao is not None:
        ReparoEstoque.objects.using(using).bulk_create(
            [
                ReparoEstoque(execucao=execucao, cod_produto=cod, campo=campo, antes=antes, depois=depois)
                for cod in sorted(encontrados)
                for campo, antes, depois in encontrados[cod]
            ]
        )
    corrigidos = sorted(set(encontrados) - set(orfaos))
    recalculo.gravar({cod: esperados[cod] for cod in corrigidos}, remover=sorted(orfaos), using=using)
    eventos.publicar(corrigidos, using)
    alertas.agendar(corrigidos, using)
    return encontrados


def lotes_faturados_divergentes(using="default") -> tuple[set[str], set[str]]:
    """(lotes missing from LoteFaturado, lotes there that should not be)."""
    faturamento = registro.faturamento()
    verdade = set()
    if faturamento is not None:
        verdade = set(faturamento.faturados(using).values_list(faturamento.campo_lote, flat=True).distinct())
    verdade.discard("")
    aplicados = set(LoteFaturado.objects.using(using).values_list("separacao_lote_id", flat=True))
    return verdade - aplicados, aplicados - verdade


def corrigir_lotes_faturados(execucao=None, corrigir=True, using="default", cada_um_e_divergencia=True) -> list[str]:
    """Verify the invoiced-lote flags against the invoicing source; fix them under the lote
    locks. Runs before the products are verified: their expected forecast reads the flags
    (Separacao.objects.pendentes()), so a wrong flag is mended first, then its products.
    Each fix is logged at ERROR as drift, except for the rebuild (cada_um_e_divergencia=False),
    which sets the flags from the sources by design (after a bulk load they are all missing)."""
    faltando, sobrando = lotes_faturados_divergentes(using)
    if not (faltando or sobrando) or not corrigir:
        return sorted(faltando | sobrando)

    def corrigir_travado():
        travar_reparos(using)
        travas.travar_lotes(faltando | sobrando, using)
        falta, sobra = lotes_faturados_divergentes(using)
        LoteFaturado.objects.using(using).filter(separacao_lote_id__in=sobra).delete()
        LoteFaturado.objects.using(using).bulk_create([LoteFaturado(separacao_lote_id=lote) for lote in sorted(falta)])
        if execucao is not None:
            ReparoEstoque.objects.using(using).bulk_create(
                [
                    ReparoEstoque(
                        execucao=execucao, cod_produto="", campo=f"lote faturado {lote}", antes="não", depois="sim"
                    )
                    for lote in sorted(falta)
                ]
                + [
                    ReparoEstoque(
                        execucao=execucao, cod_produto="", campo=f"lote faturado {lote}", antes="sim", depois="não"
                    )
                    for lote in sorted(sobra)
                ]
            )
        return sorted(falta | sobra)

    corrigidos = transacao.executar(corrigir_travado, using=using)
    if not cada_um_e_divergencia:
        return corrigidos
    for lote in corrigidos:
        logger.error(
            "Marca de lote faturado divergente: lote %s corrigido",
            lote,
            extra={
                "reconciliacao_id": getattr(execucao, "pk", None),
                "separacao_lote_id": lote,
                "campo": "lote faturado",
            },
        )
    return corrigidos


def reconciliar(
    origem=ReconciliacaoExecucao.Origem.AGENDAMENTO,
    produtos=None,
    corrigir=True,
    lote=None,
    using="default",
    progresso=None,
    catalogo_inteiro=None,
):
    """One reconciliation run: given products, or the catalog (whole, or the next batch of its
    cycle: `catalogo_inteiro` None lets `decidir_catalogo_inteiro` choose). Returns
    (execucao, {code: differences}); `progresso(feitos, total)` follows the verification."""
    lote = lote or settings.ESTOQUE_RECONCILIACAO_LOTE
    execucao = ReconciliacaoExecucao.objects.using(using).create(origem=origem, simulacao=not corrigir)
    try:
        if produtos:
            principais = sorted(set(resolver_principais(produtos, using).values()))
            corrigir_lotes_faturados(execucao, corrigir, using)
            encontrados = verificar(principais, execucao, corrigir, using, progresso)
            execucao.produtos_verificados = len(principais)
        else:
            if catalogo_inteiro is None:
                catalogo_inteiro, execucao.observacao = decidir_catalogo_inteiro(using)
            execucao.catalogo_inteiro = catalogo_inteiro
            if catalogo_inteiro:
                corrigir_lotes_faturados(execucao, corrigir, using)
                execucao.produtos_verificados, encontrados = verificar_catalogo(execucao, corrigir, using, progresso)
            else:
                principais = _proximo_lote(execucao, lote, using)
                corrigir_lotes_faturados(execucao, corrigir, using)
                encontrados = verificar(principais, execucao, corrigir, using, progresso)
                execucao.produtos_verificados = len(principais)
        execucao.produtos_corrigidos = len(encontrados)
        return execucao, encontrados
    except Exception as erro:
        execucao.erro = f"{type(erro).__name__}: {erro}"
        raise
    finally:
        execucao.finalizado_em = timezone.now()
        execucao.save(using=using)
        _log_execucao(execucao)


def _proximo_lote(execucao, lote, using) -> list[str]:
    """The principals of the next `lote` codes of the cursor cycle; moves the cursor."""
    cursor, _ = CursorReconciliacao.objects.using(using).get_or_create(id=1)
    execucao.cursor_inicio = cursor.ultimo_codigo
    codigos = proximos_codigos(cursor.ultimo_codigo, lote, using)
    if len(codigos) < lote:
        # End of the catalog: wrap around so the cycle never stops.
        codigos += proximos_codigos("", lote - len(codigos), using)
        ultimo = ""
    else:
        ultimo = codigos[-1]
    cursor.ultimo_codigo = ultimo
    cursor.save(using=using)
    execucao.cursor_fim = ultimo
    return sorted(set(resolver_principais(codigos, using).values()))


def decidir_catalogo_inteiro(using="default") -> tuple[bool, str]:
    """(whole catalog on this run?, why, in the run record). Whole when the last whole-catalog
    run took at most FRACAO_DO_INTERVALO of the interval; otherwise batches, and the whole
    catalog is tried again once the batches have gone round the catalog."""
    minutos = max(1, settings.ESTOQUE_RECONCILIACAO_MINUTOS)
    limite = minutos * 60 * FRACAO_DO_INTERVALO
    execucoes = ReconciliacaoExecucao.objects.using(using)
    ultima = (
        execucoes.filter(catalogo_inteiro=True, erro="", finalizado_em__isnull=False).order_by("-iniciado_em").first()
    )
    if ultima is None:
        return True, "Primeira verificação do catálogo inteiro: a duração dela decide as próximas execuções."
    duracao = ultima.duracao_s or 0.0
    if duracao <= limite:
        return True, ""
    medida = (
        f"o catálogo inteiro levou {duracao:.1f} s na execução nº {ultima.pk}, acima de {limite:.0f} s "
        f"(metade do intervalo de {minutos} min)"
    )
    # A batch run that wrapped around (cursor_fim "") closed a cycle: try the whole catalog again,
    # so one slow run (a busy machine) does not keep the sweep in batches for good.
    ciclo_completo = execucoes.filter(
        catalogo_inteiro=False, observacao__startswith=EM_LOTES, iniciado_em__gt=ultima.iniciado_em, cursor_fim=""
    )
    if ciclo_completo.exists():
        return True, f"Nova tentativa do catálogo inteiro depois de um ciclo completo em lotes: {medida}."
    return False, f"{EM_LOTES}: {medida}."


def _log_execucao(execucao: ReconciliacaoExecucao):
    fim = execucao.finalizado_em or timezone.now()
    campos = {
        "reconciliacao_id": execucao.pk,
        "origem": execucao.origem,
        "simulacao": execucao.simulacao,
        "produtos_verificados": execucao.produtos_verificados,
        "produtos_corrigidos": execucao.produtos_corrigidos,
        "duracao_s": round((fim - execucao.iniciado_em).total_seconds(), 3),
    }
    if execucao.erro:
        logger.error("Reconciliação nº %s falhou: %s", execucao.pk, execucao.erro, extra=campos)
    else:
        logger.info(
            "Reconciliação nº %s: %s produto(s) verificado(s), %s corrigido(s)",
            execucao.pk,
            execucao.produtos_verificados,
            execucao.produtos_corrigidos,
            extra=campos,
        )
