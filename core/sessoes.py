"""Session store whose row carries the user (core.models.Sessao): on PostgreSQL a request reads
its session, its user and the user's permissions in one statement.

Django reads the session (one query), then the user it names (another; BackendPermissoes
already brings the permissions with it). Every page and API call pays both round trips. Here
the session row keeps the user's id, so its load joins the user row and the permission names,
and hands that user to BackendPermissoes.get_user, which Django's auth.get_user calls next in
the same request with the id it just read from this session. Everything Django checks after
that is unchanged: the backend path stored in the session, `user_can_authenticate`, and the
session hash (a changed password still logs the other sessions out). Other databases, and a
user id that is not the one just read, take Django's own path.
"""

from contextvars import ContextVar
from functools import cache
from typing import Any

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from core import preparadas

# (user id as the session holds it, the user read with it or None): set by the load, taken once.
_lido: ContextVar[tuple[str, object] | None] = ContextVar("usuario_lido_com_a_sessao", default=None)
_NADA = object()


def usuario_lido(user_id) -> Any:
    """The user read with this request's session when its id is user_id (None: no such user row);
    _NADA otherwise. Taken once: a later call reads the user again."""
    lido = _lido.get()
    if lido is None or lido[0] != str(user_id):
        return _NADA
    _lido.set(None)
    return lido[1]


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls):
        from core.models import Sessao

        return Sessao

    def create_model_instance(self, data):
        sessao: Any = super().create_model_instance(data)
        usuario = data.get(SESSION_KEY)
        sessao.usuario_id = get_user_model()._meta.pk.to_python(usuario) if usuario is not None else None
        return sessao

    def load(self):
        """db.SessionStore.load (the live session's data, or {} and no key), on PostgreSQL with the
        user read in the same statement."""
        _lido.set(None)
        using = router.db_for_read(self.model)
        if connections[using].vendor != "postgresql":
            return super().load()
        linha = _ler(using, self.session_key) if self.session_key else None
        if linha is None:
            self._session_key = None
            return {}
        dados, usuario_id, usuario = linha
        if usuario_id is not None:
            _lido.set((str(usuario_id), usuario))
        return self.decode(dados)


@cache
def _sql_da_leitura(modelo) -> tuple[str, list[str]]:
    """(the statement _ler runs, the user fields it reads in order): built once per user model."""
    from core.backend_permissoes import _array_de_permissoes
    from core.models import Sessao

    tabela = modelo._meta.db_table
    campos = modelo._meta.concrete_fields
    colunas = ", ".join(f'{tabela}."{campo.column}"' for campo in campos)
    sql = (
        f"SELECT s.session_data, s.usuario_id, {colunas}, {_array_de_permissoes(modelo).sql} "
        f"FROM {Sessao._meta.db_table} s LEFT JOIN {tabela} ON {tabela}.{modelo._meta.pk.column} = s.usuario_id "
        f"WHERE s.session_key = %s AND s.expire_date > %s"
    )
    return sql, [campo.attname for campo in campos]


def _ler(using, chave):
    """(session_data, user id, user with _perm_cache or None) of a live session, or None."""
    modelo = get_user_model()
    sql, atributos = _sql_da_leitura(modelo)
    conexao = connections[using]
    with conexao.cursor() as cursor:
        preparadas.executar(conexao, cursor, "core_sessao_ler", sql, ("text", "timestamptz"), [chave, timezone.now()])
        linha = cursor.fetchone()
    if linha is None:
        return None
    dados, usuario_id, *valores, permissoes = linha
    usuario: Any = None
    if valores[0] is not None:  # the user row exists
        usuario = modelo.from_db(using, atributos, valores)
        if not usuario.is_superuser:
            usuario._perm_cache = set(permissoes)
    return dados, usuario_id, usuario


# ---------------------------------------------------------------- cleanup

LIMPEZA = "core: sessões expiradas"
FUNCAO = "core.sessoes.limpar_expiradas"


def limpar_expiradas() -> int:
    """Delete the expired sessions (what `manage.py clearsessions` does), daily on the schedule:
    a session that ended by time, not by "Sair", otherwise stays in the table. Returns how many."""
    from core.models import Sessao

    apagadas, _ = Sessao.objects.filter(expire_date__lt=timezone.now()).delete()
    return apagadas


def garantir_agendamento(schedule_model=None):
    """Create or update the daily cleanup (idempotent). Accepts a migration's historical model."""
    from core.trabalhos.agendamentos import garantir

    return garantir(LIMPEZA, FUNCAO, "D", schedule_model)  # Schedule.DAILY
