"""The API's permission and throttle classes (a module of their own: DRF's settings import
them while rest_framework.views loads, so they may not import any view)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissions
from rest_framework.throttling import UserRateThrottle


class PermissaoModelo(DjangoModelPermissions):
    """DRF's model permissions, reads included; no staff shortcut (superusers have every permission).

    GET, HEAD and OPTIONS need the view permission of the view's `modelo`; POST add, PUT/PATCH
    change, DELETE delete. A view names its own in `permissoes` ({method: (codenames)}) for an
    action (cancel, confirm, recalculate, analyse) or for a read that shows more than one model.
    HEAD and OPTIONS ask what GET asks; without a GET, OPTIONS asks everything the view declares.
    """

    LEITURA = ["%(app_label)s.view_%(model_name)s"]
    perms_map = {**DjangoModelPermissions.perms_map, "GET": LEITURA, "HEAD": LEITURA, "OPTIONS": LEITURA}

    def has_permission(self, request, view):
        usuario = request.user
        if not (usuario and usuario.is_authenticated):
            return False
        return usuario.has_perms(self.exigidas(request.method, view))

    def exigidas(self, metodo: str, view) -> list[str]:
        if metodo.lower() not in view.http_method_names or not hasattr(view, metodo.lower()):
            raise MethodNotAllowed(metodo)
        declaradas = getattr(view, "permissoes", {})
        if metodo in ("HEAD", "OPTIONS") and metodo not in declaradas:
            if "GET" in declaradas or getattr(view, "modelo", None) is not None:
                metodo = "GET"
            elif metodo == "OPTIONS" and declaradas:
                return sorted({p for lista in declaradas.values() for p in lista})
        if metodo in declaradas:
            return list(declaradas[metodo])
        modelo = getattr(view, "modelo", None)
        if modelo is None:
            raise ImproperlyConfigured(f"{type(view).__name__}: declare `modelo` ou `permissoes['{metodo}']`.")
        return self.get_required_permissions(metodo, modelo)


class LimiteEscritas(UserRateThrottle):
    """Writes (non-safe methods) per user; rates from settings.ESTOQUE_LIMITES_API, read per request."""

    scope = "escritas"

    def get_rate(self):
        return settings.ESTOQUE_LIMITES_API[self.scope]

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class LimiteRuptura(LimiteEscritas):
    """The background ruptura analysis: each call queues work for every open order."""

    scope = "ruptura"
