"""Spreadsheet import of NFs (columns NF, lote, produto, qtd): each lote's rows are one NF.

A product of the lote missing from the sheet was not invoiced (0). The preview runs the
very service the page and the API call (faturamento.registrar_faturamento) for each lote in
a transaction it rolls back, so every rule (lote EMBARCADO, one NF in force, quantities up
to what was separated) is checked exactly as the confirmation will; the confirmation runs it
for real, all lotes in one transaction. An NF already registered for its lote changes nothing.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from carteira.models import Separacao
from core import valores
from core.colunas import Coluna
from core.importacoes import Erro, ErrosDaLinha, Importador, Linha, Tabela, erros_de_validacao, registrar
from embarques import faturamento
from estoque.importadores import conhecidos_do_arquivo, ler_campos, obrigatorio
from estoque.services.operacoes import mensagem_produto_desconhecido

ZERO = Decimal("0")


class _Desfazer(Exception):
    """Rolls back a dry run."""


def _lotes(linhas: list[Linha]) -> dict[str, dict]:
    lotes: dict[str, dict] = {}
    for linha in linhas:
        grupo = lotes.setdefault(linha.dados["lote"], {"nf": linha.dados["nf"], "linhas": [], "quantidades": {}})
        grupo["linhas"].append(linha.numero)
        grupo["quantidades"][linha.dados["produto"]] = linha.dados["qtd"]
    return lotes


def _quantidades(lote: str, grupo: dict) -> dict[str, Decimal]:
    """The sheet is the NF: a product of the lote not on it was not invoiced."""
    produtos = Separacao.objects.nao_canceladas().filter(separacao_lote_id=lote).values_list("cod_produto", flat=True)
    return dict.fromkeys(produtos, ZERO) | grupo["quantidades"]


class FaturamentoImportador(Importador):
    tipo = "faturamento"
    titulo = "Notas fiscais (faturamento)"
    descricao = "Registra a NF de lotes embarcados: o estoque baixa e a saída prevista some, uma única vez."
    permissao = "embarques.add_faturamentolote"
    colunas = (
        Coluna("nf", "NF", obrigatoria=True, sinonimos=("nota_fiscal", "numero_nf"), exemplo="000123"),
        Coluna(
            "lote",
            "Lote",
            obrigatoria=True,
            sinonimos=("separacao_lote_id", "lote_de_separacao"),
            ajuda="O lote de separação embarcado.",
            exemplo="LOTE-20261129-0001",
        ),
        Coluna(
            "produto", "Produto", obrigatoria=True, sinonimos=("cod_produto", "codigo_do_produto"), exemplo="4510156"
        ),
        Coluna(
            "qtd",
            "Quantidade faturada",
            obrigatoria=True,
            sinonimos=("quantidade", "qtd_faturada", "qtde"),
            ajuda="Zero ou mais, até o separado; produto do lote fora da planilha: não faturado.",
            exemplo="120",
        ),
    )
    notas = (
        "Todas as linhas de um lote formam uma NF: o mesmo lote não pode aparecer com duas NFs.",
        "Uma NF já registrada para o lote não muda nada. Desfazer uma importação cancela as NFs que ela registrou.",
    )
    conversores = {
        "nf": obrigatorio(lambda v: valores.texto(valores.codigo(v), 20)),
        "lote": obrigatorio(lambda v: valores.texto(v, 50)),
        "produto": obrigatorio(lambda v: valores.texto(valores.codigo(v), 50)),
        "qtd": obrigatorio(valores.numero),
    }

    def converter(self, valores_linha: dict) -> dict:
        dados = ler_campos(valores_linha, self.conversores)
        if dados["qtd"] < 0:
            raise ErrosDaLinha({"qtd": "A quantidade faturada não pode ser negativa."})
        return dados

    def conferir(self, linhas: list[Linha]) -> list[Erro]:
        erros = []
        conhecidos = conhecidos_do_arquivo(linhas, "produto")
        vistos: dict[tuple, int] = {}
        nf_do_lote: dict[str, str] = {}
        for linha in linhas:
            lote, nf, produto = linha.dados["lote"], linha.dados["nf"], linha.dados["produto"]
            if produto not in conhecidos:
                erros.append(Erro(linha.numero, "Produto", produto, mensagem_produto_desconhecido(produto)))
            if nf_do_lote.setdefault(lote, nf) != nf:
                erros.append(
                    Erro(linha.numero, "NF", nf, f"O lote {lote} aparece com as NFs {nf_do_lote[lote]} e {nf}.")
                )
            if (lote, produto) in vistos:
                erros.append(
                    Erro(
                        linha.numero,
                        "Produto",
                        produto,
                        f"Repetido no lote {lote}: já está na linha {vistos[lote, produto]}.",
                    )
                )
            vistos.setdefault((lote, produto), linha.numero)
        if erros:
            return erros
        for lote, grupo in _lotes(linhas).items():
            try:
                with transaction.atomic():
                    faturamento.registrar_faturamento(
                        separacao_lote_id=lote, nota_fiscal=grupo["nf"], quantidades=_quantidades(lote, grupo)
                    )
                    raise _Desfazer
            except _Desfazer:
                pass
            except ValidationError as erro:
                for mensagem in erros_de_validacao(erro).values():
                    linhas_lote = ", ".join(str(n) for n in grupo["linhas"])
                    erros.append(Erro(grupo["linhas"][0], "Lote", lote, f"{mensagem} (linha(s) {linhas_lote})"))
        return erros

    def totais(self, linhas: list[Linha]) -> list[Tabela]:
        return [
            Tabela(
                "Por lote",
                ["Lote", "NF", "Produtos", "Quantidade faturada"],
                ["texto", "texto", "inteiro", "qtd"],
                [
                    [lote, grupo["nf"], len(grupo["quantidades"]), sum(grupo["quantidades"].values(), ZERO)]
                    for lote, grupo in sorted(_lotes(linhas).items())
                ],
            )
        ]

    def aplicar(self, linhas, importacao, usuario, avancar) -> str:
        registradas, repetidas = [], []
        lotes = _lotes(linhas)
        for feitos, (lote, grupo) in enumerate(lotes.items(), start=1):
            resultado = faturamento.registrar_faturamento(
                separacao_lote_id=lote,
                nota_fiscal=grupo["nf"],
                quantidades=_quantidades(lote, grupo),
                usuario=usuario,
                importacao=importacao,
            )
            (registradas if resultado.criado else repetidas).append(f"NF {grupo['nf']} (lote {lote})")
            avancar(feitos, len(lotes))
        partes = []
        if registradas:
            partes.append(f"{len(registradas)} NF(s) registrada(s): {', '.join(registradas)}.")
        if repetidas:
            partes.append(f"Já registradas, nada mudou: {', '.join(repetidas)}.")
        return " ".join(partes)

    def desfazer(self, importacao, usuario) -> str:
        lotes = list(
            importacao.faturamentos.filter(status="ATIVO")
            .order_by("pk")
            .values_list("separacao_lote_id", "nota_fiscal")
        )
        for lote, nf in lotes:
            faturamento.cancelar_faturamento(separacao_lote_id=lote, nota_fiscal=nf, usuario=usuario)
        return f"{len(lotes)} NF(s) cancelada(s)."


registrar(FaturamentoImportador())
