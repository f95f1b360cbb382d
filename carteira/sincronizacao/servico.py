"""The carteira sync with memória (seed 004): lock, read, plan, confirm if needed, apply, replace.

1. Lock (trava.py) BEFORE reading the source, and record the run EM_ANDAMENTO; the snapshot
   time is when the read begins, on the database's clock.
2. The new carteira comes from a source (Odoo, a spreadsheet), read and validated.
3. In one transaction (retried whole if it is a deadlock victim):
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
"""

from collections.abc import Callable

from django.utils import timezone

from carteira.models import CarteiraPrincipal, SincronizacaoCarteira
from carteira.sincronizacao import hierarquia, trava
from carteira.sincronizacao.cliente_odoo import ClienteOdoo, ErroOdoo
from carteira.sincronizacao.configuracao import ErroConfiguracao
from carteira.sincronizacao.logs import registrar_execucao
from carteira.sincronizacao.planilha import ErroPlanilha, ler_planilha
from carteira.sincronizacao.plano import Mudanca, Plano, Tipo, planejar
from carteira.sincronizacao.registros import ErroSincronizacao, normalizar
from estoque.services.transacao import executar

Origem = SincronizacaoCarteira.Origem
Status = SincronizacaoCarteira.Status
Gatilho = SincronizacaoCarteira.Gatilho


# ---------------------------------------------------------------- apply


def _gravar_carteira(mudancas: list[Mudanca]):
    # REMOVIDA always has its linha and NOVA its registro (comparar): the `is not None`
    # tests below filter nothing, they narrow the types.
    removidas = [m.linha.pk for m in mudancas if m.tipo == Tipo.REMOVIDA and m.linha is not None]
    if removidas:
        CarteiraPrincipal.objects.filter(pk__in=removidas).delete()
    # (linha, registro, campos) of the changes with both sides.
    alteradas = [(m.linha, m.registro, m.campos) for m in mudancas if m.linha is not None and m.registro is not None]
    trocam_id = [linha.pk for linha, _, diferentes in alteradas if "odoo_line_id" in diferentes]
    if trocam_id:
        # Free the unique Odoo line ids first: two lines may swap them in one sync.
        CarteiraPrincipal.objects.filter(pk__in=trocam_id).update(odoo_line_id=None)
    if alteradas:
        agora = timezone.now()
        campos = sorted({campo for _, _, diferentes in alteradas for campo in diferentes})
        for linha, registro, _ in alteradas:
            for campo in campos:
                if campo in registro and not (campo == "odoo_line_id" and registro[campo] is None):
                    setattr(linha, campo, registro[campo])
            linha.atualizado_em = agora
        CarteiraPrincipal.objects.bulk_update(
            [linha for linha, _, _ in alteradas], campos + ["atualizado_em"], batch_size=500
        )
    novas = [
        CarteiraPrincipal(**m.registro, origem=CarteiraPrincipal.Origem.ODOO, ativo=True)
        for m in mudancas
        if m.tipo == Tipo.NOVA and m.registro is not None
    ]
    if novas:
        CarteiraPrincipal.objects.bulk_create(novas, batch_size=500)


def _local(momento) -> str:
    return f"{timezone.localtime(momento):%d/%m/%Y %H:%M:%S}"


def _recusar_instantaneo_velho(execucao: SincronizacaoCarteira, instantaneo):
    ultima = (
        SincronizacaoCarteira.objects.filter(status=Status.SUCESSO, instantaneo_em__isnull=False)
        .exclude(pk=execucao.pk)
        .order_by("-instantaneo_em")
        .first()
    )
    if ultima is not None and instantaneo < ultima.instantaneo_em:
        raise ErroSincronizacao(
            f"Instantâneo da carteira lido em {_local(instantaneo)} é mais antigo que o da última sincronização "
            f"aplicada (nº {ultima.pk}, lido em {_local(ultima.instantaneo_em)}): sincronização recusada para não "
            "desfazer dados mais novos; nada foi gravado. Rode de novo para ler a carteira atual."
        )


