"""Spreadsheet import of the production plan: each row a programação (forecast inflow)."""

from collections import defaultdict
from decimal import Decimal

from core import valores
from core.colunas import Coluna
from core.importacoes import Erro, Importador, Linha, Tabela, gravar_por_linha, registrar
from core.templatetags.formatos import formatar_qtd
from estoque.importadores import (
    COLUNA_PRODUTO,
    conhecidos_do_arquivo,
    erros_por_regra,
    ler_campos,
    nomes_do_catalogo,
    obrigatorio,
    texto,
)
from producao import services
from producao.models import ProgramacaoProducao

ZERO = Decimal("0")


class ProgramacaoImportador(Importador):
    tipo = "producao"
    titulo = "Programação de produção"
    descricao = "Cada linha é uma produção prevista (entrada futura no estoque) de um produto em um dia."
    permissao = "producao.add_programacaoproducao"
    colunas = (
        Coluna(
            "data_programacao",
            "Data programada",
            obrigatoria=True,
            sinonimos=("data", "data_producao", "dia"),
            ajuda="dd/mm/aaaa, dentro do período de negócio.",
            exemplo="02/12/2026",
        ),
        COLUNA_PRODUTO,
        Coluna(
            "qtd_programada",
            "Quantidade programada",
            obrigatoria=True,
            sinonimos=("quantidade", "qtd", "qtde"),
            ajuda="Maior que zero, até 3 casas decimais (1.234,5).",
            exemplo="2.400",
        ),
        Coluna("linha_producao", "Linha de produção", sinonimos=("linha",), ajuda="Opcional.", exemplo="Linha 1"),
        Coluna("cliente_produto", "Cliente", ajuda="Opcional (produção dedicada a um cliente)."),
        Coluna("observacao_pcp", "Observação PCP", sinonimos=("observacao", "obs"), ajuda="Opcional."),
    )
    notas = ("Desfazer uma importação exclui as programações que ela criou (e que ainda existem).",)
    conversores = {
        "data_programacao": obrigatorio(valores.data),
        "cod_produto": obrigatorio(lambda v: valores.texto(valores.codigo(v), 50)),
        "qtd_programada": obrigatorio(valores.numero),
        "linha_producao": texto(100),
        "cliente_produto": texto(100),
        "observacao_pcp": texto(2000),
    }

    def converter(self, valores_linha: dict) -> dict:
        return ler_campos(valores_linha, self.conversores)

    def conferir(self, linhas: list[Linha]) -> list[Erro]:
        conhecidos = conhecidos_do_arquivo(linhas)
        return erros_por_regra(
            self, linhas, lambda linha: services.validar_programacao(ProgramacaoProducao(**linha.dados), conhecidos)
        )

    def totais(self, linhas: list[Linha]) -> list[Tabela]:
        por_produto: dict[str, list] = defaultdict(lambda: [0, ZERO])
        por_dia: dict = defaultdict(lambda: [0, ZERO])
        for linha in linhas:
            for soma in (por_produto[linha.dados["cod_produto"]], por_dia[linha.dados["data_programacao"]]):
                soma[0] += 1
                soma[1] += linha.dados["qtd_programada"]
        nomes = nomes_do_catalogo(por_produto)
        total = sum((s[1] for s in por_produto.values()), ZERO)
        return [
            Tabela(
                "Total por produto",
                ["Código", "Produto", "Linhas", "Quantidade programada"],
                ["texto", "texto", "inteiro", "qtd"],
                [[cod, nomes.get(cod, ""), n, qtd] for cod, (n, qtd) in sorted(por_produto.items())]
                + [["Total", "", len(linhas), total]],
            ),
            Tabela(
                "Total por dia",
                ["Data", "Linhas", "Quantidade programada"],
                ["data", "inteiro", "qtd"],
                [[dia, n, qtd] for dia, (n, qtd) in sorted(por_dia.items())],
            ),
        ]

    def aplicar(self, linhas, importacao, usuario, avancar) -> str:
        gravar_por_linha(
            linhas, lambda linha: services.criar_programacao(**linha.dados, importacao=importacao), avancar
        )
        return f"{formatar_qtd(len(linhas))} programação(ões) criada(s)."

    def desfazer(self, importacao, usuario) -> str:
        pks = list(importacao.programacoes.order_by("pk").values_list("pk", flat=True))
        for pk in pks:
            services.excluir_programacao(pk)
        return f"{formatar_qtd(len(pks))} programação(ões) excluída(s)."


registrar(ProgramacaoImportador())
