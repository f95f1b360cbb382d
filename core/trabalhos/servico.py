"""Start, run, report and clean up background jobs (core.trabalhos).

A job is created and enqueued outside any transaction the caller holds, as the ruptura
analysis does: when the broker refuses the task, the row is deleted again and the user
reads a pt-BR error (nothing half-created). While the job's function runs, its progress
goes to the shared cache at once and to the row whenever the function is not inside a
transaction of its own (a row written inside it would stay invisible until its end).
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django_q.tasks import async_task

from core import autoria
from core.formatos import formatar_momento
from core.models import Trabalho
from core.trabalhos import ErroTrabalho, Resultado, Tipo, tipo

logger = logging.getLogger(__name__)
Status = Trabalho.Status
INTERVALO_SEGUNDOS = 1.0  # between two progress writes of one job
VALIDADE_CACHE_SEGUNDOS = 6 * 3600
PERMISSAO_VER_TODOS = "core.view_trabalho"


class TrabalhoEmAndamento(ErroTrabalho):
    """The user already has a job of this kind waiting or running."""

    def __init__(self, trabalho: Trabalho):
        self.trabalho = trabalho
        super().__init__(
            f"Você já tem um trabalho deste tipo em andamento: nº {trabalho.pk} ({trabalho.titulo}), pedido em "
            f"{formatar_momento(trabalho.criado_em)}. Acompanhe-o na página do trabalho; um novo só pode ser pedido "
            "quando ele terminar."
        )


class FilaIndisponivel(ErroTrabalho):
    """The task broker refused the job: nothing was started."""


def _tipo(nome: str) -> Tipo:
    registrado = tipo(nome)
    if registrado is None:
        raise ErroTrabalho(f"Tipo de trabalho desconhecido: {nome}.")
    return registrado


def pode_ver(usuario, trabalho: Trabalho) -> bool:
    """The owner, or staff allowed to see every job (core.view_trabalho)."""
    return usuario.is_authenticated and (
        trabalho.usuario_id == usuario.pk or (usuario.is_staff and usuario.has_perm(PERMISSAO_VER_TODOS))
    )


def em_andamento(usuario, nome: str) -> Trabalho | None:
    return Trabalho.objects.filter(usuario=usuario, tipo=nome, status__in=Trabalho.EM_ANDAMENTO).first()


# ---------------------------------------------------------------- start


def iniciar(nome: str, usuario, parametros: dict | None = None, titulo: str = "") -> Trabalho:
    """Create the job and enqueue it on the default cluster. TrabalhoEmAndamento when the user
    already has one of this kind (a stalled one is failed first, see liberar_parados);
    FilaIndisponivel when the broker refuses (the row is gone again)."""
    registrado = _tipo(nome)
    liberar_parados(Trabalho.objects.filter(usuario=usuario, tipo=nome))
    try:
        with transaction.atomic():
            trabalho = Trabalho.objects.create(
                tipo=nome,
                titulo=(titulo or registrado.titulo)[:200],
                usuario=usuario,
                parametros=parametros or {},
                atualizado_em=timezone.now(),
            )
    except IntegrityError:
        # trabalho_um_em_andamento_por_usuario_e_tipo: a double click, or a second tab.
        existente = em_andamento(usuario, nome)
        if existente is None:
            raise
        raise TrabalhoEmAndamento(existente) from None
    try:
        async_task("core.trabalhos.tarefas.executar", trabalho.pk, group=f"trabalho {nome}")
    except Exception as erro:
        if Trabalho.objects.filter(pk=trabalho.pk).exclude(status=Status.PENDENTE).exists():
            # django-q2's sync mode ran the job inline and re-raised its error, already
            # recorded on the job (FALHOU): the broker did take it.
            return trabalho
        logger.error(
            "Fila de tarefas indisponível ao iniciar o trabalho %s (%s): %s: %s",
            trabalho.pk,
            nome,
            type(erro).__name__,
            erro,
        )
        trabalho.delete()
        raise FilaIndisponivel(
            "A fila de tarefas em segundo plano está indisponível agora; nada foi iniciado. "
            "Tente de novo em alguns instantes (se persistir, avise o suporte: o Redis ou o cluster parou)."
        ) from erro
    return trabalho


# ---------------------------------------------------------------- progress


def _chave(trabalho_id: int) -> str:
    return f"trabalho:{trabalho_id}:progresso"


def _percentual(feitos: int, total: int) -> int:
    # 100 only when the job is done: a count may be an estimate.
    return min(99, 100 * feitos // total) if total else 0


class Progresso:
    """`progresso(feitos, total=None, etapa=None)`: how far a job is. Written at most once per
    INTERVALO_SEGUNDOS (and whenever the stage changes)."""

    def __init__(self, trabalho: Trabalho):
        self.trabalho_id = trabalho.pk
        self.feitos = 0
        self.total = 0
        self.etapa = ""
        self._ultimo = 0.0

    def __call__(self, feitos: int, total: int | None = None, etapa: str | None = None):
        mudou_etapa = etapa is not None and etapa != self.etapa
        self.feitos = int(feitos)
        if total is not None:
            self.total = int(total)
        if etapa is not None:
            self.etapa = etapa
        agora = time.monotonic()
        if mudou_etapa or agora - self._ultimo >= INTERVALO_SEGUNDOS:
            self._ultimo = agora
            self.publicar()

    def etapas(self, etapa: str, feitos: int, total: int):
        """The (stage, done, total) signature of the services' callbacks (the sync, the demo)."""
        self(feitos, total, etapa)

    def publicar(self):
        momento = timezone.now()
        dados = {
            "feitos": self.feitos,
            "total": self.total,
            "etapa": self.etapa,
            "percentual": _percentual(self.feitos, self.total),
            "em": momento.isoformat(),
        }
        caches["compartilhado"].set(_chave(self.trabalho_id), dados, VALIDADE_CACHE_SEGUNDOS)
        if connection.in_atomic_block:
            return
        try:
            _gravar_na_linha(self.trabalho_id, dados, self.etapa, momento)
        except DatabaseError as erro:
            # Progress is a report, not the work: a busy database (SQLite's write lock held by
            # another writer) must not fail the job. The cache above has it; the row catches up.
            logger.warning("progresso do trabalho %s não gravado na linha: %s", self.trabalho_id, erro)


