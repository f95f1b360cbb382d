"""Protection of the server-rendered pages: login first (redirect to LOGIN_URL), then the
permissions of what the page shows (403 page).

The decorated view keeps its permissions in `.permissoes`, so the navigation menu asks the
view itself whether a user may open it (acesso.navegacao): one rule in one place.
"""

from django.contrib.auth.decorators import login_required, permission_required


def exige(*permissoes: str):
    def decorador(view):
        protegida = login_required(permission_required(permissoes, raise_exception=True)(view))
        protegida.permissoes = permissoes
        return protegida

    return decorador


def pode_abrir(usuario, view) -> bool:
    """Whether the user may open a page decorated by exige() (or carrying its own `pode_abrir` rule)."""
    regra = getattr(view, "pode_abrir", None)
    if regra is not None:
        return regra(usuario)
    return usuario.is_authenticated and usuario.has_perms(view.permissoes)
