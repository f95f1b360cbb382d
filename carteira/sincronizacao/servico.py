"""The carteira sync with memória (seed 004): lock, read, plan, confirm if needed, apply, replace.

1. Lock (trava.py) BEFORE reading the source, and record the run EM_ANDAMENTO; the snapshot
   time is when the read begins, on the database's clock.
2. The new carteira comes from a source (Odoo, a spreadsheet), read and validated.
3. In one transaction (aplicacao.py; retried whole if it is a deadlock victim):
   - a snapshot older than the last applied one is refused (it would undo newer data);
   - memória, diff and the actions on the allocations (plano.py, hierarquia.py);
   - a plan that removes too much or touches separações COTADO/EMBARCADO (Plano.motivos)
     stops here, writes nothing and waits: AGUARDANDO_CONFIRMACAO with its plan. A
     confirmation is a new run that reads the source again and applies the fresh plan only if
     it stays within the confirmed one (Plano.alem_de); otherwise it waits again;
   - reductions are applied to the allocations (cancelled at zero, never deleted, each one
     naming this run), then the carteira lines are deleted, updated and created;
   - the run ends SUCESSO in the same transaction, so "the last applied snapshot" and the
     data it wrote commit together.
4. On any failure nothing is written but the run, closed as FALHA after the rollback.
Pré-separações and separações are written through the ORM, so the derivation engine keeps
EstoqueTempoReal/MovimentacaoPrevista right at the commit. A dry-run (simular) reads and
plans without the lock and records a SIMULACAO run.

A spreadsheet run that ends SIMULACAO or AGUARDANDO_CONFIRMACAO keeps the file's bytes
(conteudo_planilha). Applying the simulation (`aplicar_simulacao`) or confirming the waiting run
(`confirmar`) reads those bytes again, never a new upload, and plans afresh: a simulation is
applied only if the fresh plan stays within the simulated one (Plano.alem_de, simulado=True),
else it is refused ("a carteira mudou desde a simulação") and nothing is written. Either is
applied once: it becomes CONFIRMADA; one still open when another run applies becomes SUPERADA.
"""

import io
from collections.abc import Callable
from pathlib import Path

from django.utils import timezone

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao import aplicacao, trava
from carteira.sincronizacao.cliente_odoo import ClienteOdoo, ErroOdoo
from carteira.sincronizacao.configuracao import ErroConfiguracao
from carteira.sincronizacao.logs import registrar_execucao
from carteira.sincronizacao.planilha import ErroPlanilha, ler_planilha
from carteira.sincronizacao.plano import Plano, planejar
from carteira.sincronizacao.registros import ErroSincronizacao, normalizar
from core import autoria
from core.limites import max_bytes_upload
from estoque.services.transacao import executar

Origem = SincronizacaoCarteira.Origem
Status = SincronizacaoCarteira.Status
Gatilho = SincronizacaoCarteira.Gatilho
Progresso = Callable[[str, int, int], None]  # (stage, done, total)
ETAPAS = 3  # lock and read, compare and apply, done


def _sem_progresso(etapa: str, feitos: int, total: int):
    pass


# ---------------------------------------------------------------- entry points


def _mensagem(erro: Exception) -> str:
    if isinstance(erro, (ErroSincronizacao, ErroOdoo, ErroPlanilha, ErroConfiguracao)):
        return str(erro)
    return f"Erro inesperado na sincronização da carteira ({type(erro).__name__}): {erro}"


def _falhou(campos: dict, erro: Exception, execucao=None, instantaneo=None) -> ErroSincronizacao:
    """Record the failure (the run's row after the rollback, or a new row) and the error to raise."""
    mensagem = _mensagem(erro)
    zerados = dict.fromkeys(Plano([], [], [], 0, 0).contagens(), 0)
    if execucao is None:
        agora = timezone.now()
        execucao = SincronizacaoCarteira.objects.create(
            **campos, iniciado_em=agora, finalizado_em=agora, status=Status.FALHA, erro=mensagem
        )
    else:
        SincronizacaoCarteira.objects.filter(pk=execucao.pk).update(
            status=Status.FALHA,
            finalizado_em=timezone.now(),
            instantaneo_em=instantaneo,
            erro=mensagem,
            relatorio="",
            plano={},
            **zerados,
        )
        execucao.refresh_from_db()
    return ErroSincronizacao(mensagem, execucao=execucao)


