"""Background jobs, one mechanism: long work a user asks for runs on the django-q2 cluster as a
Trabalho row (core.models) with its progress, its result file and its error.

Each domain app registers its kinds (`registrar(Tipo(...))`) in its AppConfig.ready, as the
spreadsheet importers do; core imports no app. The pipeline (core.trabalhos.servico):

    iniciar (one per user and kind; enqueued after the commit; a refusing broker leaves
    nothing) → the cluster's executar (EXECUTANDO, the kind's function with a Progresso)
    → CONCLUIDO (file kept TRABALHOS_DIAS_ARQUIVOS days, summary, a link) or FALHOU (the
    error, logged). The cleanup (hourly schedule) drops old files and fails jobs that made
    no progress for TRABALHOS_SEM_PROGRESSO_MINUTOS (a killed worker never blocks a user).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any


class ErroTrabalho(Exception):
    """A refusal the user reads as it is (pt-BR): the job fails with this text, no traceback."""


@dataclass
class Resultado:
    """What a kind's function returns: a summary, and optionally a file (an open binary file
    or bytes) with its download name and a link to a related page."""

    resumo: str = ""
    arquivo: IO[bytes] | bytes | None = None
    arquivo_nome: str = ""
    link: str = ""


@dataclass(frozen=True)
class Tipo:
    """A kind of job. `executar(trabalho, progresso) -> Resultado` runs on the cluster as the
    user who asked (core.autoria); `progresso(feitos, total, etapa)` reports how far it is."""

    tipo: str
    titulo: str
    executar: Callable[..., Any]
    origem: str = "pagina"  # core.autoria.Origem of what it writes
    unidade: str = "linha(s)"  # what `feitos` and `total` count, as the page says it
    extras: dict = field(default_factory=dict)


_tipos: dict[str, Tipo] = {}


def registrar(tipo: Tipo) -> Tipo:
    _tipos[tipo.tipo] = tipo
    return tipo


def tipo(nome: str) -> Tipo | None:
    return _tipos.get(nome)


def tipos() -> list[Tipo]:
    return list(_tipos.values())
