"""Reading an uploaded spreadsheet (xlsx, ods, xls or csv) within bounds: the one reader every import uses.

`ler_arquivo(conteudo, nome)` is the entry point: the format is told by the content (zip with
an OpenDocument mimetype or an Office [Content_Types].xml, OLE2 for xls, else csv text), so a
file saved with the wrong extension still reads, or is refused in pt-BR; the header may sit
under title rows (core.colunas.localizar_cabecalho finds it), so a report exported by the
system can be fed back. `ler_xlsx` and `ler_csv` are the older entry points, header on the
first non-empty row (core.importacao uses them).

The cost depends on what the file holds, never on what it declares:
- xlsx: the declared dimension (`<dimension ref="A1:XFD40000">`, which openpyxl in read-only
  mode trusts to pad every row and to add empty rows up to the declared last one) is ignored.
  The header is the first non-empty row; every row is read only as wide as the header and
  only up to the last non-empty row. The zip's uncompressed size is bounded (a few KB can
  unpack to gigabytes), and so are the row index and the header width.
- csv: UTF-8 (with or without BOM) or Windows-1252, ';' or ',' as the header line says.
- ods (core.ods): streamed; repeated empty rows and cells cost nothing; zip bounded as xlsx.
- xls (xlrd): at most 65,536 rows by the format.
- all: at most ESTOQUE_PLANILHA_MAX_LINHAS data rows (core.limites), else ErroPlanilha.

Rows come back as tuples, all of the header's width, from line 1 (leading empty lines
included, so a row's position is its line number) to the last non-empty line.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from core.limites import formatar_bytes, max_bytes_upload, max_linhas_planilha

# xlsx has at most 1,048,576 rows (a larger row index in the XML is a crafted file); a csv
# gets the same bound on its lines, blank ones included.
MAX_LINHA_ARQUIVO = 1_048_576
MENSAGEM_LINHAS_DO_ARQUIVO = "A planilha tem linhas demais (o formato admite no máximo 1.048.576)."
# Wider than any sheet the imports know (the carteira has ~35 columns).
MAX_COLUNAS = 500
# An xlsx compresses about 8:1; far beyond that is a zip bomb, not a spreadsheet.
FATOR_DESCOMPACTADO = 20
CODIFICACOES_CSV = ("utf-8-sig", "cp1252")


class ErroPlanilha(ValueError):
    """The file cannot be read as a spreadsheet, or breaks a limit; the message says why in pt-BR."""


def vazia(linha) -> bool:
    if isinstance(linha, tuple) and linha.count(None) == len(linha):
        return True  # the common case, at C speed
    return all(valor is None or (isinstance(valor, str) and not valor.strip()) for valor in linha)


def _largura(cabecalho) -> int:
    largura = len(cabecalho)
    while largura and (cabecalho[largura - 1] is None or str(cabecalho[largura - 1]).strip() == ""):
        largura -= 1
    if largura > MAX_COLUNAS:
        raise ErroPlanilha(f"A planilha tem colunas demais no cabeçalho ({largura}); o máximo é {MAX_COLUNAS}.")
    return largura


def _ajustar(linha, largura: int) -> tuple:
    linha = tuple(linha[:largura])
    if len(linha) < largura:
        linha += (None,) * (largura - len(linha))
    return linha


def _mensagem_linhas() -> str:
    limite = f"{max_linhas_planilha():,}".replace(",", ".")
    return f"A planilha tem mais de {limite} linhas de dados: divida-a em arquivos menores."


class _Acumulador:
    """Collects the data rows after the header, keeping empty runs only when a non-empty row follows."""

    def __init__(self, linhas: list, largura: int):
        self.linhas, self.largura = linhas, largura
        self.linha_do_cabecalho = len(linhas)
        self.vazia = (None,) * largura
        self.depois_do_cabecalho = 0
        self.vazias_pendentes = 0

    def adicionar(self, linha):
        self.depois_do_cabecalho += 1
        if self.linha_do_cabecalho + self.depois_do_cabecalho > MAX_LINHA_ARQUIVO:
            raise ErroPlanilha(MENSAGEM_LINHAS_DO_ARQUIVO)
        if vazia(linha):
            self.vazias_pendentes += 1  # kept only if a non-empty row follows
            return
        if self.depois_do_cabecalho > max_linhas_planilha():
            raise ErroPlanilha(_mensagem_linhas())
        self.linhas.extend([self.vazia] * self.vazias_pendentes)
        self.vazias_pendentes = 0
        self.linhas.append(_ajustar(linha, self.largura))

    def adicionar_bloco(self, repeticoes: int, linha):
        """A row repeated (ods): an empty run is only counted, never expanded."""
        if vazia(linha):
            self.depois_do_cabecalho += repeticoes
            self.vazias_pendentes += repeticoes
            return
        for _ in range(repeticoes):  # each one is data: capped by adicionar
            self.adicionar(linha)


# ---------------------------------------------------------------- xlsx


def _abrir_zip(conteudo: bytes, formato: str = "xlsx") -> zipfile.ZipFile:
    """The zip, once its declared uncompressed size is within the bound (a zip bomb is refused unread)."""
    try:
        arquivo_zip = zipfile.ZipFile(io.BytesIO(conteudo))
        descompactado = sum(info.file_size for info in arquivo_zip.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ErroPlanilha(
            f"Não foi possível abrir a planilha {formato}: o arquivo está corrompido ou é de outro tipo."
        ) from None
    limite = FATOR_DESCOMPACTADO * max_bytes_upload()
    if descompactado > limite:
        arquivo_zip.close()
        raise ErroPlanilha(
            f"A planilha {formato} descompactada teria {formatar_bytes(descompactado)} (o limite é {formatar_bytes(limite)})."
        )
    return arquivo_zip


def _conferir_zip(conteudo: bytes, formato: str = "xlsx"):
    _abrir_zip(conteudo, formato).close()


def _linhas_da_folha(folha) -> list[tuple]:
    folha.reset_dimensions()  # the declared dimension can lie; never pad or extend by it
    linhas: list[tuple] = []
    # openpyxl pads a row up to its last cell: one empty cell at XFD would cost 16,384 per row
    procura = folha.iter_rows(max_col=MAX_COLUNAS + 1, values_only=True)
    numero = 0
    try:
        for linha in procura:
            numero += 1
            if numero > MAX_LINHA_ARQUIVO:
                raise ErroPlanilha(MENSAGEM_LINHAS_DO_ARQUIVO)
            if not vazia(linha):
                cabecalho = linha
                break
            linhas.append(())
        else:
            return []
    finally:
        procura.close()
    largura = _largura(cabecalho)
    linhas = [(None,) * largura for _ in linhas]
    linhas.append(_ajustar(cabecalho, largura))
    acumulador = _Acumulador(linhas, largura)
    for linha in folha.iter_rows(min_row=numero + 1, max_col=largura, values_only=True):
        acumulador.adicionar(linha)
    return linhas


def ler_xlsx(conteudo: bytes) -> list[tuple]:
    """Rows of the first worksheet (the active one when it is a worksheet)."""
    return _ler_livro_xlsx(conteudo, _linhas_da_folha)


def _ler_livro_xlsx(conteudo: bytes, ler_folha) -> list[tuple]:
    import openpyxl

    _conferir_zip(conteudo)
    try:
        livro = openpyxl.load_workbook(io.BytesIO(conteudo), read_only=True, data_only=True)
    except Exception as erro:  # openpyxl raises many kinds for a file that is not a workbook
        raise ErroPlanilha(f"Não foi possível abrir a planilha xlsx: {type(erro).__name__}.") from None
    try:
        folhas = livro.worksheets
        if not folhas:
            raise ErroPlanilha("A planilha xlsx não tem nenhuma aba de dados.")
        ativa = livro.active
        return ler_folha(ativa if ativa in folhas else folhas[0])
    except ErroPlanilha:
        raise
    except Exception as erro:  # a sheet whose XML is broken halfway, a bad cell value...
        raise ErroPlanilha(f"Não foi possível ler a planilha xlsx: {type(erro).__name__}.") from None
    finally:
        livro.close()


# ---------------------------------------------------------------- csv


def decodificar(conteudo: bytes) -> str:
    for codificacao in CODIFICACOES_CSV:
        try:
            return conteudo.decode(codificacao)
        except UnicodeDecodeError:
            continue
    raise ErroPlanilha("A planilha CSV não está em UTF-8 nem em Windows-1252: salve-a de novo como CSV UTF-8.")


SEPARADORES = (";", "\t", ",")


def delimitador(texto: str) -> str:
    """The header line's separator (';', tab or ','; the most frequent, ';' on a tie).

    A first line without any (one column, or a title above the header) leaves the choice to
    the next lines, but only to one with two separators or more: a single-column file of
    pt-BR numbers ("1,5") stays one column."""
    for posicao, linha in enumerate(_primeiras_linhas(texto)):
        contagens = {separador: linha.count(separador) for separador in SEPARADORES}
        separador = max(SEPARADORES, key=lambda s: contagens[s])  # ties: the first in SEPARADORES
        if contagens[separador] > (0 if posicao == 0 else 1):
            return separador
    return ";"  # no line has one: a single column, whatever the separator


def _primeiras_linhas(texto: str, quantas: int = 20):
    """The first non-empty lines (at most `quantas`), without reading the whole text."""
    inicio = vistas = 0
    while vistas < quantas and inicio < len(texto):
        fim = texto.find("\n", inicio)
        fim = len(texto) if fim < 0 else fim
        linha = texto[inicio:fim].strip()
        inicio = fim + 1
        if linha:
            vistas += 1
            yield linha


def ler_csv(texto: str) -> list[tuple]:
    """Rows of a CSV text (cells are strings)."""
    linhas: list[tuple] = []
    leitor = csv.reader(io.StringIO(texto, newline=""), delimiter=delimitador(texto))
    acumulador = None
    try:
        for linha in leitor:
            if acumulador is not None:
                acumulador.adicionar(linha)
            elif vazia(linha):
                if len(linhas) >= MAX_LINHA_ARQUIVO:
                    raise ErroPlanilha(MENSAGEM_LINHAS_DO_ARQUIVO)
                linhas.append(())
            else:
                largura = _largura(linha)
                linhas = [(None,) * largura for _ in linhas]
                linhas.append(_ajustar(linha, largura))
                acumulador = _Acumulador(linhas, largura)
    except csv.Error as erro:
        if "field limit" in str(erro):
            raise ErroPlanilha(
                f"Linha {leitor.line_num} da planilha CSV: célula grande demais (mais de {csv.field_size_limit():,} "
                "caracteres).".replace(",", ".")
            ) from None
        raise ErroPlanilha(f"Linha {leitor.line_num} da planilha CSV malformada: {erro}.") from None
    return linhas if acumulador is not None else []


# ---------------------------------------------------------------- any format (ler_arquivo)

FORMATOS_ACEITOS = (".xlsx", ".ods", ".xls", ".csv")
# The header may sit under title rows: its width is the widest of the first rows.
LINHAS_TITULO = 20
ASSINATURA_ZIP = b"PK\x03\x04"
ASSINATURA_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MIMETYPE_ODS = b"application/vnd.oasis.opendocument.spreadsheet"
MAX_NUL_TEXTO = 8
INICIO_MARCACAO = (b"<!doctype", b"<html", b"<?xml", b"<table", b"<head")


class _Largura:
    """The width rows are built to: generous while the header is looked for, then the header's."""

    def __init__(self):
        self.valor = MAX_COLUNAS + 1
        self.fixa = False

    def __call__(self) -> int:
        return self.valor


