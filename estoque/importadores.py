"""Spreadsheet imports of estoque: stock movements and the product catalog (palletização).

Rows are checked with the services' own rule functions (operacoes.validar_movimentacao,
cadastro.validar_cadastro) and written through the services; core.importacoes runs the
pipeline (preview, totals, confirmation, no double imports, undo).
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError

from core import valores
from core.colunas import Coluna
from core.importacoes import (
    Erro,
    ErrosDaLinha,
    Importador,
    Linha,
    Tabela,
    erros_de_validacao,
    gravar_por_linha,
    na_linha,
    registrar,
)
from core.templatetags.formatos import formatar_qtd
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque
from estoque.selectors import codigos_conhecidos
from estoque.services import cadastro, operacoes

Tipo = MovimentacaoEstoque.Tipo
ZERO = Decimal("0")


def ler_campos(valores_linha: dict, conversores: dict) -> dict:
    """Each present column through its converter; every bad cell of the row reported at once."""
    dados, erros = {}, {}
    for nome, converter in conversores.items():
        if nome not in valores_linha:
            continue
        try:
            dados[nome] = converter(valores_linha[nome])
        except ValueError as erro:
            erros[nome] = str(erro)
    if erros:
        raise ErrosDaLinha(erros)
    return dados


def obrigatorio(converter):
    """A converter that refuses an empty cell."""

    def ler(valor):
        if valor is None or (isinstance(valor, str) and not valor.strip()):
            raise ValueError("Preencha este campo.")
        return converter(valor)

    return ler


def texto(maximo: int):
    return lambda valor: valores.texto(valor, maximo)


def erros_por_regra(importador: Importador, linhas: list[Linha], regra) -> list[Erro]:
    """`regra(linha)` raises the service's ValidationError; each becomes an error on its line and column."""
    erros = []
    for linha in linhas:
        try:
            regra(linha)
        except ValidationError as erro:
            for campo, mensagem in erros_de_validacao(erro).items():
                bruto = linha.brutos.get(campo)
                erros.append(Erro(linha.numero, importador.rotulo(campo), valores.como_digitado(bruto), mensagem))
    return erros


def conhecidos_do_arquivo(linhas: list[Linha], campo: str = "cod_produto") -> set[str]:
    """The file's known product codes, in one read (the rule of every write: codigos_conhecidos)."""
    return codigos_conhecidos({linha.dados[campo] for linha in linhas if linha.dados.get(campo)})


def nomes_do_catalogo(codigos) -> dict[str, str]:
    return dict(
        CadastroPalletizacao.objects.filter(cod_produto__in=set(codigos)).values_list("cod_produto", "nome_produto")
    )


COLUNA_PRODUTO = Coluna(
    "cod_produto",
    "Código do produto",
    obrigatoria=True,
    sinonimos=("produto", "codigo", "cod", "cod_prod", "codigo_produto", "sku"),
    ajuda="Código do cadastro de palletização ou de uma unificação de códigos; código desconhecido é recusado.",
    exemplo="4510156",
)