def _simular(fonte, campos: dict, conteudo: bytes | None) -> SincronizacaoCarteira:
    inicio = timezone.now()
    instantaneo = None
    try:
        instantaneo = trava.instante()
        registros = fonte()
        novos, avisos = normalizar(registros)
        plano = planejar(novos, avisos, len(registros), travar=False)
    except Exception as erro:
        raise _falhou(campos, erro) from erro
    execucao = SincronizacaoCarteira(**campos, iniciado_em=inicio)
    aplicacao.encerrar(execucao, Status.SIMULACAO, plano, instantaneo, conteudo=conteudo)
    return execucao


def _como_sincronizacao(execucao: SincronizacaoCarteira, usuario: str):
    """What a run writes (order lines, cancelled allocations) is "sincronização Odoo nº n" (or "por
    planilha"), with the user who started or confirmed it, if any (core.autoria)."""
    de = "Odoo" if execucao.origem == SincronizacaoCarteira.Origem.ODOO else "por planilha"
    return autoria.atuando(autoria.Origem.SINCRONIZACAO, rotulo=f"sincronização {de} nº {execucao.pk}", usuario=usuario)


@registrar_execucao  # start, end (counts, duration) and failure in the log
def sincronizar(
    fonte: Callable[[], list[dict]],
    *,
    origem: str,
    gatilho: str,
    simular: bool = False,
    usuario: str = "",
    arquivo: str = "",
    confirmacao: SincronizacaoCarteira | None = None,
    simulacao: SincronizacaoCarteira | None = None,
    conteudo: bytes | None = None,
    espera: float | None = None,
    progresso: Progresso | None = None,
) -> SincronizacaoCarteira:
    """Read the source, plan, apply (unless simular or it must wait for confirmation) and log the run.

    `fonte` returns CarteiraPrincipal-shaped dicts (the Odoo client, the spreadsheet reader);
    it is called holding the sync lock. `confirmacao`: the run AGUARDANDO_CONFIRMACAO whose
    plan the user confirmed. `simulacao`: the SIMULACAO run whose plan is applied (refused if
    the fresh plan goes beyond it). `conteudo`: the spreadsheet's bytes, kept with a run that
    ends SIMULACAO or AGUARDANDO_CONFIRMACAO. `espera`: seconds to wait for another run's lock
    (None: until free). `progresso(etapa, feitos, total)`: the stages, for a terminal or a
    background job. Returns the run (SUCESSO, AGUARDANDO_CONFIRMACAO or SIMULACAO). On any
    failure nothing is written but the FALHA run, and ErroSincronizacao is raised.
    """
    arquivo = arquivo or ""
    campos = {
        "origem": origem,
        "gatilho": gatilho,
        "usuario": usuario or "",
        # A long path keeps its end: the extension tells how to read the kept file again.
        "arquivo": arquivo if len(arquivo) <= 255 else "…" + arquivo[-254:],
        "confirmacao_de": confirmacao or simulacao,
    }
    if simular:
        return _simular(fonte, campos, conteudo)
    try:
        execucao = trava.abrir(campos, espera)
    except ErroSincronizacao as erro:
        raise _falhou(campos, erro) from erro
    instantaneo = None
    avisar = progresso or _sem_progresso
    try:
        instantaneo = trava.instante()
        avisar(f"Lendo a carteira ({Origem(origem).label})", 0, ETAPAS)
        registros = fonte()
        avisar(f"Comparando e aplicando {len(registros)} linha(s) recebida(s)", 1, ETAPAS)
        novos, avisos = normalizar(registros)
        with _como_sincronizacao(execucao, usuario):
            executar(
                aplicacao.aplicar,
                execucao,
                novos,
                avisos,
                len(registros),
                instantaneo,
                confirmacao,
                simulacao,
                conteudo,
            )
    except Exception as erro:
        raise _falhou(campos, erro, execucao, instantaneo) from erro
    finally:
        trava.fechar()
    avisar("Sincronização concluída", ETAPAS, ETAPAS)
    return execucao


def sincronizar_odoo(
    *,
    gatilho: str,
    simular: bool = False,
    usuario: str = "",
    confirmacao: SincronizacaoCarteira | None = None,
    cliente=None,
    espera: float | None = None,
    progresso: Progresso | None = None,
) -> SincronizacaoCarteira:
    def fonte():
        return (cliente or ClienteOdoo()).buscar_carteira()

    return sincronizar(
        fonte,
        origem=Origem.ODOO,
        gatilho=gatilho,
        simular=simular,
        usuario=usuario,
        confirmacao=confirmacao,
        espera=espera,
        progresso=progresso,
    )


