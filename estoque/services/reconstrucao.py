"""Full rebuild of the derived tables and the midnight D+7 refresh, in locked batches.

Safe while the system is in use: each batch locks its products (sorted) like any writer,
recomputes them with set-based queries and replaces their rows, then commits.
"""

from django.db import transaction
from django.utils import timezone

from estoque.models import CodigoUnificado, EstoqueTempoReal, MovimentacaoPrevista
from estoque.services import recalculo, reconciliacao, transacao, travas, unificacao
from estoque.services.reconciliacao import todos_os_codigos

LOTE = 2000


def reconstruir(using="default", lote=LOTE, progresso=None) -> int:
    """Recompute every derived row from the sources. Returns the number of principal codes."""
    with transaction.atomic(using=using):
        travas.travar_unificacao(using, exclusivo=True)
        unificacao.reconstruir_mapa(using)
        reconciliacao.corrigir_lotes_faturados(using=using)
        mapa = dict(CodigoUnificado.objects.using(using).values_list("cod_produto", "cod_principal"))
        orfaos = set(MovimentacaoPrevista.objects.using(using).values_list("cod_produto", flat=True).distinct())
        orfaos |= set(EstoqueTempoReal.objects.using(using).values_list("cod_produto", flat=True))
        nao_principais = sorted(cod for cod in orfaos if mapa.get(cod, cod) != cod)
        recalculo.gravar({}, remover=nao_principais, using=using)
    principais = sorted({mapa.get(cod, cod) for cod in todos_os_codigos(using)} | (orfaos - set(nao_principais)))
    for inicio in range(0, len(principais), lote):
        fatia = principais[inicio : inicio + lote]
        transacao.executar(_reconstruir_fatia, fatia, using, using=using)
        if progresso:
            progresso(min(inicio + lote, len(principais)), len(principais))
    return len(principais)


def _reconstruir_fatia(fatia, using):
    travas.travar_unificacao(using)
    travas.travar_produtos(fatia, using)
    recalculo.gravar(recalculo.calcular_esperado(fatia, using), using=using)


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