class MovimentacoesImportador(Importador):
    tipo = "movimentacoes"
    titulo = "Movimentações de estoque"
    descricao = "Entradas, saídas, ajustes e produção realizada: cada linha vira uma movimentação."
    permissao = "estoque.add_movimentacaoestoque"
    colunas = (
        COLUNA_PRODUTO,
        Coluna(
            "data_movimentacao",
            "Data",
            obrigatoria=True,
            sinonimos=("data_da_movimentacao", "dia"),
            ajuda="dd/mm/aaaa.",
            exemplo="29/11/2026",
        ),
        Coluna(
            "tipo_movimentacao",
            "Tipo",
            obrigatoria=True,
            sinonimos=("tipo_de_movimentacao", "movimento"),
            ajuda="ENTRADA, SAIDA, AJUSTE, PRODUCAO ou FATURAMENTO (com ou sem acento, maiúsculas ou não).",
            exemplo="ENTRADA",
        ),
        Coluna(
            "qtd_movimentacao",
            "Quantidade",
            obrigatoria=True,
            sinonimos=("qtd", "qtde", "quantidade_movimentada"),
            ajuda="Até 3 casas decimais (1.234,5). ENTRADA e PRODUCAO positivas; SAIDA e FATURAMENTO negativas "
            "(escreva -10); AJUSTE com o sinal da correção; nunca zero.",
            exemplo="1.234,5",
        ),
        Coluna("local_movimentacao", "Local", ajuda="Opcional.", exemplo="CD"),
        Coluna("observacao", "Observação", sinonimos=("obs",), ajuda="Opcional.", exemplo="Recebimento da fábrica"),
        Coluna("num_pedido", "Pedido", sinonimos=("numero_do_pedido",), ajuda="Opcional."),
        Coluna("numero_nf", "Número NF", sinonimos=("nf", "nota_fiscal"), ajuda="Opcional."),
        Coluna("separacao_lote_id", "Lote de separação", sinonimos=("lote",), ajuda="Opcional."),
    )
    notas = (
        "O sinal da quantidade segue o tipo: ENTRADA e PRODUCAO somam (positivas), SAIDA e FATURAMENTO "
        "subtraem (negativas), AJUSTE corrige nos dois sentidos.",
        "Datas dentro do período de negócio (não muito no passado nem no futuro).",
        "Desfazer uma importação cancela as movimentações que ela criou (nada é apagado).",
    )
    conversores = {
        "cod_produto": obrigatorio(lambda v: valores.texto(valores.codigo(v), 50)),
        "data_movimentacao": obrigatorio(valores.data),
        "tipo_movimentacao": obrigatorio(lambda v: valores.escolha(v, Tipo.choices)),
        "qtd_movimentacao": obrigatorio(valores.numero),
        "local_movimentacao": texto(50),
        "observacao": texto(2000),
        "num_pedido": texto(50),
        "numero_nf": texto(20),
        "separacao_lote_id": texto(50),
    }

    def converter(self, valores_linha: dict) -> dict:
        return ler_campos(valores_linha, self.conversores)

    def conferir(self, linhas: list[Linha]) -> list[Erro]:
        conhecidos = conhecidos_do_arquivo(linhas)
        return erros_por_regra(
            self, linhas, lambda linha: operacoes.validar_movimentacao(MovimentacaoEstoque(**linha.dados), conhecidos)
        )

    def totais(self, linhas: list[Linha]) -> list[Tabela]:
        por_produto: dict[str, list] = defaultdict(lambda: [0, ZERO, ZERO, ZERO])
        for linha in linhas:
            soma = por_produto[linha.dados["cod_produto"]]
            qtd = linha.dados["qtd_movimentacao"]
            tipo = linha.dados["tipo_movimentacao"]
            soma[0] += 1
            indice = 1 if tipo in MovimentacaoEstoque.ENTRADAS else 2 if tipo in MovimentacaoEstoque.SAIDAS else 3
            soma[indice] += qtd
        nomes = nomes_do_catalogo(por_produto)
        tabela = Tabela(
            "Total por produto",
            ["Código", "Produto", "Linhas", "Entradas", "Saídas", "Ajustes", "Variação do estoque"],
            ["texto", "texto", "inteiro", "qtd", "qtd", "qtd", "qtd"],
            [
                [cod, nomes.get(cod, ""), n, ent, sai, aju, ent + sai + aju]
                for cod, (n, ent, sai, aju) in sorted(por_produto.items())
            ],
        )
        total = [sum(1 for _ in linhas), *(sum((s[i] for s in por_produto.values()), ZERO) for i in (1, 2, 3))]
        tabela.linhas.append(["Total", "", total[0], total[1], total[2], total[3], total[1] + total[2] + total[3]])
        return [tabela]

    def aplicar(self, linhas, importacao, usuario, avancar) -> str:
        try:
            operacoes.criar_movimentacoes(
                [linha.dados for linha in linhas], usuario=usuario[:100], importacao=importacao, avancar=avancar
            )
        except operacoes.MovimentacaoRecusada as erro:
            raise na_linha(linhas[erro.indice], erro) from None
        return f"{formatar_qtd(len(linhas))} movimentação(ões) criada(s)."

    def aplicar_por_linha(self, linhas, importacao, usuario, avancar) -> str:
        """The former apply, row by row through criar_movimentacao: the reference the set-based
        apply is compared with (tests/estoque/test_importacao_em_massa.py, benchmarks/bench_importacao.py)."""
        gravar_por_linha(
            linhas,
            lambda linha: operacoes.criar_movimentacao(**linha.dados, usuario=usuario[:100], importacao=importacao),
            avancar,
        )
        return f"{formatar_qtd(len(linhas))} movimentação(ões) criada(s)."

    def desfazer(self, importacao, usuario) -> str:
        pks = list(importacao.movimentacoes.filter(ativo=True).order_by("pk").values_list("pk", flat=True))
        for pk in pks:
            operacoes.cancelar_movimentacao(pk, usuario=usuario[:100])
        return f"{formatar_qtd(len(pks))} movimentação(ões) cancelada(s)."


