"""Rebuild and reconciliation started from the admin, as background jobs (core.trabalhos): the
same services the commands and the schedule call."""

from django.urls import reverse

from core.autoria import Origem
from core.formatos import milhar
from core.trabalhos import Resultado, Tipo, registrar
from estoque.models import ReconciliacaoExecucao
from estoque.services import reconciliacao, reconstrucao

RECONSTRUIR = "reconstrucao-estoque"
RECONCILIAR = "reconciliacao-estoque"
PERMISSAO = "estoque.change_reconciliacaoexecucao"  # who may start either from the admin


def reconstruir(trabalho, progresso) -> Resultado:
    progresso(0, 0, "Reconstruindo as tabelas derivadas (saldo e projeção)")
    total = reconstrucao.reconstruir(progresso=progresso)
    progresso(total, total)
    return Resultado(resumo=f"Estoque reconstruído: {milhar(total)} produto(s) recalculado(s) a partir das origens.")


def reconciliar(trabalho, progresso) -> Resultado:
    # Asked by a person: the whole catalog, whatever the sweep would choose for its interval.
    progresso(0, 0, "Verificando o catálogo inteiro contra as origens e corrigindo divergências")
    execucao, _ = reconciliacao.reconciliar(
        origem=ReconciliacaoExecucao.Origem.ADMIN,
        produtos=None,
        corrigir=True,
        progresso=progresso,
        catalogo_inteiro=True,
    )
    return Resultado(
        resumo=(
            f"Reconciliação nº {execucao.pk}: {milhar(execucao.produtos_verificados)} produto(s) verificado(s), "
            f"{milhar(execucao.produtos_corrigidos)} corrigido(s)."
        ),
        link=reverse("admin:estoque_reconciliacaoexecucao_change", args=[execucao.pk]),
    )


def registrar_tipos():
    registrar(
        Tipo(
            RECONSTRUIR,
            "Reconstruir o estoque (tabelas derivadas)",
            reconstruir,
            origem=Origem.ADMIN,
            unidade="produto(s)",
        )
    )
    registrar(Tipo(RECONCILIAR, "Reconciliar o estoque", reconciliar, origem=Origem.ADMIN, unidade="etapa(s)"))