def _largura_util(linha) -> int:
    largura = len(linha)
    while largura and vazia(linha[largura - 1 : largura]):
        largura -= 1
    return largura


def _celulas(linha) -> tuple:
    """Empty text is an empty cell (None), as in an xlsx."""
    return tuple(None if valor == "" else valor for valor in linha)


def _tabela(blocos: Iterator[tuple[int, tuple]], largura: _Largura) -> list[tuple]:
    """Rows from (repetitions, row) blocks: leading empty lines kept, the width the widest of the
    first LINHAS_TITULO non-empty rows, data capped as ler_xlsx caps it."""
    vazias = 0
    primeiras: list[tuple[int, tuple]] = []
    nao_vazias = 0
    for repeticoes, linha in blocos:
        if not primeiras and vazia(linha):
            vazias += repeticoes  # counted: the per-row readers bound their own line count
            continue
        if not primeiras and vazias >= MAX_LINHA_ARQUIVO:
            raise ErroPlanilha(MENSAGEM_LINHAS_DO_ARQUIVO)
        primeiras.append((repeticoes, _celulas(linha)))
        if not vazia(linha):
            nao_vazias += repeticoes
            if nao_vazias >= LINHAS_TITULO:
                break
    if not primeiras:
        return []
    largura.valor = max(_largura_util(linha) for _, linha in primeiras)
    largura.fixa = True
    if largura.valor > MAX_COLUNAS:
        raise ErroPlanilha(f"A planilha tem colunas demais ({largura.valor}); o máximo é {MAX_COLUNAS}.")
    linhas = [(None,) * largura.valor] * vazias  # one shared tuple: a long blank run costs a pointer a line
    (repeticoes, primeira), resto = primeiras[0], primeiras[1:]
    linhas.append(_ajustar(primeira, largura.valor))
    acumulador = _Acumulador(linhas, largura.valor)
    acumulador.adicionar_bloco(repeticoes - 1, primeira)
    for repeticoes, linha in resto:
        acumulador.adicionar_bloco(repeticoes, linha)
    for repeticoes, linha in blocos:
        acumulador.adicionar_bloco(repeticoes, _celulas(linha))
    return linhas


