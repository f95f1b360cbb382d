"""The operators' roles: each a Django group with a documented permission set.

This table is the one place the roles are defined. The data migration 0001 creates the
groups from it and `acesso.sincronizacao` re-applies it after every `migrate` (post_migrate),
so a permission added later by another app reaches the roles that list it; a codename the
database does not know fails that sync loudly. Group permissions edited by hand in the admin
are overwritten at the next `migrate`: change them here.

Superusers have every permission (Django) and need no role.
"""

from dataclasses import dataclass

LEITURA, INCLUSAO, ALTERACAO, EXCLUSAO = "view", "add", "change", "delete"
TUDO = (LEITURA, INCLUSAO, ALTERACAO, EXCLUSAO)


def modelo(rotulo: str, *acoes: str) -> tuple[str, ...]:
    """ "app.model" and actions -> ("app.view_model", ...)."""
    app, nome = rotulo.split(".")
    return tuple(f"{app}.{acao}_{nome}" for acao in acoes)


# Reading the stock: real-time stock, forecast/projection, unified codes, catalog.
VER_ESTOQUE = (
    *modelo("estoque.estoquetemporeal", LEITURA),
    *modelo("estoque.movimentacaoprevista", LEITURA),
    *modelo("estoque.codigounificado", LEITURA),
    *modelo("estoque.unificacaocodigos", LEITURA),
    *modelo("estoque.cadastropalletizacao", LEITURA),
)
# The reconciliation log (drift found and repaired): part of the stock statistics.
VER_RECONCILIACAO = (
    *modelo("estoque.reconciliacaoexecucao", LEITURA),
    *modelo("estoque.reparoestoque", LEITURA),
)
VER_CARTEIRA = (
    *modelo("carteira.carteiraprincipal", LEITURA),  # includes the customer data
    *modelo("carteira.preseparacaoitem", LEITURA),
    *modelo("carteira.separacao", LEITURA),
    *modelo("carteira.pedido", LEITURA),
)
ANALISAR_RUPTURA = ("carteira.analisar_ruptura",)
# Ruptura alerts (estoque.AlertaRuptura): the roles that read the stock and act on it see and acknowledge them.
RECONHECER_ALERTAS_RUPTURA = (*modelo("estoque.alertaruptura", LEITURA), "estoque.reconhecer_alertaruptura")


@dataclass(frozen=True)
class Papel:
    nome: str  # the group's name
    descricao: str  # what the role may do (README, admin)
    usuario_demo: str  # the demo user `dev.py run` creates with this role
    permissoes: tuple[str, ...] = ()  # "app_label.codename"
    apps_inteiros: tuple[str, ...] = ()  # every permission of these apps, present and future


PAPEIS = (
    Papel(
        "Estoque",
        "Registra, altera e cancela movimentações de estoque; vê o estoque, a projeção, o catálogo e as "
        "reconciliações; reconhece alertas de ruptura.",
        "estoque",
        (
            *modelo("estoque.movimentacaoestoque", LEITURA, INCLUSAO, ALTERACAO),
            *VER_ESTOQUE,
            *VER_RECONCILIACAO,
            *RECONHECER_ALERTAS_RUPTURA,
        ),
    ),
    Papel(
        "PCP",
        "Mantém a programação de produção e o catálogo de produtos (palletização, peso); vê o estoque e a projeção; "
        "reconhece alertas de ruptura.",
        "pcp",
        (
            *modelo("producao.programacaoproducao", *TUDO),
            *modelo("estoque.cadastropalletizacao", *TUDO),
            *VER_ESTOQUE,
            *RECONHECER_ALERTAS_RUPTURA,
        ),
    ),
    Papel(
        "Expedição",
        "Monta pedidos: pré-separações, separações, embarques e seus itens; registra e cancela as notas fiscais dos "
        "lotes embarcados; reconhece alertas de "
        "separações cotadas e de ruptura; analisa ruptura; vê a carteira e o estoque.",
        "expedicao",
        (
            *modelo("carteira.preseparacaoitem", *TUDO),
            *modelo("carteira.separacao", *TUDO),
            *modelo("carteira.pedido", LEITURA),
            *modelo("carteira.carteiraprincipal", LEITURA),
            *modelo("carteira.alertaseparacaocotada", LEITURA, ALTERACAO),
            *modelo("embarques.embarque", *TUDO),
            *modelo("embarques.embarqueitem", *TUDO),
            # Registering and cancelling NFs (the page, the API and the import); the record itself is never deleted.
            *modelo("embarques.faturamentolote", LEITURA, INCLUSAO, ALTERACAO),
            *modelo("embarques.faturamentoitem", LEITURA),
            *ANALISAR_RUPTURA,
            *VER_ESTOQUE,
            *RECONHECER_ALERTAS_RUPTURA,
        ),
    ),
    Papel(
        "Comercial",
        "Só leitura: estoque, carteira (com os dados dos clientes), pré-separações, separações, programação de "
        "produção e relatórios; analisa ruptura.",
        "comercial",
        (
            *VER_ESTOQUE,
            *modelo("estoque.alertaruptura", LEITURA),
            *VER_CARTEIRA,
            *modelo("producao.programacaoproducao", LEITURA),
            *ANALISAR_RUPTURA,
        ),
    ),
    Papel(
        "Gestão",
        "Tudo dos apps de estoque, produção, carteira e embarques: inclusive sincronizar a carteira com o Odoo, "
        "recalcular e reconciliar o estoque, unificar códigos; vê as tarefas em segundo plano e a página Operação "
        "(reconciliações, sincronizações, filas e clusters do django-q2).",
        "gestao",
        (
            *modelo("django_q.schedule", LEITURA),
            *modelo("django_q.success", LEITURA),
            *modelo("django_q.failure", LEITURA),
            *modelo("django_q.ormq", LEITURA),
            *modelo("core.trabalho", LEITURA),  # every user's background jobs and their files
        ),
        apps_inteiros=("estoque", "producao", "carteira", "embarques"),
    ),
)

POR_NOME = {papel.nome: papel for papel in PAPEIS}
