"""Progress of a long preview or apply, readable by the page while the work runs.

Kept in the shared cache (settings.CACHES["compartilhado"]: Redis when configured, else
files under data/), never in the database: an apply holds its transaction until the end,
so a progress row written inside it would be invisible (and on SQLite, locked) until then.
"""

from django.core.cache import caches

VALIDADE_SEGUNDOS = 3600


def _chave(importacao_id: int) -> str:
    return f"importacao:{importacao_id}:progresso"


def marcar(importacao_id: int, etapa: str, feitas: int, total: int):
    caches["compartilhado"].set(
        _chave(importacao_id), {"etapa": etapa, "feitas": feitas, "total": total}, VALIDADE_SEGUNDOS
    )


def ler(importacao_id: int) -> dict | None:
    return caches["compartilhado"].get(_chave(importacao_id))


def limpar(importacao_id: int):
    caches["compartilhado"].delete(_chave(importacao_id))