def _gravar_na_linha(trabalho_id: int, dados: dict, etapa: str, momento: datetime):
    Trabalho.objects.filter(pk=trabalho_id, status=Status.EXECUTANDO).update(
        progresso=dados["percentual"],
        linhas_feitas=dados["feitos"],
        linhas_total=dados["total"],
        etapa=etapa[:200],
        atualizado_em=momento,
    )


def progresso_ao_vivo(trabalho_id: int) -> dict | None:
    return caches["compartilhado"].get(_chave(trabalho_id))


# ---------------------------------------------------------------- run (on the cluster)


def executar(trabalho_id: int) -> str:
    """The cluster's entry point: run the kind's function as the user who asked."""
    agora = timezone.now()
    if not Trabalho.objects.filter(pk=trabalho_id, status=Status.PENDENTE).update(
        status=Status.EXECUTANDO, iniciado_em=agora, atualizado_em=agora
    ):
        # Deleted after a broker refusal, failed as stalled, or already run: nothing to do.
        logger.warning("trabalho %s não está na fila; nada a fazer", trabalho_id)
        return ""
    trabalho = Trabalho.objects.select_related("usuario").get(pk=trabalho_id)
    progresso = Progresso(trabalho)
    progresso(0, 0, "Iniciando")
    try:
        registrado = _tipo(trabalho.tipo)
        with autoria.atuando(registrado.origem, rotulo=f"trabalho nº {trabalho.pk}", usuario=trabalho.usuario):
            resultado = registrado.executar(trabalho, progresso) or Resultado()
        _concluir(trabalho, progresso, resultado)
    except ErroTrabalho as erro:
        logger.warning("trabalho %s (%s) recusado: %s", trabalho.pk, trabalho.tipo, erro)
        _falhar(trabalho.pk, str(erro))
        return str(erro)
    except BaseException as erro:
        logger.exception("trabalho %s (%s) falhou", trabalho.pk, trabalho.tipo)
        _falhar(trabalho.pk, f"Erro inesperado ({type(erro).__name__}): {erro}")
        raise
    finally:
        caches["compartilhado"].delete(_chave(trabalho.pk))
    return trabalho.resumo


def _concluir(trabalho: Trabalho, progresso: Progresso, resultado: Resultado):
    if resultado.arquivo is not None:
        nome = resultado.arquivo_nome or f"trabalho_{trabalho.pk}"
        conteudo = (
            ContentFile(resultado.arquivo)
            if isinstance(resultado.arquivo, bytes)
            else File(resultado.arquivo, name=nome)
        )
        try:
            trabalho.arquivo.save(f"{trabalho.pk}_{nome}", conteudo, save=False)
        finally:
            conteudo.close()
        trabalho.arquivo_nome = nome
    agora = timezone.now()
    trabalho.status = Status.CONCLUIDO
    trabalho.progresso = 100
    trabalho.linhas_feitas = progresso.feitos
    trabalho.linhas_total = max(progresso.total, progresso.feitos)
    trabalho.etapa = "Concluído"
    trabalho.resumo = resultado.resumo
    trabalho.link = resultado.link[:300]
    trabalho.finalizado_em = trabalho.atualizado_em = agora
    trabalho.save()


