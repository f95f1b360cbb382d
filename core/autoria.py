"""Who is writing, and from where: the acting user and origin of every write, set once at the entry point.

The entry points set it and everything below (services, the engine, the history of the source
rows, core.historico) reads it, so no service takes a free-text author:

- a request: core.middleware.AutoriaMiddleware (origin "admin", "api" or "pagina" by path; the
  user is read when a write happens, after DRF has authenticated the request);
- a spreadsheet import: core.importacoes.servico (origin "importacao", "importação nº n", the
  user who confirmed it), also when a django-q2 worker applies it;
- the Odoo sync: carteira.sincronizacao (origin "sincronizacao", "sincronização Odoo nº n");
- a management command: core.comandos.Comando (origin "comando", "comando <nome>");
- anything else (scheduled tasks, the cluster): origin "sistema".

A ContextVar, so threads and asyncio tasks each see their own (asgiref copies the context into
the thread that runs a sync view).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any


class Origem:
    ADMIN = "admin"
    API = "api"
    PAGINA = "pagina"
    IMPORTACAO = "importacao"
    SINCRONIZACAO = "sincronizacao"
    COMANDO = "comando"
    SISTEMA = "sistema"

    CHOICES = [
        (ADMIN, "admin"),
        (API, "API"),
        (PAGINA, "página"),
        (IMPORTACAO, "importação"),
        (SINCRONIZACAO, "sincronização"),
        (COMANDO, "comando"),
        (SISTEMA, "sistema"),
    ]


@dataclass(frozen=True)
class Autoria:
    origem: str = Origem.SISTEMA
    rotulo: str = ""  # "importação nº 3", "sincronização Odoo nº 12", "comando estoque_rebuild"
    usuario: Any = None  # a User, or None
    request: Any = None  # a request's user is read late: DRF authenticates inside the view

    def usuario_atual(self):
        if self.usuario is not None:
            return self.usuario
        usuario = getattr(self.request, "user", None)
        if usuario is not None and usuario.is_authenticated:
            return usuario
        return None

    def autor(self) -> str:
        """The text shown as "who": the user's name, then what acted for them."""
        usuario = self.usuario_atual()
        nome = usuario.get_username() if usuario is not None else ""
        if self.rotulo and nome:
            return f"{nome} ({self.rotulo})"
        return nome or self.rotulo or "sistema"


_atual: ContextVar[Autoria] = ContextVar("estoque_autoria", default=Autoria())  # noqa: B039 (frozen: immutable)


def atual() -> Autoria:
    return _atual.get()


@contextmanager
def atuando(origem: str, rotulo: str = "", usuario=None, request=None) -> Iterator[Autoria]:
    """Run the block as `usuario` (a User, a username or None) from `origem`."""
    if isinstance(usuario, str):
        usuario = usuario_por_nome(usuario)
    autoria = Autoria(origem=origem, rotulo=rotulo, usuario=usuario, request=request)
    token = _atual.set(autoria)
    try:
        yield autoria
    finally:
        _atual.reset(token)


def usuario_por_nome(nome: str):
    """The User named `nome` (the username an import or a sync run recorded), or None."""
    if not nome:
        return None
    from django.contrib.auth import get_user_model

    return get_user_model()._default_manager.filter(username=nome).first()


def origem_do_caminho(caminho: str) -> str:
    if caminho.startswith("/admin/"):
        return Origem.ADMIN
    if caminho.startswith("/api/"):
        return Origem.API
    return Origem.PAGINA