def _bytes(arquivo) -> bytes | None:
    """The spreadsheet's bytes, to read and keep with the run; None when it is over the upload
    limit or cannot be read (ler_planilha, given the file itself, then says why)."""
    limite = max_bytes_upload()
    try:
        if isinstance(arquivo, (str, Path)):
            return Path(arquivo).read_bytes() if Path(arquivo).stat().st_size <= limite else None
        if (getattr(arquivo, "size", None) or 0) > limite:
            return None
        inicio = arquivo.tell() if getattr(arquivo, "seekable", lambda: False)() else None
        conteudo = arquivo.read(limite + 1)
        if len(conteudo) <= limite:
            return conteudo
        if inicio is not None:
            arquivo.seek(inicio)
            return None
        return conteudo  # read past the limit and cannot rewind: ler_planilha refuses these bytes
    except OSError:
        return None


def sincronizar_planilha(
    arquivo,
    *,
    nome: str = "",
    gatilho: str,
    simular: bool = False,
    usuario: str = "",
    confirmacao: SincronizacaoCarteira | None = None,
    simulacao: SincronizacaoCarteira | None = None,
    espera: float | None = None,
    progresso: Progresso | None = None,
) -> SincronizacaoCarteira:
    """`arquivo`: a path or a binary file object (xlsx or csv; `nome` tells which).

    The file's bytes are read once and kept with a run that ends SIMULACAO or
    AGUARDANDO_CONFIRMACAO, so it can be applied or confirmed without sending the file again.
    """
    nome = nome or str(getattr(arquivo, "name", arquivo))
    conteudo = _bytes(arquivo)
    fonte = arquivo if conteudo is None else io.BytesIO(conteudo)
    guardar = conteudo if conteudo is not None and len(conteudo) <= max_bytes_upload() else None
    return sincronizar(
        lambda: ler_planilha(fonte, nome=nome),
        origem=Origem.PLANILHA,
        gatilho=gatilho,
        simular=simular,
        usuario=usuario,
        arquivo=nome,
        confirmacao=confirmacao,
        simulacao=simulacao,
        conteudo=guardar,
        espera=espera,
        progresso=progresso,
    )


def _planilha_guardada(execucao: SincronizacaoCarteira) -> io.BytesIO:
    if execucao.conteudo_planilha is None:
        raise ErroSincronizacao(
            f"A execução nº {execucao.pk} veio de uma planilha que não foi guardada com ela (feita antes desta "
            "versão): importe a planilha de novo."
        )
    return io.BytesIO(bytes(execucao.conteudo_planilha))


def _sem_agendamento(gatilho: str):
    if gatilho == Gatilho.AGENDAMENTO:
        raise ErroSincronizacao(
            "A sincronização agendada nunca confirma um plano: confirme pelo comando ou pelo admin."
        )


# ---------------------------------------------------------------- confirmation


def aguardando(origem: str | None = None) -> SincronizacaoCarteira | None:
    """The latest run waiting for confirmation (of `origem`, if given)."""
    execucoes = SincronizacaoCarteira.objects.filter(status=Status.AGUARDANDO_CONFIRMACAO)
    if origem:
        execucoes = execucoes.filter(origem=origem)
    return execucoes.order_by("-iniciado_em", "-pk").first()


def aplicavel(execucao: SincronizacaoCarteira) -> bool:
    """A spreadsheet simulation that `aplicar_simulacao` may still apply (as far as this row says)."""
    try:
        aplicacao.exigir_simulacao(execucao)
    except ErroSincronizacao:
        return False
    return True


def aplicar_simulacao(
    simulacao: SincronizacaoCarteira,
    *,
    gatilho: str,
    usuario: str = "",
    confirmar: bool = False,
    espera: float | None = None,
) -> SincronizacaoCarteira:
    """Apply a spreadsheet simulation: its kept file is read again and planned afresh under the lock.

    A simulated plan that needs confirmation (Plano.motivos: removes too much, touches COTADO/
    EMBARCADO) is applied only with `confirmar` (the user ticked that they confirm those reasons).
    Applied only if the fresh plan stays within the simulated one (Plano.alem_de, simulado=True);
    if the carteira changed so that it would do more, ErroSincronizacao ("a carteira mudou desde a
    simulação: ...") and nothing is written. The simulation becomes CONFIRMADA; a second apply, or
    one of a simulation superseded by another applied run, is refused. Returns the SUCESSO run.
    """
    _sem_agendamento(gatilho)
    aplicacao.exigir_simulacao(simulacao)  # checked again, locked, inside the transaction
    motivos = (simulacao.plano or {}).get("motivos", [])
    if motivos and not confirmar:
        raise ErroSincronizacao(
            f"O plano da simulação nº {simulacao.pk} exige confirmação ({'; '.join(motivos)}): confirme esses "
            "motivos para aplicá-lo. Nada foi feito."
        )
    return sincronizar_planilha(
        _planilha_guardada(simulacao),
        nome=simulacao.arquivo,
        gatilho=gatilho,
        usuario=usuario,
        simulacao=simulacao,
        espera=espera,
    )


