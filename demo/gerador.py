"""Entry point of the demo data set (manage.py gerar_dados_demo, benchmarks, tests): gerar().

The phases run in a fixed order because later ones read what earlier ones generated: the
carteira allocates from the products, the movements steer each product's stock against its
allocated D+7 outflow and invoice the lotes (setting their NF), the separações and embarques
carry those NFs.
"""

from django.utils import timezone

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from demo import gravacao
from demo.geracao import Demo
from demo.geracao_carteira import COLUNAS_CARTEIRA, COLUNAS_PRE_SEPARACAO, COLUNAS_SEPARACAO, carteira, separacoes
from demo.geracao_embarques import COLUNAS_EMBARQUE, COLUNAS_EMBARQUE_ITEM, embarques
from demo.geracao_movimentacoes import COLUNAS_MOVIMENTACAO, movimentacoes, perfis, total_movimentacoes
from demo.geracao_producao import COLUNAS_PROGRAMACAO, programacao, total_programacao
from demo.geracao_produtos import COLUNAS_CADASTRO, COLUNAS_UNIFICACAO, cadastro, preparar_produtos
from demo.gravacao import DERIVADAS, FONTES, BancoComDados, Resumo, limpar, tem_dados
from demo.vocabulario import DIAS_HISTORICO, SEMENTE_PADRAO
from embarques.models import Embarque, EmbarqueItem
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque, UnificacaoCodigos
from producao.models import ProgramacaoProducao

__all__ = [
    "DERIVADAS",
    "DIAS_HISTORICO",
    "FONTES",
    "SEMENTE_PADRAO",
    "BancoComDados",
    "Resumo",
    "gerar",
    "limpar",
    "tem_dados",
]


def gerar(escala=1.0, semente=SEMENTE_PADRAO, using="default", limpar_antes=False, progresso=None, hoje=None) -> Resumo:
    """Generate the demo data set, then rebuild the derived tables. Same escala + semente on the
    same day (hoje) = the same rows.

    Clearing and inserting are one transaction (a failure leaves nothing behind). The rebuild
    runs after the commit, in the engine's own locked batches, so PostgreSQL can VACUUM the
    fresh tables first (index-only scans for the rebuild's code walk: ~20x faster at escala 100).
    """
    if escala <= 0:
        raise ValueError("A escala deve ser maior que zero.")
    progresso = progresso or (lambda fase, feitos, total: None)
    resumo = Resumo()
    demo = Demo(escala, semente, hoje or timezone.localdate())
    gravacao.gravar(lambda escritor: escrever(demo, escritor), using, limpar_antes, progresso, resumo)
    gravacao.analisar(using, progresso, resumo)
    gravacao.reconstruir_derivadas(using, progresso, resumo)
    return resumo


def escrever(demo, escritor):
    """Every source table, in the order the generation needs (see the module docstring)."""
    preparar_produtos(demo)
    escritor.inserir("cadastro de produtos", CadastroPalletizacao, COLUNAS_CADASTRO, cadastro(demo), demo.n_produtos)
    escritor.inserir("unificação de códigos", UnificacaoCodigos, COLUNAS_UNIFICACAO, demo.pares, len(demo.pares))
    total, linhas = carteira(demo)
    escritor.inserir("carteira de pedidos", CarteiraPrincipal, COLUNAS_CARTEIRA, linhas, total)
    perfis(demo)  # reads the D+7 outflow the carteira allocated
    escritor.inserir(
        "movimentações de estoque",
        MovimentacaoEstoque,
        COLUNAS_MOVIMENTACAO,
        movimentacoes(demo),
        total_movimentacoes(demo),
    )
    escritor.inserir(
        "pré-separações", PreSeparacaoItem, COLUNAS_PRE_SEPARACAO, demo.pre_separacoes, len(demo.pre_separacoes)
    )
    escritor.inserir(
        "separações", Separacao, COLUNAS_SEPARACAO, separacoes(demo), sum(len(lote.itens) for lote in demo.lotes)
    )
    escritor.inserir(
        "programação de produção", ProgramacaoProducao, COLUNAS_PROGRAMACAO, programacao(demo), total_programacao(demo)
    )
    linhas_embarque, itens = embarques(demo)
    escritor.inserir("embarques", Embarque, COLUNAS_EMBARQUE, linhas_embarque, len(linhas_embarque))
    ids = escritor.ids_por(Embarque, "numero")
    escritor.inserir(
        "itens de embarque",
        EmbarqueItem,
        COLUNAS_EMBARQUE_ITEM,
        [(ids[numero], *resto) for numero, *resto in itens],
        len(itens),
    )