def _falhar(trabalho_id: int, mensagem: str):
    agora = timezone.now()
    Trabalho.objects.filter(pk=trabalho_id, status__in=Trabalho.EM_ANDAMENTO).update(
        status=Status.FALHOU, erro=mensagem, finalizado_em=agora, atualizado_em=agora
    )


# ---------------------------------------------------------------- what the pages show


def situacao(trabalho: Trabalho) -> dict:
    """The job as its page and the JSON endpoint show it (live progress while it runs)."""
    feitos, total, etapa, percentual = (
        trabalho.linhas_feitas,
        trabalho.linhas_total,
        trabalho.etapa,
        trabalho.progresso,
    )
    if trabalho.em_andamento:
        vivo = progresso_ao_vivo(trabalho.pk)
        if vivo:
            feitos, total, etapa, percentual = vivo["feitos"], vivo["total"], vivo["etapa"], vivo["percentual"]
    return {
        "id": trabalho.pk,
        "status": trabalho.status,
        "status_texto": trabalho.get_status_display(),
        "em_andamento": trabalho.em_andamento,
        "progresso": percentual,
        "linhas_feitas": feitos,
        "linhas_total": total,
        "unidade": _unidade(trabalho),
        "etapa": etapa or trabalho.get_status_display(),
        "resumo": trabalho.resumo,
        "erro": trabalho.erro,
        "tem_arquivo": bool(trabalho.arquivo),
        "arquivo_nome": trabalho.arquivo_nome,
        "link": trabalho.link,
        "finalizado_em": formatar_momento(trabalho.finalizado_em) if trabalho.finalizado_em else "",
    }


def _unidade(trabalho: Trabalho) -> str:
    registrado = tipo(trabalho.tipo)
    return registrado.unidade if registrado else "linha(s)"


# ---------------------------------------------------------------- cleanup


def _ultimo_sinal(trabalho: Trabalho) -> datetime:
    momento = trabalho.atualizado_em or trabalho.criado_em
    vivo = progresso_ao_vivo(trabalho.pk)
    if vivo and vivo.get("em"):
        momento = max(momento, datetime.fromisoformat(vivo["em"]))
    return momento


def liberar_parados(consulta=None, minutos: int | None = None) -> int:
    """Fail the jobs (of `consulta`) waiting or running without any progress for `minutos`
    (TRABALHOS_SEM_PROGRESSO_MINUTOS): their worker was killed or the queue lost them, and
    they must not hold the one-per-user-and-kind place forever. Returns how many."""
    minutos = minutos or settings.TRABALHOS_SEM_PROGRESSO_MINUTOS
    limite = timezone.now() - timedelta(minutes=minutos)
    candidatos = (consulta if consulta is not None else Trabalho.objects.all()).filter(
        status__in=Trabalho.EM_ANDAMENTO, atualizado_em__lt=limite
    )
    liberados = 0
    for trabalho in candidatos:
        if _ultimo_sinal(trabalho) >= limite:
            continue  # progress only in the cache: the work holds a transaction and is alive
        liberados += Trabalho.objects.filter(
            pk=trabalho.pk, status=trabalho.status, atualizado_em=trabalho.atualizado_em
        ).update(
            status=Status.FALHOU,
            erro=(
                f"Sem nenhum progresso há mais de {minutos} minutos: o processo que executava este trabalho parou "
                "(reinício ou queda do servidor). Nada mais será feito por ele; peça de novo se precisar."
            ),
            finalizado_em=timezone.now(),
        )
        logger.error("trabalho %s (%s) sem progresso desde %s: marcado como falho", trabalho.pk, trabalho.tipo, limite)
    return liberados


def limpar(dias: int | None = None) -> dict:
    """Delete the files of jobs finished more than `dias` (TRABALHOS_DIAS_ARQUIVOS) days ago
    (the rows stay, marked expired) and fail the stalled ones."""
    dias = settings.TRABALHOS_DIAS_ARQUIVOS if dias is None else dias
    limite = timezone.now() - timedelta(days=dias)
    antigos = Trabalho.objects.filter(finalizado_em__lt=limite).exclude(arquivo="")
    apagados = 0
    for trabalho in antigos.only("pk", "arquivo"):
        trabalho.arquivo.storage.delete(trabalho.arquivo.name)
        Trabalho.objects.filter(pk=trabalho.pk).update(arquivo="", arquivo_expirado=True)
        apagados += 1
    parados = liberar_parados()
    if apagados or parados:
        logger.info("limpeza dos trabalhos: %s arquivo(s) apagado(s), %s trabalho(s) parado(s)", apagados, parados)
    return {"arquivos": apagados, "parados": parados}
