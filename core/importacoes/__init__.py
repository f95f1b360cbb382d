"""Spreadsheet imports operators can trust: one pipeline for every kind of file.

Each domain app declares an `Importador` (its columns, how a row becomes values, the same
rule functions its services use, its totals, how to apply and undo) and registers it in
its AppConfig.ready; core imports no app. The pipeline (core.importacoes.servico):

    upload → Importacao (bytes, SHA-256) → read (core.planilhas.ler_arquivo: xlsx, ods, xls,
    csv) → header (core.colunas: names or labels, title rows skipped) → each row converted
    (core.valores, pt-BR) → set-based checks (unknown products) → preview: errors per line
    and column with the value as typed, totals → confirm: the stored bytes read again, the
    totals must equal the preview's, then one transaction through the domain services.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from core.colunas import Coluna
from core.limites import CONTROLE


@dataclass
class Erro:
    """One refusal: the spreadsheet line (None for the whole file), the column label, the value as typed."""

    linha: int | None
    coluna: str
    valor: str
    mensagem: str

    def como_dict(self) -> dict:
        return {
            "linha": self.linha,
            "coluna": visivel(self.coluna),
            "valor": visivel(self.valor),
            "mensagem": visivel(self.mensagem),
        }


def visivel(texto: str) -> str:
    """Control characters as \\xNN: shown to the operator, and storable (PostgreSQL's jsonb and
    text refuse NUL)."""
    return CONTROLE.sub(lambda achado: f"\\x{ord(achado.group()):02x}", texto)


@dataclass
class Linha:
    numero: int  # as the spreadsheet shows it
    dados: dict  # converted values by column name
    brutos: dict = field(default_factory=dict)  # the cells as read, by column name


class ErrosDaLinha(Exception):
    """{column name: message} for one row."""

    def __init__(self, erros: dict[str, str]):
        super().__init__(erros)
        self.erros = erros


@dataclass
class Tabela:
    """A totals table of the preview. `tipos`: "texto", "qtd", "data" or "inteiro" per column."""

    titulo: str
    colunas: list[str]
    tipos: list[str]
    linhas: list[list]

    def como_dict(self) -> dict:
        return {
            "titulo": self.titulo,
            "colunas": self.colunas,
            "tipos": self.tipos,
            "linhas": [[_json(valor) for valor in linha] for linha in self.linhas],
        }


def _json(valor):
    if isinstance(valor, Decimal):
        return format(valor.normalize(), "f")  # one text per value: 1234.500 and 1234.5 compare equal
    if hasattr(valor, "isoformat"):
        return valor.isoformat()
    return valor


Avancar = Callable[[int, int], None]  # (done, total): progress of a long apply


class Importador:
    """What one kind of file is and how it is applied. Subclasses set the class attributes."""

    tipo: str = ""  # the URL key, e.g. "movimentacoes"
    titulo: str = ""
    descricao: str = ""
    colunas: Sequence[Coluna] = ()
    permissao: str = ""  # needed to preview, apply and undo
    reversivel: bool = True
    notas: Sequence[str] = ()  # the template's notes sheet, after the column list

    def converter(self, valores: dict) -> dict:
        """A row's cells (by column name) → values; ErrosDaLinha naming each bad column."""
        raise NotImplementedError

    def conferir(self, linhas: list[Linha]) -> list[Erro]:
        """Checks across rows, set-based (unknown product codes: one query for the file)."""
        return []

    def totais(self, linhas: list[Linha]) -> list[Tabela]:
        raise NotImplementedError

    def aplicar(self, linhas: list[Linha], importacao, usuario: str, avancar: Avancar) -> str:
        """Writes through the domain services (the caller holds the transaction); a summary."""
        raise NotImplementedError

    def desfazer(self, importacao, usuario: str) -> str:
        raise NotImplementedError

    def rotulo(self, nome: str) -> str:
        return next((c.rotulo for c in self.colunas if c.nome == nome), nome)


def erros_de_validacao(erro: ValidationError) -> dict[str, str]:
    """A service's ValidationError as {field: message}."""
    if hasattr(erro, "error_dict"):
        return {campo: " ".join(mensagens) for campo, mensagens in erro.message_dict.items()}
    return {"__all__": " ".join(erro.messages)}


def na_linha(linha: Linha, erro: ValidationError) -> ValidationError:
    """A service's refusal of one row, each message naming the spreadsheet line."""
    return ValidationError({campo: f"linha {linha.numero}: {m}" for campo, m in erros_de_validacao(erro).items()})


def gravar_por_linha(linhas: list[Linha], gravar, avancar: Avancar, cada: int = 100) -> list:
    """`gravar(linha)` for each row (the caller holds the transaction); a service's refusal names
    the spreadsheet line; progress every `cada` rows. The results, in order."""
    resultados = []
    for feitas, linha in enumerate(linhas, start=1):
        try:
            resultados.append(gravar(linha))
        except ValidationError as erro:
            raise na_linha(linha, erro) from None
        if feitas % cada == 0:
            avancar(feitas, len(linhas))
    return resultados


_importadores: dict[str, Importador] = {}


def registrar(importador: Importador) -> Importador:
    _importadores[importador.tipo] = importador
    return importador


def importador(tipo: str) -> Importador | None:
    return _importadores.get(tipo)


def importadores() -> list[Importador]:
    return list(_importadores.values())


def permitidos(usuario) -> list[Importador]:
    return [i for i in _importadores.values() if usuario.has_perm(i.permissao)]
