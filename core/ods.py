"""The first sheet of an OpenDocument spreadsheet (.ods), streamed: (repetitions, row) blocks.

content.xml is parsed by expat callbacks, no element tree at all, so memory stays flat and
the cost is a few microseconds per element whatever the file holds (a full DOM, odfpy's
load, keeps about a kilobyte per element, and the zip-bomb bound lets content.xml reach
200 MB). As defusedxml does, a DTD or entity declaration is refused: content.xml has none.

Repeats are never expanded blindly: LibreOffice ends every sheet with an empty row repeated
about a million times and every row with an empty cell repeated about a thousand times. An
empty row comes back once with its count; empty cells are materialised only when a value
follows them, and no row is ever built wider than the caller's limit.
"""

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime
from xml.parsers import expat

# expat names are "namespace}local" (namespace_separator="}")
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0}"

CELULAS = (f"{TABLE}table-cell", f"{TABLE}covered-table-cell")
LINHA = f"{TABLE}table-row"
TABELA = f"{TABLE}table"
PARAGRAFO = f"{TEXT}p"
ESPACOS = f"{TEXT}s"
TABULACAO = f"{TEXT}tab"
QUEBRA = f"{TEXT}line-break"
ANOTACAO = f"{OFFICE}annotation"
INTEIRO = re.compile(r"-?\d+")
BLOCO = 64 * 1024


class ConteudoProibido(ValueError):
    """content.xml declares a DTD or entities (a billion-laughs or external-entity attack)."""


def _repeticoes(atributos: dict, atributo: str) -> int:
    try:
        return max(1, int(atributos.get(f"{TABLE}{atributo}", "1")))
    except ValueError:
        return 1


def _numero(texto: str):
    return int(texto) if INTEIRO.fullmatch(texto) else float(texto)


def valor_da_celula(atributos: dict, texto: str):
    """The cell's typed value, as openpyxl gives an xlsx cell: int/float, datetime, bool, str or None."""
    tipo = atributos.get(f"{OFFICE}value-type")
    try:
        if tipo in ("float", "percentage", "currency"):
            return _numero(atributos.get(f"{OFFICE}value", "").strip())
        if tipo == "date":
            return datetime.fromisoformat(atributos.get(f"{OFFICE}date-value", "").strip())
        if tipo == "boolean":
            return atributos.get(f"{OFFICE}boolean-value", "").strip().lower() == "true"
    except ValueError:
        pass  # a malformed typed value: what the cell shows, so the import reports it as typed
    return texto if texto != "" else None


class _Leitor:
    """expat callbacks: rows of the first table gathered in `prontas` as they end."""

    def __init__(self, largura):
        self.largura = largura
        self.prontas: list[tuple[int, tuple]] = []
        self.tabelas = 0  # depth of table elements (a cell may hold a sub-table)
        self.terminou = False
        self.linha: _Linha | None = None
        self.repeticoes = 1
        self.celula: dict | None = None  # attributes of the open cell
        self.paragrafos: list[list[str]] = []
        self.no_paragrafo = 0
        self.na_anotacao = 0

    def inicio(self, nome, atributos):
        if self.terminou:
            return
        if nome == TABELA:
            self.tabelas += 1
        elif self.tabelas != 1:
            return
        elif nome == LINHA:
            self.repeticoes = _repeticoes(atributos, "number-rows-repeated")
            self.linha = _Linha(self.largura.valor, marcar_excesso=not self.largura.fixa)
        elif nome in CELULAS and self.linha is not None:
            self.celula, self.paragrafos = atributos, []
        elif self.celula is None:
            return
        elif nome == ANOTACAO:
            self.na_anotacao += 1
        elif self.na_anotacao:
            return
        elif nome == PARAGRAFO:
            self.no_paragrafo += 1
            if self.no_paragrafo == 1:
                self.paragrafos.append([])
        elif self.no_paragrafo and nome == ESPACOS:
            try:
                self.paragrafos[-1].append(" " * min(max(1, int(atributos.get(f"{TEXT}c", "1"))), 1000))
            except ValueError:
                self.paragrafos[-1].append(" ")
        elif self.no_paragrafo and nome == TABULACAO:
            self.paragrafos[-1].append("\t")
        elif self.no_paragrafo and nome == QUEBRA:
            self.paragrafos[-1].append("\n")

    def texto(self, dados):
        if self.no_paragrafo and not self.na_anotacao and self.celula is not None:
            self.paragrafos[-1].append(dados)

    def fim(self, nome):
        if self.terminou:
            return
        if nome == TABELA:
            self.tabelas -= 1
            self.terminou = self.tabelas == 0  # only the first sheet
        elif self.tabelas != 1:
            return
        elif nome in CELULAS and self.celula is not None and self.linha is not None:
            texto = "\n".join("".join(partes) for partes in self.paragrafos)
            self.linha.adicionar(
                valor_da_celula(self.celula, texto), _repeticoes(self.celula, "number-columns-repeated")
            )
            self.celula, self.paragrafos, self.no_paragrafo, self.na_anotacao = None, [], 0, 0
        elif nome == LINHA and self.linha is not None:
            self.prontas.append((self.repeticoes, self.linha.valores()))
            self.linha = None
        elif self.celula is not None:
            if nome == ANOTACAO:
                self.na_anotacao -= 1
            elif nome == PARAGRAFO and not self.na_anotacao:
                self.no_paragrafo -= 1


def _proibir(*_argumentos):
    raise ConteudoProibido("content.xml com DTD ou entidades")


def blocos(arquivo_zip: zipfile.ZipFile, largura) -> Iterator[tuple[int, tuple]]:
    """(repetitions, row) of the first table, in order; each row at most `largura.valor` cells wide.

    While the width is not fixed yet (`largura.fixa` false), a row with a value beyond the
    limit comes back one cell wider than the limit, so the caller sees the sheet is too wide."""
    leitor = _Leitor(largura)
    analisador = expat.ParserCreate(namespace_separator="}")
    analisador.buffer_text = True
    analisador.StartElementHandler = leitor.inicio
    analisador.EndElementHandler = leitor.fim
    analisador.CharacterDataHandler = leitor.texto
    analisador.StartDoctypeDeclHandler = _proibir
    analisador.EntityDeclHandler = _proibir
    analisador.UnparsedEntityDeclHandler = _proibir
    analisador.ExternalEntityRefHandler = _proibir
    with arquivo_zip.open("content.xml") as conteudo:
        while not leitor.terminou:
            pedaco = conteudo.read(BLOCO)
            analisador.Parse(pedaco, not pedaco)
            yield from leitor.prontas
            leitor.prontas.clear()
            if not pedaco:
                return


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
