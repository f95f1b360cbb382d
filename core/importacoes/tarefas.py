"""django-q2 entry points of the previews of large files: thin wrappers over the service (their
apply is a background job, core.trabalhos)."""

from contextlib import suppress

from django_q.tasks import async_task

from core.importacoes import servico


def enfileirar(funcao, *args):
    async_task(f"{funcao.__module__}.{funcao.__name__}", *args, group="importacoes")


def previsualizar(importacao_id: int):
    servico.previsualizar(importacao_id)


def aplicar(importacao_id: int, usuario: str, repetir: bool):
    # Tasks queued before the apply became a background job (core.trabalhos) still run.
    # A refusal is recorded on the import (FALHOU and its message): nothing to retry.
    with suppress(servico.ErroImportacao):
        servico.aplicar(importacao_id, usuario, repetir)
