"""The template of a kind of import: an xlsx with the expected columns and an example row,
and an "Instruções" sheet saying which columns are required and what each one takes."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from core.importacoes import Importador

CABECALHO = PatternFill("solid", fgColor="DDEBF7")
TEXTO = "@"  # codes keep their leading zeros when typed into the template
CAMPOS_TEXTO = ("cod_produto", "produto", "nf", "numero_nf", "lote", "separacao_lote_id", "num_pedido")


def gerar(importador: Importador) -> bytes:
    livro = Workbook()
    dados = livro.active
    dados.title = "Dados"
    for indice, coluna in enumerate(importador.colunas, start=1):
        titulo = dados.cell(row=1, column=indice, value=coluna.rotulo)
        titulo.font = Font(bold=True)
        titulo.fill = CABECALHO
        exemplo = dados.cell(row=2, column=indice, value=coluna.exemplo)
        if coluna.nome in CAMPOS_TEXTO:
            exemplo.number_format = TEXTO
        dados.column_dimensions[titulo.column_letter].width = max(14, len(coluna.rotulo) + 4)
    dados.freeze_panes = "A2"

    instrucoes = livro.create_sheet("Instruções")
    instrucoes.append([importador.titulo])
    instrucoes["A1"].font = Font(bold=True, size=13)
    instrucoes.append([importador.descricao])
    instrucoes.append(
        [
            "Preencha a aba Dados a partir da linha 2 (apague a linha de exemplo). O cabeçalho pode usar o nome "
            "da coluna ou o do campo, com ou sem acentos; colunas a mais são ignoradas e avisadas."
        ]
    )
    instrucoes.append([])
    instrucoes.append(["Coluna", "Campo", "Obrigatória", "O que preencher"])
    for celula in instrucoes[5]:
        celula.font = Font(bold=True)
        celula.fill = CABECALHO
    for coluna in importador.colunas:
        instrucoes.append([coluna.rotulo, coluna.nome, "sim" if coluna.obrigatoria else "não", coluna.ajuda])
    instrucoes.append([])
    instrucoes.append(["Regras"])
    instrucoes.cell(row=instrucoes.max_row, column=1).font = Font(bold=True)
    regras = [
        "Números no formato brasileiro (1.234,5) ou como números do Excel/LibreOffice; datas dd/mm/aaaa.",
        "Tudo ou nada: se uma linha for recusada, nada é gravado; a prévia mostra cada erro com a linha e a coluna.",
        "Confira os totais da prévia antes de confirmar. O mesmo arquivo importado de novo é recusado, "
        "a não ser que se confirme de propósito.",
        "Arquivos aceitos: .xlsx, .ods, .xls e .csv (UTF-8 ou Windows-1252, separado por ; ou ,).",
        *importador.notas,
    ]
    for regra in regras:
        instrucoes.append([regra])
    for letra, largura in (("A", 28), ("B", 22), ("C", 12), ("D", 90)):
        instrucoes.column_dimensions[letra].width = largura
    for linha in instrucoes.iter_rows():
        for celula in linha:
            celula.alignment = Alignment(wrap_text=True, vertical="top")
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()
