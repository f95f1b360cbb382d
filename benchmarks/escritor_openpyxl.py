"""The openpyxl write-only writer that relatorios.excel replaced (issue 16), kept for the benchmark only.

benchmarks.bench_exportacao swaps it into relatorios.excel (Planilha, novo_livro, salvar) to
measure the old and the new writer on the same rows in one run. Columns, styles and
neutralisation are relatorios.excel's own, so both writers get exactly the same input.
"""

from datetime import datetime
from tempfile import TemporaryFile

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.properties import Outline

from relatorios.excel import LINHA_CABECALHO, Coluna, Estilo, neutralizar

FONTE_CABECALHO = Font(bold=True, color="FFFFFF")
FUNDO_CABECALHO = PatternFill("solid", fgColor="1F4E78")


def _celula_local(valor):
    """Excel has no time zones: aware datetimes are written as São Paulo wall-clock time."""
    if isinstance(valor, datetime) and timezone.is_aware(valor):
        return timezone.localtime(valor).replace(tzinfo=None)
    return valor


class Planilha:
    """One write-only sheet: metadata rows, a frozen header with auto-filter, then data rows.

    Speed matters (hundreds of thousands of rows): text goes in as plain values, and only
    number and date columns use a styled cell, a template per column reused for every row
    (write-only mode serialises a row as soon as it is appended). Row kinds are coloured by
    conditional formatting on one column's value (destaques), written once for the whole
    range, plus a real fill on that column's own cell for viewers without conditional
    formatting.
    """

    def __init__(
        self,
        livro: Workbook,
        aba: str,
        colunas: list[Coluna],
        titulo: str,
        metadados: list[str],
        destaques: dict[str, Estilo] | None = None,
        coluna_destaque: int = 0,
        agrupar: bool = False,
    ):
        self.ws = livro.create_sheet(aba)
        self.colunas = colunas
        self.destaques = destaques or {}
        self.coluna_destaque = coluna_destaque
        self.linha_atual = 0
        self.linhas_dados = 0
        self.formatadas = [self._celula_formatada(coluna) for coluna in colunas]
        self.celulas_destaque = {valor: self._celula_destaque(estilo) for valor, estilo in self.destaques.items()}
        for indice, coluna in enumerate(colunas, 1):
            self.ws.column_dimensions[get_column_letter(indice)].width = coluna.largura
        self.ws.freeze_panes = f"A{LINHA_CABECALHO + 1}"
        if agrupar:
            # The order row sits above its detail rows: the +/- button belongs on the row above.
            self.ws.sheet_properties.outlinePr = Outline(summaryBelow=False, summaryRight=False)
            self.ws.sheet_format.outlineLevelRow = 1
        self._escrever_metadados(titulo, metadados)
        self._escrever_cabecalho()

    def _celula_formatada(self, coluna: Coluna) -> Cell | None:
        if not coluna.formato:
            return None
        celula = WriteOnlyCell(self.ws)
        celula.number_format = coluna.formato
        return celula

    def _celula_destaque(self, estilo: Estilo) -> Cell:
        celula = WriteOnlyCell(self.ws)
        celula.fill = PatternFill("solid", fgColor=estilo.cor)
        celula.font = Font(bold=estilo.negrito, italic=estilo.italico)
        return celula

    def _anexar(self, celulas, nivel=0):
        self.linha_atual += 1
        if nivel:
            self.ws.row_dimensions[self.linha_atual] = RowDimension(self.ws, index=self.linha_atual, outlineLevel=nivel)
        self.ws.append(celulas)
        if nivel:
            del self.ws.row_dimensions[self.linha_atual]  # written already; keep memory flat

    def _escrever_metadados(self, titulo, metadados):
        celula = WriteOnlyCell(self.ws, value=titulo)
        celula.font = Font(bold=True, size=14)
        self._anexar([celula])
        for linha in (metadados + ["", "", ""])[: LINHA_CABECALHO - 2]:
            self._anexar([linha] if linha else [])

    def _escrever_cabecalho(self):
        celulas = []
        for coluna in self.colunas:
            celula = WriteOnlyCell(self.ws, value=coluna.titulo)
            celula.font = FONTE_CABECALHO
            celula.fill = FUNDO_CABECALHO
            celula.alignment = Alignment(wrap_text=True, vertical="center")
            celulas.append(celula)
        self._anexar(celulas)

    def linha(self, valores, nivel: int = 0):
        """Append one data row. Text is neutralised; None and "" leave the cell empty."""
        celulas = []
        for formatada, valor_celula in zip(self.formatadas, valores):
            if valor_celula is None or valor_celula == "":
                celulas.append(None)
            elif isinstance(valor_celula, str):
                celulas.append(neutralizar(valor_celula))
            elif formatada is not None:
                formatada.value = _celula_local(valor_celula)
                celulas.append(formatada)
            else:
                celulas.append(valor_celula)
        destaque = self.celulas_destaque.get(valores[self.coluna_destaque]) if self.destaques else None
        if destaque is not None:
            destaque.value = celulas[self.coluna_destaque]
            celulas[self.coluna_destaque] = destaque
        self._anexar(celulas, nivel)
        self.linhas_dados += 1

    def fechar(self):
        ultima_coluna = get_column_letter(len(self.colunas))
        ultima_linha = max(self.linha_atual, LINHA_CABECALHO)
        self.ws.auto_filter.ref = f"A{LINHA_CABECALHO}:{ultima_coluna}{ultima_linha}"
        if self.destaques and ultima_linha > LINHA_CABECALHO:
            primeira = LINHA_CABECALHO + 1
            chave = f"${get_column_letter(self.coluna_destaque + 1)}{primeira}"
            faixa = f"A{primeira}:{ultima_coluna}{ultima_linha}"
            for valor_destaque, estilo in self.destaques.items():
                cor = PatternFill(fill_type="solid", start_color=estilo.cor, end_color=estilo.cor)
                fonte = Font(bold=estilo.negrito, italic=estilo.italico)
                formula = f'{chave}="{valor_destaque}"'
                self.ws.conditional_formatting.add(faixa, FormulaRule(formula=[formula], fill=cor, font=fonte))


def novo_livro() -> Workbook:
    livro = Workbook(write_only=True)
    livro.properties.creator = "Estoque em Tempo Real"
    return livro


def salvar(livro: Workbook):
    """Zip the workbook into an anonymous temporary file, rewound, for a streaming response."""
    arquivo = TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (handed open to the streaming response)
    try:
        livro.save(arquivo)
    except BaseException:
        arquivo.close()
        raise
    arquivo.seek(0)
    return arquivo
