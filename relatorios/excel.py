"""Streaming .xlsx writing: XlsxWriter in constant_memory mode, so memory stays flat whatever the row count.

Each row goes to the sheet's temporary file as soon as the next one starts; closing the
workbook zips it into an anonymous temporary file that the view streams to the browser.
XlsxWriter rather than openpyxl's write-only mode because cell serialisation is most of an
export's time and XlsxWriter's is several times faster (benchmarks/bench_exportacao.py);
openpyxl still reads every workbook (imports, tests).

Formats. Numbers and dates stay numbers and dates; only the cell's number format says how
to show them, and Excel renders it in the reader's locale (pt-BR: 1.234,560 and 27/11/2026).
Negative quantities show in red.

Formula neutralisation. Text that comes from user data and starts with = + - @ (or a tab or
carriage return) could be read as a formula by Excel or by a later CSV round trip. Such text
gets a leading apostrophe (') — the OWASP advice for spreadsheet exports — and is always
written as a string cell (write_string), never as a formula. "-5 caixas" becomes "'-5 caixas".
Control characters that XML cannot hold (e.g. a pasted vertical tab) are dropped instead of
failing the whole export.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from numbers import Number
from tempfile import TemporaryFile
from types import SimpleNamespace

import xlsxwriter
from django.utils import timezone
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellDatetimeTuple, CellNumberTuple, CellStringTuple, Worksheet
from xlsxwriter.xmlwriter import re_control_chars_2

# The characters openpyxl refuses (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE): C0 controls but tab, LF, CR.
ILLEGAL_CHARACTERS_RE = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

FORMATO_QTD = "#,##0.000;[Red]-#,##0.000"
FORMATO_VALOR = "#,##0.00;[Red]-#,##0.00"
FORMATO_INTEIRO = "#,##0;[Red]-#,##0"
FORMATO_DATA = "DD/MM/YYYY"
FORMATO_DATAHORA = "DD/MM/YYYY HH:MM"

INICIO_FORMULA = ("=", "+", "-", "@", "\t", "\r")
NEUTRALIZADOR = "'"

AVISAR_A_CADA = 1000  # rows between two progress calls of a background export
LINHA_CABECALHO = 5  # rows 1-4: title, period, generation time, note


def neutralizar(texto: str) -> str:
    """Text safe for a cell: no formula start, no control characters XML cannot hold."""
    if ILLEGAL_CHARACTERS_RE.search(texto):
        texto = ILLEGAL_CHARACTERS_RE.sub("", texto)
    return NEUTRALIZADOR + texto if texto.startswith(INICIO_FORMULA) else texto


@dataclass(frozen=True)
class Coluna:
    titulo: str
    largura: float = 14
    formato: str | None = None  # number_format for numbers and dates; None for text


def texto(titulo, largura=16):
    return Coluna(titulo, largura)


def qtd(titulo, largura=13):
    return Coluna(titulo, largura, FORMATO_QTD)


def valor(titulo, largura=14):
    return Coluna(titulo, largura, FORMATO_VALOR)


def inteiro(titulo, largura=8):
    return Coluna(titulo, largura, FORMATO_INTEIRO)


def data(titulo, largura=12):
    return Coluna(titulo, largura, FORMATO_DATA)


def datahora(titulo, largura=17):
    return Coluna(titulo, largura, FORMATO_DATAHORA)


@dataclass(frozen=True)
class Estilo:
    """How one kind of row looks (fill colour, bold, italic)."""

    cor: str
    negrito: bool = False
    italico: bool = False


PIXELS_POR_CARACTERE = 7  # Calibri 11's digit width: the file keeps the widths the openpyxl writer wrote
PROPRIEDADES_TITULO = {"bold": True, "font_size": 14}
PROPRIEDADES_CABECALHO = {
    "bold": True,
    "font_color": "#FFFFFF",
    "pattern": 1,
    "fg_color": "#1F4E78",
    "text_wrap": True,
    "valign": "vcenter",
}


def _celula_local(valor):
    """Excel has no time zones: aware datetimes are written as São Paulo wall-clock time."""
    if isinstance(valor, datetime) and timezone.is_aware(valor):
        return timezone.localtime(valor).replace(tzinfo=None)
    return valor


def _propriedades_destaque(estilo: Estilo) -> dict:
    return {"pattern": 1, "fg_color": f"#{estilo.cor}", "bold": estilo.negrito, "italic": estilo.italico}


class _Folha(Worksheet):
    """XlsxWriter's worksheet with a faster writer for the cells the exports make: text, numbers, dates.

    Serialising cells is most of an export's time, and XlsxWriter's general _write_cell
    escapes every attribute and runs three regular expressions per text. Here the cell
    reference's column letters and each Format's style attribute are computed once and the
    text checks are substring tests; the XML is the same _write_cell writes (inline strings,
    as in constant_memory mode). Anything else (rich text, booleans, a row or column format,
    text with _xHHHH_ or control characters to escape) goes to XlsxWriter's own writer.
    """

    def __init__(self):
        super().__init__()
        self._estilos: dict[Format, str] = {}  # ' s="n"', n the Format's style index
        self._letras: dict[int, str] = {}

    def _write_cell(self, row: int, col: int, cell) -> None:
        tipo, formato = cell.__class__, cell.format
        if formato is None:
            info_linha, info_coluna = self.row_info.get(row), self.col_info.get(col)
            if (info_linha is not None and info_linha.row_format is not None) or (
                info_coluna is not None and info_coluna.column_format is not None
            ):
                return super()._write_cell(row, col, cell)
            estilo = ""
        else:
            estilo = self._estilos.get(formato)
            if estilo is None:
                estilo = self._estilos[formato] = f' s="{formato._get_xf_index()}"'
        if tipo is CellStringTuple and self.constant_memory:
            texto = cell.string
            if not texto or "_x" in texto or texto.startswith("<r>") or re_control_chars_2.search(texto):
                return super()._write_cell(row, col, cell)
            if "&" in texto or "<" in texto or ">" in texto:
                texto = texto.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            preservar = ' xml:space="preserve"' if texto[0].isspace() or texto[-1].isspace() else ""
            self.fh.write(
                f'<c r="{self._letra(col)}{row + 1}"{estilo} t="inlineStr"><is><t{preservar}>{texto}</t></is></c>'
            )
        elif tipo is CellNumberTuple or tipo is CellDatetimeTuple:
            self.fh.write(f'<c r="{self._letra(col)}{row + 1}"{estilo}><v>{cell.number:.16G}</v></c>')
        else:
            super()._write_cell(row, col, cell)

    def _write_single_row(self, current_row_num=0) -> None:
        # One write per row instead of one per cell: the file is a text file opened for
        # reading too, and each of its writes costs more than building the row's string.
        arquivo, partes = self.fh, []
        self.fh = SimpleNamespace(write=partes.append)
        try:
            super()._write_single_row(current_row_num)
        finally:
            self.fh = arquivo
        arquivo.write("".join(partes))

    def _letra(self, coluna: int) -> str:
        letra = self._letras.get(coluna)
        if letra is None:
            letra = self._letras[coluna] = xl_col_to_name(coluna)
        return letra


class Livro:
    """A workbook being written (XlsxWriter, constant_memory) into an anonymous temporary file.

    Formats are created once per workbook and shared by its sheets (XlsxWriter keeps one
    style record per Format object).
    """

    def __init__(self):
        self.arquivo = TemporaryFile(suffix=".xlsx")  # noqa: SIM115  (handed open to the streaming response)
        self.workbook = xlsxwriter.Workbook(
            self.arquivo,
            # write_string/write_number are called by type, so nothing is guessed from text.
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        self.workbook.set_properties({"author": "Estoque em Tempo Real"})
        self.fechado = False
        self._formatos: dict[tuple, Format] = {}
        # Progress of a background export (core.trabalhos): called with the data rows written so
        # far, every AVISAR_A_CADA rows of any sheet.
        self.avancar: Callable[[int], None] | None = None
        self.linhas_dados = 0

    def formato(self, **propriedades) -> Format:
        chave = tuple(sorted(propriedades.items()))
        if chave not in self._formatos:
            self._formatos[chave] = self.workbook.add_format(propriedades)
        return self._formatos[chave]

    def fechar(self):
        self.fechado = True
        self.workbook.close()

    def __del__(self):
        # An export that failed half-way: close here, while the temporary file is still open
        # (XlsxWriter's own destructor would close into it after it is gone), and drop both.
        if not getattr(self, "fechado", True):
            try:
                self.fechar()
            finally:
                self.arquivo.close()


class Planilha:
    """One sheet: metadata rows, a frozen header with auto-filter, then data rows.

    Speed matters (hundreds of thousands of rows): each value goes straight to the typed
    XlsxWriter call (write_string, write_number, write_datetime) with the column's Format,
    created once. Text carries no format, as in a plain cell. Row kinds are coloured by
    conditional formatting on one column's value (destaques), written once for the whole
    range, plus a real fill on that column's own cell for viewers without conditional
    formatting. constant_memory needs rows in order, which is how the exports write them.
    """

    def __init__(
        self,
        livro: Livro,
        aba: str,
        colunas: list[Coluna],
        titulo: str,
        metadados: list[str],
        destaques: dict[str, Estilo] | None = None,
        coluna_destaque: int = 0,
        agrupar: bool = False,
    ):
        self.livro = livro
        self.ws = livro.workbook.add_worksheet(aba, worksheet_class=_Folha)
        self.colunas = colunas
        self.destaques = destaques or {}
        self.coluna_destaque = coluna_destaque
        self.linha_atual = 0  # rows written so far, so also the 1-based number of the last one
        self.linhas_dados = 0
        self._linha_com_nivel: int | None = None
        self.formatos = [livro.formato(num_format=coluna.formato) if coluna.formato else None for coluna in colunas]
        self.formatos_destaque = {
            valor_destaque: livro.formato(**_propriedades_destaque(estilo))
            for valor_destaque, estilo in self.destaques.items()
        }
        for indice, coluna in enumerate(colunas):
            self.ws.set_column_pixels(indice, indice, round(coluna.largura * PIXELS_POR_CARACTERE))
        self.ws.freeze_panes(LINHA_CABECALHO, 0)
        if agrupar:
            # The order row sits above its detail rows: the +/- button belongs on the row above.
            self.ws.outline_settings(True, False, False, False)
        self._escrever_metadados(titulo, metadados)
        self._escrever_cabecalho()

    def _escrever_metadados(self, titulo, metadados):
        self._texto(0, 0, titulo, self.livro.formato(**PROPRIEDADES_TITULO))
        for indice, linha in enumerate((metadados + ["", "", ""])[: LINHA_CABECALHO - 2], 1):
            if linha:
                self._texto(indice, 0, linha)
        self.linha_atual = LINHA_CABECALHO - 1

    def _escrever_cabecalho(self):
        formato = self.livro.formato(**PROPRIEDADES_CABECALHO)
        for indice, coluna in enumerate(self.colunas):
            self._texto(self.linha_atual, indice, coluna.titulo, formato)
        self.linha_atual += 1

    def _texto(self, linha: int, coluna: int, texto: str, formato: Format | None = None):
        """A string cell, never anything else (the caller neutralises data)."""
        if texto.startswith("<r>") and texto.endswith("</r>"):
            # constant_memory writes such text as raw rich-text XML; as a rich string in
            # three plain runs it is escaped like any other and reads back unchanged.
            partes = [texto[:1], texto[1:2], texto[2:]]
            self.ws.write_rich_string(linha, coluna, *partes, *([formato] if formato else []))
        else:
            self.ws.write_string(linha, coluna, texto, formato)

    def _outro(self, linha: int, coluna: int, valor):
        """Subclasses of the usual types (SafeString, an aware datetime's subclass...)."""
        if isinstance(valor, str):
            if valor:
                self._texto(linha, coluna, neutralizar(valor))
        elif isinstance(valor, bool):
            self.ws.write_boolean(linha, coluna, valor, self.formatos[coluna])
        elif isinstance(valor, Number):
            self.ws.write_number(linha, coluna, valor, self.formatos[coluna])
        elif isinstance(valor, date):
            self._data(linha, coluna, valor)
        else:
            raise TypeError(f"Valor sem tipo de célula no Excel: {valor!r} ({type(valor).__name__}).")

    def _data(self, linha: int, coluna: int, valor: date):
        formato = self.formatos[coluna]
        if formato is None:  # a date in a text column still reads as a date
            formato = self.livro.formato(num_format=FORMATO_DATAHORA if isinstance(valor, datetime) else FORMATO_DATA)
        self.ws._write_datetime(linha, coluna, _celula_local(valor), formato)

    def linha(self, valores, nivel: int = 0):
        """Append one data row. Text is neutralised; None and "" leave the cell empty."""
        ws, formatos = self.ws, self.formatos
        # XlsxWriter's undecorated writers: the public ones first try to parse "A1"-style arguments.
        escrever_texto, escrever_numero = ws._write_string, ws._write_number
        linha = self.linha_atual
        if linha >= ws.xls_rowmax:  # XlsxWriter would drop the cells and carry on
            raise ValueError(f"Mais de {ws.xls_rowmax:,} linhas: não cabem numa planilha do Excel.".replace(",", "."))
        self.linha_atual += 1
        if nivel:
            ws.set_row(linha, None, None, {"level": nivel})
        for coluna, valor in enumerate(valores):
            tipo = type(valor)
            if tipo is str:
                if valor:
                    texto = neutralizar(valor)
                    if texto.startswith("<r>"):
                        self._texto(linha, coluna, texto)
                    else:
                        escrever_texto(linha, coluna, texto)
            elif valor is None:
                continue
            elif tipo is Decimal or tipo is int or tipo is float:
                escrever_numero(linha, coluna, valor, formatos[coluna])
            elif tipo is datetime or tipo is date:
                self._data(linha, coluna, valor)
            elif tipo is bool:
                ws.write_boolean(linha, coluna, valor, formatos[coluna])
            else:
                self._outro(linha, coluna, valor)
        if self.formatos_destaque:
            chave = valores[self.coluna_destaque]
            formato = self.formatos_destaque.get(chave) if isinstance(chave, str) else None
            if formato is not None:
                self._texto(linha, self.coluna_destaque, neutralizar(chave), formato)  # the same text, with its fill
        self._esquecer_nivel(linha if nivel else None)
        self.linhas_dados += 1
        livro = self.livro
        livro.linhas_dados += 1
        if livro.avancar is not None and livro.linhas_dados % AVISAR_A_CADA == 0:
            livro.avancar(livro.linhas_dados)

    def _esquecer_nivel(self, linha_com_nivel: int | None):
        # constant_memory keeps every set_row() entry (row_info, and row_sizes for placing
        # images) for the whole sheet; once a later row has started, the leveled row is on
        # disk and its entries can go (memory stays flat).
        anterior = self._linha_com_nivel
        if anterior is not None and anterior < self.ws.previous_row:
            self.ws.row_info.pop(anterior, None)
            self.ws.row_sizes.pop(anterior, None)
        self._linha_com_nivel = linha_com_nivel

    def fechar(self):
        ultima_coluna = len(self.colunas) - 1
        ultima_linha = max(self.linha_atual, LINHA_CABECALHO) - 1  # 0-based from here on
        self.ws.autofilter(LINHA_CABECALHO - 1, 0, ultima_linha, ultima_coluna)
        if self.destaques and ultima_linha >= LINHA_CABECALHO:
            chave = f"${xl_col_to_name(self.coluna_destaque)}{LINHA_CABECALHO + 1}"
            for valor_destaque, estilo in self.destaques.items():
                # A differential format (dxf) fills with bgColor; fgColor too, as the openpyxl file had.
                formato = self.livro.formato(**_propriedades_destaque(estilo), bg_color=f"#{estilo.cor}")
                self.ws.conditional_format(
                    LINHA_CABECALHO,
                    0,
                    ultima_linha,
                    ultima_coluna,
                    {"type": "formula", "criteria": f'{chave}="{valor_destaque}"', "format": formato},
                )


def novo_livro() -> Livro:
    return Livro()


def salvar(livro: Livro):
    """Zip the workbook into its anonymous temporary file, rewound, for a streaming response."""
    try:
        livro.fechar()
    except BaseException:
        livro.arquivo.close()
        raise
    livro.arquivo.seek(0)
    return livro.arquivo
