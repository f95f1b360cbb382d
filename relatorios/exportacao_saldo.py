"""Excel of the Saldo de estoque list: the rows the page shows for the same filters, in the same order.

The filters are the page's FilterSet (estoque.filtros.SaldoEstoqueFilter) and the rows its
selector (estoque.selectors.saldo), so the file and the screen cannot disagree. The domain
columns (em carteira, em pré-separação, em separação) are in the file only when the user may
see them, as on the page. Same conventions as the other workbooks (relatorios.excel).
"""

from datetime import datetime

from django.utils import timezone

from estoque.filtros import ROTULOS_ORDEM, SaldoEstoqueFilter
from estoque.projecao import ROTULOS_STATUS, StatusEstoque
from estoque.selectors import saldo as selectors_saldo
from relatorios import excel, selectors
from relatorios.excel import Estilo, data, datahora, inteiro, qtd, texto
from relatorios.exportacoes import Exportacao, texto_gerado

TITULO = "Saldo de estoque"
PREFIXO = "saldo_estoque"
ESTILOS_STATUS = {
    ROTULOS_STATUS[StatusEstoque.CRITICO]: Estilo(cor="F8CBAD", negrito=True),
    ROTULOS_STATUS[StatusEstoque.ATENCAO]: Estilo(cor="FFE699"),
}
NOTA = (
    "Estoque D0: estoque agora. Dia de ruptura: primeiro dia até D+28 com saldo negativo. Em carteira: pedido e "
    "ainda não alocado. Disponível: menor saldo projetado de D0 a D+28. Status: CRÍTICO = negativo até D+7; "
    "ATENÇÃO = de D+8 a D+28; OK = nenhum dia negativo. Códigos principais dos grupos de unificação."
)


def _colunas(alocacoes) -> list:
    return [
        texto("Código", 13),
        texto("Códigos unificados", 22),
        texto("Produto", 40),
        texto("Linha de produção", 20),
        texto("Categoria", 18),
        qtd("Estoque D0", 14),
        qtd("Menor estoque D+7", 14),
        data("Dia de ruptura"),
        inteiro("D+"),
        *(qtd(alocacao.titulo, 14) for alocacao in alocacoes),
        qtd("Produção D0–D28", 14),
        qtd("Disponível", 14),
        texto("Status", 10),
        datahora("Atualizado em"),
    ]


def texto_filtros(filtro: SaldoEstoqueFilter) -> str:
    """The filters and the sort of the export in words (the file says what it holds)."""
    dados = filtro.form.cleaned_data if filtro.is_valid() else {}
    partes = []
    rotulos = {nome: campo.label for nome, campo in filtro.form.fields.items()}
    for nome in ("q", "status", "linha", "categoria"):
        if dados.get(nome):
            valor = ROTULOS_STATUS.get(dados[nome], dados[nome]) if nome == "status" else dados[nome]
            partes.append(f"{rotulos[nome]}: {valor}")
    for nome in ("ruptura_d7", "com_carteira"):
        if dados.get(nome) and (nome != "com_carteira" or filtro.ve_carteira):
            partes.append(rotulos[nome].lower())
    ordem = filtro.ordem_escolhida
    rotulo_ordem = ROTULOS_ORDEM.get(ordem.lstrip("-"), ordem) + (" (decrescente)" if ordem.startswith("-") else "")
    filtros = "; ".join(partes) if partes else "sem filtro (todos os produtos)"
    return f"Filtros: {filtros}. Ordem: {rotulo_ordem}."


def gerar(filtro: SaldoEstoqueFilter, usuario, agora: datetime | None = None, avancar=None) -> Exportacao:
    """The workbook; `avancar(rows written)` is called as it grows (a background export's progress)."""
    agora = agora or timezone.now()
    hoje = timezone.localdate(agora)
    alocacoes = selectors_saldo.alocacoes_permitidas(usuario)
    livro = excel.novo_livro()
    livro.avancar = avancar
    metadados = [texto_filtros(filtro), f"{texto_gerado(agora)} · D0 = {hoje:%d/%m/%Y}", NOTA]
    colunas = _colunas(alocacoes)
    aba = excel.Planilha(
        livro, TITULO, colunas, TITULO, metadados, destaques=ESTILOS_STATUS, coluna_destaque=len(colunas) - 2
    )
    with selectors.leitura_consistente():
        for linha in selectors_saldo.todas(filtro.qs, filtro.ordem_escolhida, usuario, hoje):
            aba.linha(
                [
                    linha.cod_produto,
                    ", ".join(linha.outros_codigos),
                    linha.nome_produto,
                    linha.linha_producao,
                    linha.categoria,
                    linha.estoque_atual,
                    linha.menor_estoque_d7,
                    linha.dia_ruptura,
                    linha.dias_ate_ruptura,
                    *(linha.alocacoes.get(alocacao.chave) for alocacao in alocacoes),
                    linha.producao_prevista,
                    linha.disponivel,
                    linha.status_rotulo,
                    linha.atualizado_em,
                ]
            )
    aba.fechar()
    nome = f"{PREFIXO}_{timezone.localtime(agora):%Y-%m-%d}.xlsx"
    return Exportacao(nome, excel.salvar(livro), aba.linhas_dados)
