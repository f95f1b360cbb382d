"""django-q2 entry points of the background jobs: thin wrappers over the service."""

from core.trabalhos import servico


def executar(trabalho_id: int):
    return servico.executar(trabalho_id)


def limpar():
    return servico.limpar()
