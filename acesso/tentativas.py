"""Login throttling: after N failed logins of one username from one address within M minutes,
that pair is refused until the window ends (a counter in Django's cache).

Used by both login forms (/entrar/ and /admin/login/). Behind a reverse proxy REMOTE_ADDR is
the proxy's, so the counter is then per username. With several web processes the cache must
be shared (REDIS_URL) for the limit to hold across them.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def _chave(request, usuario: str) -> str:
    endereco = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    bruto = f"{usuario.strip().lower()}|{endereco}".encode()
    return "acesso:falhas:" + hashlib.sha256(bruto).hexdigest()


def limite() -> tuple[int, int]:
    """(failures allowed, window in minutes)."""
    return settings.ESTOQUE_LOGIN_TENTATIVAS, settings.ESTOQUE_LOGIN_JANELA_MINUTOS


def bloqueado(request, usuario: str) -> bool:
    return cache.get(_chave(request, usuario), 0) >= limite()[0]


def registrar_falha(request, usuario: str) -> None:
    chave = _chave(request, usuario)
    # add() starts the window at the first failure; incr() keeps its expiry.
    cache.add(chave, 0, timeout=limite()[1] * 60)
    try:
        cache.incr(chave)
    except ValueError:  # expired between add() and incr()
        cache.add(chave, 1, timeout=limite()[1] * 60)


def limpar(request, usuario: str) -> None:
    cache.delete(_chave(request, usuario))