def _blocos_xlsx(folha, largura: _Largura):
    folha.reset_dimensions()  # the declared dimension can lie; never pad or extend by it
    numero = 0
    # openpyxl pads a row up to its last cell: one empty cell at XFD would cost 16,384 per row;
    # one cell past MAX_COLUNAS is enough to tell a sheet too wide
    procura = folha.iter_rows(max_col=MAX_COLUNAS + 1, values_only=True)
    try:
        for linha in procura:
            numero += 1
            if numero > MAX_LINHA_ARQUIVO:
                raise ErroPlanilha(MENSAGEM_LINHAS_DO_ARQUIVO)
            yield 1, linha
            if largura.fixa:
                break
        else:
            return
    finally:
        procura.close()
    # the width is known: openpyxl reads no cell beyond it
    for linha in folha.iter_rows(min_row=numero + 1, max_col=largura.valor, values_only=True):
        yield 1, linha


def _ler_xlsx(conteudo: bytes) -> list[tuple]:
    largura = _Largura()
    return _ler_livro_xlsx(conteudo, lambda folha: _tabela(_blocos_xlsx(folha, largura), largura))


def _ler_ods(conteudo: bytes) -> list[tuple]:
    from core import ods

    with _abrir_zip(conteudo, "ods") as arquivo_zip:
        largura = _Largura()
        try:
            return _tabela(ods.blocos(arquivo_zip, largura), largura)
        except ErroPlanilha:
            raise
        except KeyError:
            raise ErroPlanilha("A planilha ods não tem conteúdo (content.xml): o arquivo está corrompido.") from None
        except Exception as erro:  # broken XML, a DTD (refused by core.ods), a truncated member...
            raise ErroPlanilha(f"Não foi possível ler a planilha ods: {type(erro).__name__}.") from None


