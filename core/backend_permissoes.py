"""Django's ModelBackend, with a user's permissions read in one query instead of two.

ModelBackend reads the user's own permissions and their groups' permissions in two queries
(then caches the union on the user object for the request). Every API call and page checks
permissions, so that is one database round trip per request saved; the result and the
per-request cache (user._perm_cache) are the same. Superusers keep Django's path (every
permission).
"""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class BackendPermissoes(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if (
            user_obj.is_active
            and not user_obj.is_anonymous
            and obj is None
            and not user_obj.is_superuser
            and not hasattr(user_obj, "_perm_cache")
        ):
            modelo = type(user_obj)
            proprias = modelo.user_permissions.through.objects.filter(
                **{modelo.user_permissions.field.m2m_field_name(): user_obj.pk}
            )
            dos_grupos = Permission.group_set.through.objects.filter(
                group__in=modelo.groups.through.objects.filter(
                    **{modelo.groups.field.m2m_field_name(): user_obj.pk}
                ).values("group_id")
            )
            linhas = (
                Permission.objects.filter(
                    Q(pk__in=proprias.values("permission_id")) | Q(pk__in=dos_grupos.values("permission_id"))
                )
                .values_list("content_type__app_label", "codename")
                .order_by()
            )
            user_obj._perm_cache = {f"{app}.{nome}" for app, nome in linhas}
        return super().get_all_permissions(user_obj, obj)