def confirmar(
    execucao: SincronizacaoCarteira,
    *,
    gatilho: str,
    usuario: str = "",
    espera: float | None = None,
    progresso: Progresso | None = None,
) -> SincronizacaoCarteira:
    """Confirm a run AGUARDANDO_CONFIRMACAO: read the source again and apply the fresh plan if it
    stays within the confirmed one (else the new run waits, saying what is new).

    A spreadsheet run is read again from the file kept with it (never a new upload).
    """
    _sem_agendamento(gatilho)
    if execucao.origem == Origem.PLANILHA:
        return sincronizar_planilha(
            _planilha_guardada(execucao),
            nome=execucao.arquivo,
            gatilho=gatilho,
            usuario=usuario,
            confirmacao=execucao,
            espera=espera,
            progresso=progresso,
        )
    return sincronizar_odoo(gatilho=gatilho, usuario=usuario, confirmacao=execucao, espera=espera, progresso=progresso)


def destrutivo(execucao: SincronizacaoCarteira) -> list[str]:
    """What a run removes, reduces or cancels (or would), with the counts; empty: nothing destructive.

    The admin shows a run with any of these as a warning, never as a plain success.
    """
    partes = []
    if execucao.linhas_removidas:
        partes.append(f"{execucao.linhas_removidas} linha(s) removida(s) da carteira")
    if execucao.pre_separacoes_reduzidas or execucao.pre_separacoes_canceladas:
        partes.append(
            f"{execucao.pre_separacoes_reduzidas} pré-separação(ões) reduzida(s) e "
            f"{execucao.pre_separacoes_canceladas} cancelada(s)"
        )
    if execucao.separacoes_reduzidas or execucao.separacoes_canceladas:
        partes.append(
            f"{execucao.separacoes_reduzidas} separação(ões) reduzida(s) e {execucao.separacoes_canceladas} "
            "cancelada(s)"
        )
    if execucao.alertas:
        partes.append(f"{execucao.alertas} alerta(s) de separação COTADO")
    embarcadas = [s for s in (execucao.plano or {}).get("separacoes", []) if s.get("status") == "EMBARCADO"]
    if embarcadas:
        partes.append(f"{len(embarcadas)} separação(ões) EMBARCADO acima do novo saldo")
    return partes


def resumo(execucao: SincronizacaoCarteira) -> str:
    """One line saying what a run did (or would do), for messages, the command and the task."""
    contagem = (
        f"{execucao.linhas_novas} novas, {execucao.linhas_removidas} removidas, {execucao.linhas_reduzidas} "
        f"reduzidas, {execucao.linhas_aumentadas} aumentadas, {execucao.linhas_alteradas} alteradas; "
        f"{execucao.pre_separacoes_reduzidas} pré-separações reduzidas e {execucao.pre_separacoes_canceladas} "
        f"canceladas; {execucao.separacoes_reduzidas} separações reduzidas e {execucao.separacoes_canceladas} "
        f"canceladas; {execucao.alertas} alerta(s)"
    )
    if execucao.status == Status.AGUARDANDO_CONFIRMACAO:
        motivos = "; ".join(execucao.plano.get("motivos", []))
        novidades = execucao.plano.get("alem_do_confirmado")
        extra = f" O plano ficou maior que o confirmado: {'; '.join(novidades)}." if novidades else ""
        return (
            f"Sincronização nº {execucao.pk} parada antes de gravar, aguardando confirmação: {motivos}.{extra} "
            f"Faria: {contagem}."
        )
    if execucao.status == Status.SIMULACAO:
        perdas = destrutivo(execucao)
        if perdas:
            return (
                f"Simulação nº {execucao.pk}, nada foi gravado. Atenção: aplicado, este plano faria {'; '.join(perdas)}. "
                f"Faria: {contagem}."
            )
        return f"Simulação nº {execucao.pk}, nada foi gravado; nada destrutivo: {contagem}."
    return f"Carteira sincronizada (nº {execucao.pk}): {contagem}."
