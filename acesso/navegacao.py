"""The navigation menu: the sections a user may open, asked of each page's own view."""

from django.urls import resolve
from django.utils.functional import SimpleLazyObject

from core.paginas import pode_abrir

# (section key, label, address), in menu order.
SECOES = (
    ("estoque", "Saldo de estoque", "/estoque/"),
    ("carteira", "Carteira", "/carteira/"),
    ("pedidos", "Pedidos", "/carteira/pedidos/"),
    ("producao", "Produção", "/producao/"),
    ("embarques", "Embarques", "/embarques/"),
    ("importacoes", "Importações", "/importacoes/"),
    ("trabalhos", "Meus trabalhos", "/trabalhos/"),
    ("operacao", "Operação", "/operacao/"),
    ("admin", "Admin", "/admin/"),
    ("api", "Documentação da API", "/api/docs/"),
)


def _permitida(usuario, endereco: str) -> bool:
    if endereco == "/admin/":
        return usuario.is_active and usuario.is_staff  # the admin's own gate; inside, model permissions
    return pode_abrir(usuario, resolve(endereco).func)


def secoes(usuario) -> list[dict]:
    if not usuario.is_authenticated:
        return []
    return [
        {"chave": chave, "rotulo": rotulo, "url": endereco}
        for chave, rotulo, endereco in SECOES
        if _permitida(usuario, endereco)
    ]


def menu(request):
    """Context processor: `menu`, computed only when a template uses it."""
    return {"menu": SimpleLazyObject(lambda: secoes(request.user))}
