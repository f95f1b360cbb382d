"""Reading an uploaded spreadsheet (xlsx or csv) within bounds: the one reader every import uses.

The cost depends on what the file holds, never on what it declares:
- xlsx: the declared dimension (`<dimension ref="A1:XFD40000">`, which openpyxl in read-only
  mode trusts to pad every row and to add empty rows up to the declared last one) is ignored.
  The header is the first non-empty row; every row is read only as wide as the header and
  only up to the last non-empty row. The zip's uncompressed size is bounded (a few KB can
  unpack to gigabytes), and so are the row index and the header width.
- csv: UTF-8 (with or without BOM) or Windows-1252, ';' or ',' as the header line says.
- both: at most ESTOQUE_PLANILHA_MAX_LINHAS data rows (core.limites), else ErroPlanilha.

Rows come back as tuples, all of the header's width, from line 1 (leading empty lines
included, so a row's position is its line number) to the last non-empty line.
"""

import csv
import io
import zipfile

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


# ---------------------------------------------------------------- xlsx


def _conferir_zip(conteudo: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(conteudo)) as arquivo_zip:
            descompactado = sum(info.file_size for info in arquivo_zip.infolist())
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise ErroPlanilha(
            "Não foi possível abrir a planilha xlsx: o arquivo está corrompido ou é de outro tipo."
        ) from None
    limite = FATOR_DESCOMPACTADO * max_bytes_upload()
    if descompactado > limite:
        raise ErroPlanilha(
            f"A planilha xlsx descompactada teria {formatar_bytes(descompactado)} (o limite é {formatar_bytes(limite)})."
        )


def _linhas_da_folha(folha) -> list[tuple]:
    folha.reset_dimensions()  # the declared dimension can lie; never pad or extend by it
    linhas: list[tuple] = []
    procura = folha.iter_rows(values_only=True)
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
        folha = ativa if ativa in folhas else folhas[0]
        return _linhas_da_folha(folha)
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


def delimitador(texto: str) -> str:
    cabecalho = texto.split("\n", 1)[0]
    return ";" if cabecalho.count(";") > cabecalho.count(",") else ","


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
