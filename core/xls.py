"""The first sheet of an Excel 97-2003 workbook (.xls, BIFF), through xlrd: (1, row) blocks.

Values typed as openpyxl types an xlsx cell: a whole number is an int (xls stores every
number as a float, so a code 4510156 would otherwise read 4510156.0), a date cell a
datetime, an error cell its text ("#DIV/0!").
"""

from collections.abc import Iterator

import xlrd


def valor_da_celula(celula, modo_data: int):
    """The cell's typed value, as openpyxl gives an xlsx cell: int/float, datetime, bool, str or None."""
    if celula.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if celula.ctype == xlrd.XL_CELL_NUMBER:
        return int(celula.value) if float(celula.value).is_integer() else celula.value
    if celula.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(celula.value, modo_data)
        except Exception:  # a date number out of Excel's range: the number, as typed
            return celula.value
    if celula.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(celula.value)
    if celula.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(celula.value, "#ERRO")
    return celula.value


def blocos(livro, largura) -> Iterator[tuple[int, tuple]]:
    """(1, row) of the first sheet, each row at most `largura.valor` cells wide."""
    folha = livro.sheet_by_index(0)
    for indice in range(folha.nrows):  # at most 65,536 by the format
        celulas = folha.row_slice(indice, 0, min(folha.row_len(indice), largura.valor))
        yield 1, tuple(valor_da_celula(celula, livro.datemode) for celula in celulas)
