"""Structured logs: the JSON-lines formatter (ESTOQUE_LOG_JSON=1) and the readable one, both
showing the fields a call passes in `extra`, and the log of failed django-q2 tasks.

A log call names what it is about in `extra` (ids, counts, durations), so a log collector can
filter and count by field; the message says the same in words for a person reading the console.
"""

import json
import logging
from datetime import UTC, datetime

# The attributes every LogRecord has: whatever else a record carries came from `extra`.
_PADRAO = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def campos_extras(registro: logging.LogRecord) -> dict:
    return {chave: valor for chave, valor in vars(registro).items() if chave not in _PADRAO}


def _texto(valor):
    """A JSON value: numbers, text, booleans and None as they are; anything else as its str()."""
    if valor is None or isinstance(valor, (bool, int, float, str)):
        return valor
    if isinstance(valor, (list, tuple)):
        return [_texto(item) for item in valor]
    if isinstance(valor, dict):
        return {str(chave): _texto(item) for chave, item in valor.items()}
    return str(valor)


class FormatadorJSON(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the `extra` fields
    and the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        linha = {
            "hora": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "nivel": record.levelname,
            "logger": record.name,
            "mensagem": record.getMessage(),
        }
        for chave, valor in campos_extras(record).items():
            linha.setdefault(chave, _texto(valor))
        if record.exc_info:
            linha["excecao"] = self.formatException(record.exc_info)
        elif record.exc_text:
            linha["excecao"] = record.exc_text
        return json.dumps(linha, ensure_ascii=False)


class FormatadorLegivel(logging.Formatter):
    """The console's format, with the `extra` fields after the message as chave=valor."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        texto = super().formatMessage(record)
        extras = campos_extras(record)
        if extras:
            texto += " " + " ".join(f"{chave}={valor}" for chave, valor in extras.items())
        return texto


logger_tarefas = logging.getLogger("core.tarefas")


def registrar_falha_de_tarefa(sender, task, **kwargs):
    """django-q2's post_execute (the cluster's monitor, once per finished task): a failure at ERROR.

    django-q2 logs it too, as free text in its own logger; this line carries the task's id,
    name and function as fields."""
    if task.get("success"):
        return
    logger_tarefas.error(
        "Tarefa em segundo plano falhou: %s",
        task.get("name"),
        extra={
            "tarefa_id": task.get("id"),
            "tarefa": task.get("name"),
            "funcao": str(task.get("func")),
            "grupo": task.get("group"),
            "erro": str(task.get("result"))[:2000],
        },
    )
