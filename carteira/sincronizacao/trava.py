"""The sync lock, taken BEFORE the source is read, and the snapshot time.

Two runs must never interleave "read Odoo" and "apply": a run that read an older snapshot
would undo a newer one applied meanwhile. So a run that writes holds the lock from before
its fetch until its transaction ends:

- PostgreSQL: a session-level advisory lock (pg_advisory_lock), held across the fetch with
  no transaction open (the database is not held while we wait on the network) and released
  at the end, or by PostgreSQL when the connection dies (a crashed run frees it).
- Both databases: the run's own row, SincronizacaoCarteira EM_ANDAMENTO, of which there is
  at most one (unique constraint sinc_uma_em_andamento). On SQLite this row is the lock: a
  lease. A run EM_ANDAMENTO for longer than CARTEIRA_SINCRONIZACAO_TRAVA_MINUTOS (default 30)
  is taken as dead, closed as FALHA and its lease taken over; if it was alive after all, it
  finds out before writing (`conferir`) and writes nothing. On PostgreSQL a row EM_ANDAMENTO
  found while holding the advisory lock belongs to a dead process and is closed at once.

The snapshot time (`instante`) is read from the database's clock, so runs on machines whose
clocks disagree still compare right (servico refuses a snapshot older than the last applied).
"""

import time
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao.configuracao import inteiro
from carteira.sincronizacao.registros import ErroSincronizacao

CHAVE_TRAVA = 0x43415254  # "CART"
TRAVA_MINUTOS = "CARTEIRA_SINCRONIZACAO_TRAVA_MINUTOS"
INTERVALO = 0.2  # seconds between two tries while another run holds the lock
Status = SincronizacaoCarteira.Status
_dentro: ContextVar[bool] = ContextVar("carteira_sincronizacao_dentro", default=False)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def instante() -> datetime:
    """Now, on the database's clock (one clock for every machine that runs syncs)."""
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            return cursor.fetchone()[0]
    return timezone.now()


def _minutos_trava() -> int:
    return max(1, inteiro(TRAVA_MINUTOS, 30))


def _local(momento: datetime) -> str:
    return f"{timezone.localtime(momento):%d/%m/%Y %H:%M:%S}"


def _ocupada(ocupante: SincronizacaoCarteira | None) -> ErroSincronizacao:
    quem = (
        f" (nº {ocupante.pk}, {ocupante.get_gatilho_display().lower()}"
        f"{' por ' + ocupante.usuario if ocupante.usuario else ''}, iniciada em {_local(ocupante.iniciado_em)})"
        if ocupante
        else ""
    )
    return ErroSincronizacao(
        f"Outra sincronização da carteira está em andamento{quem}: nada foi feito. Tente de novo quando ela terminar."
    )


def _pegar_advisory(espera: float | None) -> bool:
    with connection.cursor() as cursor:
        if espera is None:
            cursor.execute("SELECT pg_advisory_lock(%s)", [CHAVE_TRAVA])
            return True
        prazo = time.monotonic() + espera
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [CHAVE_TRAVA])
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() >= prazo:
                return False
            time.sleep(INTERVALO)


def _soltar_advisory():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [CHAVE_TRAVA])
    except DatabaseError:
        if connection.is_usable():
            raise
        # The connection is gone, and the session lock with it.


def _encerrar_abandonadas():
    """Close as FALHA the runs EM_ANDAMENTO whose process is gone (see the module docstring)."""
    abandonadas = SincronizacaoCarteira.objects.filter(status=Status.EM_ANDAMENTO)
    if _postgres():
        motivo = (
            "Interrompida: o processo terminou sem concluir (a trava do PostgreSQL foi liberada); nada foi gravado."
        )
    else:
        minutos = _minutos_trava()
        abandonadas = abandonadas.filter(iniciado_em__lt=timezone.now() - timedelta(minutes=minutos))
        motivo = (
            f"Interrompida: passou de {minutos} minuto(s) ({TRAVA_MINUTOS}) sem concluir e a trava foi assumida por "
            "outra execução; nada foi gravado."
        )
    abandonadas.update(status=Status.FALHA, erro=motivo, finalizado_em=timezone.now())


def _criar(campos: dict, espera: float | None) -> SincronizacaoCarteira:
    prazo = None if espera is None else time.monotonic() + espera
    while True:
        try:
            with transaction.atomic():
                _encerrar_abandonadas()
                return SincronizacaoCarteira.objects.create(
                    status=Status.EM_ANDAMENTO, iniciado_em=timezone.now(), **campos
                )
        except IntegrityError:
            ocupante = SincronizacaoCarteira.objects.filter(status=Status.EM_ANDAMENTO).first()
            if ocupante is None:
                raise  # not the lock: a real error
        if prazo is not None and time.monotonic() >= prazo:
            raise _ocupada(ocupante)
        time.sleep(INTERVALO)


def abrir(campos: dict, espera: float | None = None) -> SincronizacaoCarteira:
    """Take the sync lock and record the run EM_ANDAMENTO; wait at most `espera` seconds (None: until free).

    Raises ErroSincronizacao when another run keeps the lock past `espera`. Always pair with fechar().
    """
    if _dentro.get():
        raise ErroSincronizacao("Sincronização dentro de outra sincronização no mesmo processo: recusada.")
    if _postgres() and not _pegar_advisory(espera):
        raise _ocupada(SincronizacaoCarteira.objects.filter(status=Status.EM_ANDAMENTO).first())
    try:
        execucao = _criar(campos, espera)
    except BaseException:
        if _postgres():
            _soltar_advisory()
        raise
    _dentro.set(True)
    return execucao


def fechar():
    """Release the lock taken by abrir() (the run's row is closed by the caller before this)."""
    _dentro.set(False)
    if _postgres():
        _soltar_advisory()


def conferir(execucao: SincronizacaoCarteira):
    """Inside the sync transaction, before writing: the lease is still this run's."""
    atual = SincronizacaoCarteira.objects.select_for_update().filter(pk=execucao.pk).values_list("status", flat=True)
    if list(atual) != [Status.EM_ANDAMENTO]:
        raise ErroSincronizacao(
            f"A trava desta sincronização expirou (mais de {_minutos_trava()} minuto(s), {TRAVA_MINUTOS}) e outra "
            "execução a assumiu: nada foi gravado. Rode de novo."
        )