class CadastroImportador(Importador):
    tipo = "cadastro"
    titulo = "Cadastro de produtos (palletização)"
    descricao = "Inclui produtos novos e atualiza os existentes pelo código."
    permissao = "estoque.change_cadastropalletizacao"
    reversivel = False
    colunas = (
        Coluna(
            "cod_produto",
            "Código do produto",
            obrigatoria=True,
            sinonimos=("produto", "codigo", "cod", "sku"),
            ajuda="A chave: um código que já existe é atualizado, um novo é incluído.",
            exemplo="4510156",
        ),
        Coluna(
            "nome_produto",
            "Nome do produto",
            obrigatoria=True,
            sinonimos=("nome", "descricao"),
            exemplo="Pepino em conserva 300 g",
        ),
        Coluna(
            "palletizacao",
            "Palletização (un/pallet)",
            obrigatoria=True,
            sinonimos=("palletizacao", "paletizacao", "un_pallet"),
            ajuda="Unidades por pallet, maior que zero.",
            exemplo="1.200",
        ),
        Coluna(
            "peso_bruto",
            "Peso bruto (kg/un)",
            obrigatoria=True,
            sinonimos=("peso", "peso_bruto_kg"),
            ajuda="Quilos por unidade, zero ou mais.",
            exemplo="0,45",
        ),
        Coluna("categoria", "Categoria", exemplo="Conservas"),
        Coluna("subcategoria", "Subcategoria", exemplo="Pepinos"),
        Coluna("linha_producao", "Linha de produção", sinonimos=("linha",), exemplo="Linha 1"),
        Coluna("ativo", "Ativo", ajuda="sim ou não (vazio: sim para novos, mantém para existentes).", exemplo="sim"),
    )
    notas = ("Uma importação de cadastro não pode ser desfeita: os valores anteriores são substituídos.",)
    conversores = {
        "cod_produto": obrigatorio(lambda v: valores.texto(valores.codigo(v), 50)),
        "nome_produto": obrigatorio(texto(255)),
        "palletizacao": obrigatorio(valores.numero),
        "peso_bruto": obrigatorio(valores.numero),
        "categoria": texto(100),
        "subcategoria": texto(100),
        "linha_producao": texto(100),
        "ativo": valores.sim_nao,
    }

    def converter(self, valores_linha: dict) -> dict:
        dados = ler_campos(valores_linha, self.conversores)
        if dados.get("ativo") is None:
            dados.pop("ativo", None)
        return dados

    def conferir(self, linhas: list[Linha]) -> list[Erro]:
        erros, vistos = [], {}
        for linha in linhas:
            cod = linha.dados["cod_produto"]
            if cod in vistos:
                erros.append(Erro(linha.numero, "Código do produto", cod, f"Repetido: já está na linha {vistos[cod]}."))
            vistos.setdefault(cod, linha.numero)
        return erros + erros_por_regra(self, linhas, lambda linha: cadastro.validar_cadastro(linha.dados))

    def totais(self, linhas: list[Linha]) -> list[Tabela]:
        existentes = set(
            CadastroPalletizacao.objects.filter(
                cod_produto__in={linha.dados["cod_produto"] for linha in linhas}
            ).values_list("cod_produto", flat=True)
        )
        novos = sum(1 for linha in linhas if linha.dados["cod_produto"] not in existentes)
        return [
            Tabela(
                "Resumo",
                ["Produtos novos", "Produtos atualizados"],
                ["inteiro", "inteiro"],
                [[novos, len(linhas) - novos]],
            ),
            Tabela(
                "Produtos",
                ["Código", "Nome", "Palletização", "Peso bruto", "Situação"],
                ["texto", "texto", "qtd", "qtd", "texto"],
                [
                    [
                        d["cod_produto"],
                        d["nome_produto"],
                        d["palletizacao"],
                        d["peso_bruto"],
                        "atualizado" if d["cod_produto"] in existentes else "novo",
                    ]
                    for d in sorted((linha.dados for linha in linhas), key=lambda d: d["cod_produto"])
                ],
            ),
        ]

    def aplicar(self, linhas, importacao, usuario, avancar) -> str:
        novos = 0
        for feitas, linha in enumerate(linhas, start=1):
            _, criado = cadastro.salvar_cadastro(linha.dados)
            novos += criado
            if feitas % 100 == 0:
                avancar(feitas, len(linhas))
        return f"{formatar_qtd(novos)} produto(s) incluído(s), {formatar_qtd(len(linhas) - novos)} atualizado(s)."


registrar(MovimentacoesImportador())
registrar(CadastroImportador())