def _ler_xls(conteudo: bytes) -> list[tuple]:
    import xlrd

    from core import xls

    try:
        livro = xlrd.open_workbook(file_contents=conteudo, on_demand=True, logfile=io.StringIO())
    except Exception as erro:  # xlrd raises many kinds for a file that is not a workbook
        raise ErroPlanilha(
            f"Não foi possível abrir a planilha xls: o arquivo está corrompido ou é de outro tipo ({type(erro).__name__})."
        ) from None
    try:
        if livro.nsheets == 0:
            raise ErroPlanilha("A planilha xls não tem nenhuma aba de dados.")
        largura = _Largura()
        return _tabela(xls.blocos(livro, largura), largura)
    except ErroPlanilha:
        raise
    except Exception as erro:
        raise ErroPlanilha(f"Não foi possível ler a planilha xls: {type(erro).__name__}.") from None
    finally:
        livro.release_resources()


def _blocos_csv(texto: str, largura: _Largura):
    leitor = csv.reader(io.StringIO(texto, newline=""), delimiter=delimitador(texto))
    numero = 0
    try:
        for linha in leitor:
            numero += 1
            if numero > MAX_LINHA_ARQUIVO:
                raise ErroPlanilha(MENSAGEM_LINHAS_DO_ARQUIVO)
            yield 1, tuple(linha if not largura.fixa else linha[: largura.valor])
    except csv.Error as erro:
        if "field limit" in str(erro):
            raise ErroPlanilha(
                f"Linha {leitor.line_num} da planilha CSV: célula grande demais (mais de {csv.field_size_limit():,} "
                "caracteres).".replace(",", ".")
            ) from None
        raise ErroPlanilha(f"Linha {leitor.line_num} da planilha CSV malformada: {erro}.") from None


