"""Django's ModelBackend, with the user's permissions read with the user, not in two more queries.

ModelBackend reads a user's own permissions and their groups' permissions in two queries
(then caches the union on the user object for the request: user._perm_cache). Every API call
and page checks permissions, so these are round trips on every request. Here, on PostgreSQL,
the request's user is loaded with its permissions in the same query (an array subquery), and
elsewhere (or when the user was loaded otherwise) the union is one query. The result and the
per-request cache are ModelBackend's; superusers keep Django's path (every permission).
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.db.models import F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat


def _permissoes(modelo, usuario):
    """Permission names ("app_label.codename") of a user, own or of its groups: one query."""
    proprias = modelo.user_permissions.through.objects.filter(
        **{modelo.user_permissions.field.m2m_field_name(): usuario}
    )
    grupos = modelo.groups.through.objects.filter(**{modelo.groups.field.m2m_field_name(): usuario})
    dos_grupos = Permission.group_set.through.objects.filter(group__in=grupos.values("group_id"))
    return (
        Permission.objects.filter(
            Q(pk__in=proprias.values("permission_id")) | Q(pk__in=dos_grupos.values("permission_id"))
        )
        .annotate(nome=Concat(F("content_type__app_label"), Value("."), F("codename")))
        .values_list("nome", flat=True)
        .order_by()
    )


def _array_de_permissoes(modelo) -> RawSQL:
    """The same names as an array column of the user's own row (PostgreSQL)."""
    tabela = modelo._meta.db_table
    pk = modelo._meta.pk.column
    proprias = modelo.user_permissions.through
    grupos = modelo.groups.through
    dos_grupos = Permission.group_set.through
    coluna_usuario = proprias._meta.get_field(modelo.user_permissions.field.m2m_field_name()).column
    coluna_usuario_grupo = grupos._meta.get_field(modelo.groups.field.m2m_field_name()).column
    return RawSQL(
        f"ARRAY(SELECT ct.app_label || '.' || p.codename FROM {Permission._meta.db_table} p "
        f"JOIN {ContentType._meta.db_table} ct ON ct.id = p.content_type_id "
        f"WHERE p.id IN (SELECT permission_id FROM {proprias._meta.db_table} WHERE {coluna_usuario} = {tabela}.{pk}) "
        f"OR p.id IN (SELECT gp.permission_id FROM {dos_grupos._meta.db_table} gp "
        f"JOIN {grupos._meta.db_table} ug ON ug.group_id = gp.group_id WHERE ug.{coluna_usuario_grupo} = {tabela}.{pk}))",
        [],
    )


class BackendPermissoes(ModelBackend):
    def get_user(self, user_id):
        from core.sessoes import _NADA, usuario_lido

        lido = usuario_lido(user_id)  # read with this request's session (core.sessoes), on PostgreSQL
        if lido is not _NADA:
            return lido if lido is not None and self.user_can_authenticate(lido) else None
        modelo = self._modelo()
        if connections[modelo._default_manager.db].vendor != "postgresql":
            return super().get_user(user_id)
        try:
            usuario = modelo._default_manager.annotate(_permissoes_lidas=_array_de_permissoes(modelo)).get(pk=user_id)
        except modelo.DoesNotExist:
            return None
        if not self.user_can_authenticate(usuario):
            return None
        if not usuario.is_superuser:
            usuario._perm_cache = set(usuario._permissoes_lidas)
        return usuario

    def get_all_permissions(self, user_obj, obj=None):
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and obj is None
            and not user_obj.is_superuser
            and not hasattr(user_obj, "_perm_cache")
        ):
            user_obj._perm_cache = set(_permissoes(type(user_obj), user_obj.pk))
        return super().get_all_permissions(user_obj, obj)

    @staticmethod
    def _modelo():
        from django.contrib.auth import get_user_model

        return get_user_model()