def _conferir_confirmacao(confirmacao: SincronizacaoCarteira, origem: str) -> SincronizacaoCarteira:
    alvo = SincronizacaoCarteira.objects.select_for_update().get(pk=confirmacao.pk)
    if alvo.origem != origem:
        raise ErroSincronizacao(
            f"A execução nº {alvo.pk} veio de {alvo.get_origem_display()}: confirme-a com uma sincronização da "
            "mesma origem."
        )
    if alvo.status == Status.AGUARDANDO_CONFIRMACAO:
        return alvo
    if alvo.status == Status.CONFIRMADA:
        aplicou = alvo.confirmacoes.filter(status=Status.SUCESSO).first()
        raise ErroSincronizacao(
            f"A execução nº {alvo.pk} já foi confirmada e aplicada"
            f"{f' (execução nº {aplicou.pk})' if aplicou else ''}; nada foi feito."
        )
    if alvo.status == Status.SUPERADA:
        raise ErroSincronizacao(
            f"A execução nº {alvo.pk} foi superada por uma sincronização aplicada depois dela: o plano que ela mostrava "
            "não vale mais. Rode a sincronização de novo para ver o plano atual."
        )
    raise ErroSincronizacao(
        f"A execução nº {alvo.pk} não está aguardando confirmação (status {alvo.get_status_display()})."
    )


def _encerrar(execucao: SincronizacaoCarteira, status: str, plano: Plano, instantaneo, extra: dict | None = None):
    execucao.status = status
    execucao.finalizado_em = timezone.now()
    execucao.instantaneo_em = instantaneo
    execucao.relatorio = plano.relatorio()
    execucao.plano = {**plano.resumo(), **(extra or {})}
    for campo, valor in plano.contagens().items():
        setattr(execucao, campo, valor)
    execucao.save()


def _aplicar(execucao, novos, avisos, recebidas, instantaneo, confirmacao):
    """Runs inside the sync transaction, holding the sync lock."""
    trava.conferir(execucao)
    _recusar_instantaneo_velho(execucao, instantaneo)
    if confirmacao is not None:
        confirmacao = _conferir_confirmacao(confirmacao, execucao.origem)
    plano = planejar(novos, list(avisos), recebidas, travar=True)
    motivos = plano.motivos()
    if motivos:
        if confirmacao is None:
            _encerrar(execucao, Status.AGUARDANDO_CONFIRMACAO, plano, instantaneo)
            return
        novidades = plano.alem_de(confirmacao.plano)
        if novidades:
            # The plan got worse than what the user confirmed: it waits again, showing what is new.
            plano.avisos.append(f"Plano maior que o confirmado na execução nº {confirmacao.pk}:")
            plano.avisos.extend(f"  {novidade}" for novidade in novidades)
            _encerrar(execucao, Status.AGUARDANDO_CONFIRMACAO, plano, instantaneo, {"alem_do_confirmado": novidades})
            return
    hierarquia.aplicar(plano.acoes, execucao)
    _gravar_carteira(plano.mudancas)
    _encerrar(execucao, Status.SUCESSO, plano, instantaneo)
    if confirmacao is not None:
        SincronizacaoCarteira.objects.filter(pk=confirmacao.pk).update(status=Status.CONFIRMADA)
    # Plans still waiting were made on a carteira that no longer is: they cannot be confirmed.
    SincronizacaoCarteira.objects.filter(status=Status.AGUARDANDO_CONFIRMACAO).exclude(pk=execucao.pk).update(
        status=Status.SUPERADA
    )


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