def _ler_texto(conteudo: bytes, nome: str) -> list[tuple]:
    inicio = conteudo[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if inicio.startswith(INICIO_MARCACAO):
        raise ErroPlanilha(
            f"O arquivo “{nome}” é uma página HTML ou XML, não uma planilha: abra-o no Excel ou no "
            "LibreOffice e salve como .xlsx."
        )
    if conteudo[:4096].count(b"\x00") > MAX_NUL_TEXTO:  # binary (or UTF-16): a stray NUL is the cell's problem
        raise ErroPlanilha(
            f"O arquivo “{nome}” não é uma planilha legível: use .xlsx, .ods, .xls ou CSV (UTF-8 ou Windows-1252)."
        )
    texto = decodificar(conteudo)
    largura = _Largura()
    return _tabela(_blocos_csv(texto, largura), largura)


def _formato_do_zip(conteudo: bytes, nome: str) -> str:
    with _abrir_zip(conteudo, Path(nome).suffix.lstrip(".").lower() or "xlsx") as arquivo_zip:
        nomes = set(arquivo_zip.namelist())
        mimetype = b""
        if "mimetype" in nomes:
            try:
                with arquivo_zip.open("mimetype") as membro:
                    mimetype = membro.read(200).strip()
            except Exception:  # a broken member: decided by the other members
                mimetype = b""
    if mimetype.startswith(MIMETYPE_ODS):
        return "ods"
    if "[Content_Types].xml" in nomes or "xl/workbook.xml" in nomes:
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise ErroPlanilha(f"O arquivo “{nome}” é um documento do LibreOffice que não é uma planilha (Calc).")
    raise ErroPlanilha(f"O arquivo “{nome}” é um arquivo compactado (zip) que não é uma planilha xlsx nem ods.")


def ler_arquivo(conteudo: bytes, nome: str) -> list[tuple]:
    """Rows of the first sheet of an xlsx, ods, xls or csv, the format told by the content.

    Same shape and bounds as ler_xlsx: tuples all of one width (the widest of the first
    LINHAS_TITULO non-empty rows, so a header under title rows keeps its width), from line 1
    to the last non-empty line; empty cells are None in every format; dates of xlsx, ods and
    xls come back as datetime, numbers as int or float, csv cells as text. ErroPlanilha (pt-BR)
    for anything unreadable, for a format not accepted and when a bound is passed.
    """
    nome = nome or "planilha"
    extensao = Path(nome).suffix.lower()
    if extensao and extensao not in FORMATOS_ACEITOS:
        raise ErroPlanilha(f"Formato de planilha não suportado: “{nome}”. Use .xlsx, .ods, .xls ou .csv.")
    if conteudo.startswith(ASSINATURA_ZIP):
        formato = _formato_do_zip(conteudo, nome)
        return _ler_ods(conteudo) if formato == "ods" else _ler_xlsx(conteudo)
    if conteudo.startswith(ASSINATURA_OLE2):
        return _ler_xls(conteudo)
    if extensao in (".xlsx", ".ods", ".xls") and (b"\x00" in conteudo[:4096] or not conteudo):
        # not the format's signature and not text either
        tipo = extensao.lstrip(".")
        raise ErroPlanilha(f"Não foi possível abrir a planilha {tipo}: o arquivo está corrompido ou é de outro tipo.")
    return _ler_texto(conteudo, nome)
