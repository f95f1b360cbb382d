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
    pilha: list = []  # open elements, to prune each finished cell and row from its parent
    dentro = False
    linha: _Linha | None = None
    repeticoes = 1
    with arquivo_zip.open("content.xml") as conteudo:
        for evento, elemento in iterparse(conteudo, events=("start", "end")):
            if evento == "start":
                pilha.append(elemento)
                if elemento.tag == TABELA:
                    dentro = True
                elif elemento.tag == LINHA and dentro:
                    # attributes read now: the row is emptied cell by cell as they are read
                    repeticoes = _repeticoes(elemento, "number-rows-repeated")
                    linha = _Linha(largura.valor, marcar_excesso=not largura.fixa)
                continue
            pilha.pop()
            if not dentro:
                continue
            if elemento.tag == TABELA:
                return  # only the first sheet
            if elemento.tag in CELULAS and linha is not None and pilha and pilha[-1].tag == LINHA:
                linha.adicionar(valor_da_celula(elemento), _repeticoes(elemento, "number-columns-repeated"))
                pilha[-1].clear()  # memory stays flat however many cells a row has
            elif elemento.tag == LINHA and linha is not None:
                if pilha:
                    pilha[-1].clear()  # drop the rows already read (no attribute of the parent is needed)
                yield repeticoes, linha.valores()
                linha = None


class _Linha:
    """A row built cell by cell, never wider than `largura`; empty cells are materialised only
    when a value follows them. While probing (`marcar_excesso`), a value past the limit makes
    the row one cell wider than the limit, so the caller sees the sheet is too wide."""

    def __init__(self, largura: int, marcar_excesso: bool):
        self.largura, self.marcar_excesso = largura, marcar_excesso
        self.celulas: list = []
        self.vazias = 0
        self.excesso = False

    def adicionar(self, valor, repeticoes: int):
        if valor is None:
            self.vazias += repeticoes
            return
        if len(self.celulas) + self.vazias >= self.largura:  # a value past the limit
            if self.marcar_excesso and not self.excesso:
                self.celulas += [None] * (self.largura - len(self.celulas)) + [valor]
                self.excesso = True
            return
        if self.vazias:
            self.celulas += [None] * self.vazias
            self.vazias = 0
        self.celulas += [valor] * min(repeticoes, self.largura - len(self.celulas))

    def valores(self) -> tuple:
        return tuple(self.celulas)
