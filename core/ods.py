"""The first sheet of an OpenDocument spreadsheet (.ods), streamed: (repetitions, row) blocks.

content.xml is parsed as a stream (defusedxml: no DTD entities, no external references) and
pruned row by row, so memory stays flat whatever its size; a full DOM (odfpy's load) costs
about a kilobyte per element, and the zip-bomb bound still lets content.xml reach 200 MB.

Repeats are never expanded blindly: LibreOffice ends every sheet with an empty row repeated
about a million times and every row with an empty cell repeated about a thousand times. An
empty row comes back once with its count; empty cells are materialised only when a value
follows them, and no row is ever built wider than the caller's limit.
"""

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime

from defusedxml.ElementTree import iterparse

TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

CELULAS = (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")
LINHA = f"{TABLE}table-row"
TABELA = f"{TABLE}table"
PARAGRAFO = f"{TEXT}p"
INTEIRO = re.compile(r"-?\d+")


def _repeticoes(elemento, atributo: str) -> int:
    try:
        return max(1, int(elemento.get(f"{TABLE}{atributo}", "1")))
    except ValueError:
        return 1


def _texto(elemento) -> str:
    """The visible text of a paragraph: spans, links, <text:s c="3"/>, tabs and line breaks."""
    partes = [elemento.text or ""]
    for filho in elemento:
        if filho.tag == f"{TEXT}s":
            try:
                partes.append(" " * min(max(1, int(filho.get(f"{TEXT}c", "1"))), 1000))
            except ValueError:
                partes.append(" ")
        elif filho.tag == f"{TEXT}tab":
            partes.append("\t")
        elif filho.tag == f"{TEXT}line-break":
            partes.append("\n")
        elif filho.tag != f"{OFFICE}annotation":
            partes.append(_texto(filho))
        partes.append(filho.tail or "")
    return "".join(partes)


def _numero(texto: str):
    return int(texto) if INTEIRO.fullmatch(texto) else float(texto)


def valor_da_celula(celula):
    """The cell's typed value, as openpyxl gives an xlsx cell: int/float, datetime, bool, str or None."""
    tipo = celula.get(f"{OFFICE}value-type")
    try:
        if tipo in ("float", "percentage", "currency"):
            return _numero(celula.get(f"{OFFICE}value", "").strip())
        if tipo == "date":
            return datetime.fromisoformat(celula.get(f"{OFFICE}date-value", "").strip())
        if tipo == "boolean":
            return celula.get(f"{OFFICE}boolean-value", "").strip().lower() == "true"
    except ValueError:
        pass  # a malformed typed value: what the cell shows, so the import reports it as typed
    texto = "\n".join(_texto(p) for p in celula if p.tag == PARAGRAFO)
    return texto if texto != "" else None


def blocos(arquivo_zip: zipfile.ZipFile, largura) -> Iterator[tuple[int, tuple]]:
    """(repetitions, row) of the first table, in order; each row at most `largura.valor` cells wide.

    While the width is not fixed yet (`largura.fixa` false), a row with a value beyond the
    limit comes back one cell wider than the limit, so the caller sees it is too wide."""
    pilha: list = []  # open elements, to prune each finished row from its parent
    dentro = False
    with arquivo_zip.open("content.xml") as conteudo:
        for evento, elemento in iterparse(conteudo, events=("start", "end")):
            if evento == "start":
                pilha.append(elemento)
                if elemento.tag == TABELA:
                    dentro = True
                continue
            pilha.pop()
            if not dentro:
                continue
            if elemento.tag == TABELA:
                return  # only the first sheet
            if elemento.tag != LINHA:
                continue
            linha = _linha(elemento, largura.valor, marcar_excesso=not largura.fixa)
            repeticoes = _repeticoes(elemento, "number-rows-repeated")
            if pilha:
                pilha[-1].clear()  # drop the rows already read (the parent keeps no attributes we need)
            yield repeticoes, linha


def _linha(elemento, largura: int, marcar_excesso: bool) -> tuple:
    celulas: list = []
    vazias = 0  # empty cells not yet materialised: only when a value follows them
    for celula in elemento:
        if celula.tag not in CELULAS:
            continue
        repeticoes = _repeticoes(celula, "number-columns-repeated")
        valor = valor_da_celula(celula)
        if valor is None:
            vazias += repeticoes
            continue
        if len(celulas) + vazias >= largura:  # a value past the limit
            if marcar_excesso:
                return tuple(celulas) + (None,) * (largura - len(celulas)) + (valor,)
            break
        if vazias:
            celulas.extend([None] * min(vazias, largura - len(celulas)))
            vazias = 0
        celulas.extend([valor] * min(repeticoes, max(0, largura - len(celulas))))
    return tuple(celulas[:largura])