def _simular(fonte, campos: dict) -> SincronizacaoCarteira:
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
    _encerrar(execucao, Status.SIMULACAO, plano, instantaneo)
    return execucao


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
    espera: float | None = None,
) -> SincronizacaoCarteira:
    """Read the source, plan, apply (unless simular or it must wait for confirmation) and log the run.

    `fonte` returns CarteiraPrincipal-shaped dicts (the Odoo client, the spreadsheet reader);
    it is called holding the sync lock. `confirmacao`: the run AGUARDANDO_CONFIRMACAO whose
    plan the user confirmed. `espera`: seconds to wait for another run's lock (None: until free).
    Returns the run (SUCESSO, AGUARDANDO_CONFIRMACAO or SIMULACAO). On any failure nothing
    is written but the FALHA run, and ErroSincronizacao is raised.
    """
    campos = {
        "origem": origem,
        "gatilho": gatilho,
        "usuario": usuario or "",
        "arquivo": (arquivo or "")[:255],
        "confirmacao_de": confirmacao,
    }
    if simular:
        return _simular(fonte, campos)
    try:
        execucao = trava.abrir(campos, espera)
    except ErroSincronizacao as erro:
        raise _falhou(campos, erro) from erro
    instantaneo = None
    try:
        instantaneo = trava.instante()
        registros = fonte()
        novos, avisos = normalizar(registros)
        executar(_aplicar, execucao, novos, avisos, len(registros), instantaneo, confirmacao)
    except Exception as erro:
        raise _falhou(campos, erro, execucao, instantaneo) from erro
    finally:
        trava.fechar()
    return execucao


def sincronizar_odoo(
    *,
    gatilho: str,
    simular: bool = False,
    usuario: str = "",
    confirmacao: SincronizacaoCarteira | None = None,
    cliente=None,
    espera: float | None = None,
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
    )


def sincronizar_planilha(
    arquivo,
    *,
    nome: str = "",
    gatilho: str,
    simular: bool = False,
    usuario: str = "",
    confirmacao: SincronizacaoCarteira | None = None,
    espera: float | None = None,
) -> SincronizacaoCarteira:
    """`arquivo`: a path or a binary file object (xlsx or csv; `nome` tells which)."""
    nome = nome or str(getattr(arquivo, "name", arquivo))
    return sincronizar(
        lambda: ler_planilha(arquivo, nome=nome),
        origem=Origem.PLANILHA,
        gatilho=gatilho,
        simular=simular,
        usuario=usuario,
        arquivo=nome,
        confirmacao=confirmacao,
        espera=espera,
    )


# ---------------------------------------------------------------- confirmation


def aguardando(origem: str | None = None) -> SincronizacaoCarteira | None:
    """The latest run waiting for confirmation (of `origem`, if given)."""
    execucoes = SincronizacaoCarteira.objects.filter(status=Status.AGUARDANDO_CONFIRMACAO)
    if origem:
        execucoes = execucoes.filter(origem=origem)
    return execucoes.order_by("-iniciado_em", "-pk").first()


def confirmar(
    execucao: SincronizacaoCarteira,
    *,
    gatilho: str,
    usuario: str = "",
    arquivo=None,
    nome: str = "",
    espera: float | None = None,
) -> SincronizacaoCarteira:
    """Confirm a run AGUARDANDO_CONFIRMACAO: read the source again and apply the fresh plan if it
    stays within the confirmed one (else the new run waits, saying what is new).

    A spreadsheet run is confirmed with the spreadsheet sent again (`arquivo`, `nome`).
    """
    if gatilho == Gatilho.AGENDAMENTO:
        raise ErroSincronizacao(
            "A sincronização agendada nunca confirma um plano: confirme pelo comando ou pelo admin."
        )
    if execucao.origem == Origem.PLANILHA:
        if arquivo is None:
            raise ErroSincronizacao(
                f"A execução nº {execucao.pk} veio de uma planilha: envie a planilha de novo para confirmar."
            )
        return sincronizar_planilha(
            arquivo, nome=nome, gatilho=gatilho, usuario=usuario, confirmacao=execucao, espera=espera
        )
    return sincronizar_odoo(gatilho=gatilho, usuario=usuario, confirmacao=execucao, espera=espera)


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
        return f"Simulação nº {execucao.pk}, nada foi gravado: {contagem}."
    return f"Carteira sincronizada (nº {execucao.pk}): {contagem}."
