"""Verification and repair of the derived tables against their sources.

The sweep walks the whole catalog in a cycle, a batch at a time (a small catalog fits in
one batch, so it is verified whole on every run). A cheap unlocked pass finds candidates;
each candidate is then locked, recomputed and compared again, so a change that commits
between the two reads is never taken for drift. Every repair is recorded, and logged at ERROR after its commit: drift means a write path
went around the engine (a bug upstream), not a routine event. Each run is logged at INFO.
"""

import logging

from django.conf import settings
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
    codigos: list[str] = []
    cursor = ""
    while True:
        lote = proximos_codigos(cursor, 5000, using)
        if not lote:
            return codigos
        codigos += lote
        cursor = lote[-1]


def verificar(principais, execucao=None, corrigir=True, using="default") -> dict[str, list]:
    """Verify principal codes; fix drift (unless not corrigir). Returns {principal: differences}."""
    principais = sorted(set(principais))
    candidatos = []
    for inicio in range(0, len(principais), LOTE_LEITURA):
        fatia = principais[inicio : inicio + LOTE_LEITURA]
        esperados = recalculo.calcular_esperado(fatia, using)
        atuais = recalculo.ler_atual(fatia, using)
        candidatos += [cod for cod in fatia if not recalculo.equivalentes(atuais[cod], esperados[cod])]
    encontrados = {}
    for inicio in range(0, len(candidatos), 500):
        encontrados.update(
            transacao.executar(
                _verificar_travado, candidatos[inicio : inicio + 500], execucao, corrigir, using, using=using
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


def _verificar_travado(fatia, execucao, corrigir, using) -> dict[str, list]:
    """Under the product locks: recompute, compare, record and (unless dry-run) fix."""
    travas.travar_unificacao(using)
    # A code may have become non-principal meanwhile: verify what it resolves to now.
    fatia = sorted(set(resolver_principais(fatia, using).values()))
    travas.travar_produtos(fatia, using)
    esperados = recalculo.calcular_esperado(fatia, using)
    atuais = recalculo.ler_atual(fatia, using)
    encontrados = {}
    for cod in fatia:
        difs = recalculo.diferencas(atuais[cod], esperados[cod])
        if difs:
            encontrados[cod] = difs
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
    recalculo.gravar({cod: esperados[cod] for cod in encontrados}, using=using)
    eventos.publicar(sorted(encontrados), using)
    alertas.agendar(encontrados, using)
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


def corrigir_lotes_faturados(execucao=None, corrigir=True, using="default") -> list[str]:
    """Verify the invoiced-lote flags against the invoicing source; fix them under the lote
    locks. Runs before the products are verified: their expected forecast reads the flags
    (Separacao.objects.pendentes()), so a wrong flag is mended first, then its products."""
    faltando, sobrando = lotes_faturados_divergentes(using)
    if not (faltando or sobrando) or not corrigir:
        return sorted(faltando | sobrando)

    def corrigir_travado():
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
    origem=ReconciliacaoExecucao.Origem.AGENDAMENTO, produtos=None, corrigir=True, lote=None, using="default"
):
    """One reconciliation run: given products, or the next batch of the catalog cycle."""
    lote = lote or settings.ESTOQUE_RECONCILIACAO_LOTE
    execucao = ReconciliacaoExecucao.objects.using(using).create(origem=origem, simulacao=not corrigir)
    try:
        if produtos:
            principais = sorted(set(resolver_principais(produtos, using).values()))
        else:
            cursor, _ = CursorReconciliacao.objects.using(using).get_or_create(id=1)
            execucao.cursor_inicio = cursor.ultimo_codigo
            codigos = proximos_codigos(cursor.ultimo_codigo, lote, using)
            if len(codigos) < lote:
                # End of the catalog: wrap around so the cycle never stops.
                codigos += proximos_codigos("", lote - len(codigos), using)
                ultimo = ""
            else:
                ultimo = codigos[-1]
            principais = sorted(set(resolver_principais(codigos, using).values()))
            cursor.ultimo_codigo = ultimo
            cursor.save(using=using)
            execucao.cursor_fim = ultimo
        corrigir_lotes_faturados(execucao, corrigir, using)
        encontrados = verificar(principais, execucao, corrigir, using)
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
