"""The carteira from a spreadsheet (xlsx or csv), for when Odoo is out of reach.

The sheet stands in for Odoo: it is the whole open carteira, and goes through the same
diff-and-hierarchy sync (servico.sincronizar). Header on the first non-empty row; a column
is recognised by its CarteiraPrincipal field name or its label, accents and case ignored
(so the carteira's own export can be fed back). Required: num_pedido, cod_produto,
qtd_saldo_produto_pedido. Unknown columns are ignored; missing optional columns keep what
the line has. Numbers may be pt-BR text ('1.234,5'); dates dd/mm/aaaa or aaaa-mm-dd.
"""

import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

from carteira.sincronizacao.registros import CAMPOS
from core import planilhas
from core.limites import erro_de_tamanho, max_bytes_upload

OBRIGATORIAS = ("num_pedido", "cod_produto", "qtd_saldo_produto_pedido")
IGNORADAS = {"id", "origem", "ativo", "criado_em", "atualizado_em"}


class ErroPlanilha(Exception):
    """The file cannot be read as a carteira; the message says why, in Portuguese."""


def _linhas(conteudo: bytes, extensao: str) -> list[tuple]:
    """Bounded reading (core.planilhas): the declared xlsx dimension is ignored, rows and size capped."""
    try:
        if extensao == ".xlsx":
            return planilhas.ler_xlsx(conteudo)
        return planilhas.ler_csv(planilhas.decodificar(conteudo))
    except planilhas.ErroPlanilha as erro:
        raise ErroPlanilha(str(erro)) from None


def _chave(texto) -> str:
    sem_acento = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", sem_acento.lower()).strip("_")


COLUNAS = {}
for _nome, _campo in CAMPOS.items():
    COLUNAS[_chave(_nome)] = _nome
    COLUNAS.setdefault(_chave(_campo.verbose_name), _nome)


def _numero(valor):
    """Decimal-ready text from a cell: numbers as they are, pt-BR text converted; else the raw value."""
    if isinstance(valor, bool) or valor is None:
        return valor
    if isinstance(valor, (int, float)):
        return str(valor)
    texto = str(valor).strip().replace(" ", "")
    if "," in texto:
        texto = texto.replace(".", "").replace(",", ".")
    return texto


def _codigo(valor):
    """A code typed as a number in Excel (4510156.0) is the text '4510156'."""
    if isinstance(valor, float) and valor.is_integer():
        return str(int(valor))
    return valor


def _data(valor):
    if isinstance(valor, (datetime, date)) or valor in (None, ""):
        return valor
    texto = str(valor).strip()
    for formato in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(texto, formato).date()
        except ValueError:
            continue
    return texto  # refused by the validation, with the line number


def _converter(nome: str, valor):
    campo = CAMPOS[nome]
    tipo = campo.get_internal_type()
    if tipo == "DecimalField":
        return _numero(valor)
    if tipo == "DateField":
        return _data(valor)
    if tipo == "BigIntegerField":
        return _codigo(_numero(valor)) if valor not in (None, "") else None
    return _codigo(valor)


def _conteudo(arquivo) -> bytes:
    """The file's bytes, refused unread when it is larger than the upload limit."""
    if isinstance(arquivo, (str, Path)):
        try:
            tamanho = Path(arquivo).stat().st_size
            mensagem = erro_de_tamanho(tamanho)
            if mensagem:
                raise ErroPlanilha(mensagem)
            return Path(arquivo).read_bytes()
        except OSError as erro:
            raise ErroPlanilha(f"Não foi possível ler a planilha {arquivo}: {erro.strerror or erro}") from None
    conteudo = arquivo.read(max_bytes_upload() + 1)  # one byte past the limit tells it was passed
    mensagem = erro_de_tamanho(max(len(conteudo), getattr(arquivo, "size", None) or 0))
    if mensagem:
        raise ErroPlanilha(mensagem)
    return conteudo


def ler_planilha(arquivo, nome: str = "") -> list[dict]:
    """CarteiraPrincipal-shaped records from an xlsx or csv (path or binary file object)."""
    if isinstance(arquivo, (str, Path)):
        nome = nome or str(arquivo)
    conteudo = _conteudo(arquivo)
    extensao = Path(nome).suffix.lower()
    if extensao not in (".xlsx", ".csv"):
        raise ErroPlanilha(f"Formato de planilha não suportado: “{nome}”. Use .xlsx ou .csv.")
    linhas = [
        (numero, linha)
        for numero, linha in enumerate(_linhas(conteudo, extensao), start=1)
        if not planilhas.vazia(linha)
    ]
    if not linhas:
        raise ErroPlanilha("A planilha está vazia.")
    _, cabecalho = linhas[0]
    colunas: dict[int, str] = {}
    for indice, titulo in enumerate(cabecalho):
        nome_campo = COLUNAS.get(_chave(titulo)) if titulo is not None else None
        if nome_campo and nome_campo not in IGNORADAS and nome_campo not in colunas.values():
            colunas[indice] = nome_campo
    faltando = [c for c in OBRIGATORIAS if c not in colunas.values()]
    if faltando:
        raise ErroPlanilha(f"Colunas obrigatórias ausentes na planilha: {', '.join(faltando)}.")
    registros = []
    for numero, linha in linhas[1:]:
        registro = {"_referencia": f"linha {numero} da planilha"}
        for indice, nome_campo in colunas.items():
            valor = linha[indice] if indice < len(linha) else None
            registro[nome_campo] = _converter(nome_campo, valor)
        registros.append(registro)
    return registros
