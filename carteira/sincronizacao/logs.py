"""The sync's log lines: a run's start, its end (status, counts, duration) and its failure.

Around the run function (servico.sincronizar), not inside it: every entry point (command,
schedule, admin, spreadsheet, confirmation, dry-run) goes through it, and the sync's own steps
stay free of logging calls.
"""

import logging
import time
from collections.abc import Callable
from functools import wraps

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao.plano import Plano
from carteira.sincronizacao.registros import ErroSincronizacao

logger = logging.getLogger("carteira.sincronizacao")

# The run's counts (SincronizacaoCarteira fields, as the plan names them) that go with its end.
CONTAGENS = tuple(Plano([], [], [], 0, 0).contagens())


def _fim(execucao: SincronizacaoCarteira | None, inicio: float, erro: Exception | None = None):
    campos: dict = {"duracao_s": round(time.monotonic() - inicio, 3)}
    if execucao is not None:
        campos |= {
            "sincronizacao_id": execucao.pk,
            "origem": execucao.origem,
            "gatilho": execucao.gatilho,
            "usuario": execucao.usuario,
            "status": execucao.status,
            **{campo: getattr(execucao, campo) for campo in CONTAGENS},
        }
    numero = execucao.pk if execucao is not None else "—"
    if erro is not None:
        logger.error("Sincronização da carteira nº %s falhou: %s", numero, erro, extra=campos)
    else:
        logger.info("Sincronização da carteira nº %s terminou: %s", numero, campos.get("status"), extra=campos)


def registrar_execucao(sincronizar: Callable[..., SincronizacaoCarteira]) -> Callable[..., SincronizacaoCarteira]:
    """Log a run: start at INFO (origin, trigger, user), end at INFO with the run's counts and
    duration, failure at ERROR (the FALHA run the error carries)."""

    @wraps(sincronizar)
    def registrada(*args, **kwargs) -> SincronizacaoCarteira:
        confirmacao = kwargs.get("confirmacao")
        logger.info(
            "Sincronização da carteira iniciada (%s, %s)",
            kwargs.get("origem"),
            kwargs.get("gatilho"),
            extra={
                "origem": kwargs.get("origem"),
                "gatilho": kwargs.get("gatilho"),
                "usuario": kwargs.get("usuario") or "",
                "simulacao": bool(kwargs.get("simular")),
                "confirma_sincronizacao_id": getattr(confirmacao, "pk", None),
            },
        )
        inicio = time.monotonic()
        try:
            execucao = sincronizar(*args, **kwargs)
        except ErroSincronizacao as erro:
            _fim(erro.execucao, inicio, erro)
            raise
        except Exception as erro:
            _fim(None, inicio, erro)
            raise
        _fim(execucao, inicio)
        return execucao

    return registrada
