"""Step 3 of the sync (servico.py): the one transaction that plans under the lock and then
applies, waits for confirmation, or refuses a simulation whose plan grew; and how a run ends.

Everything here runs inside the sync transaction, holding the sync lock (trava.py); servico.py
opens and closes both and records a failure.
"""

from django.utils import timezone

from carteira.models import CarteiraPrincipal, SincronizacaoCarteira
from carteira.sincronizacao import hierarquia, trava
from carteira.sincronizacao.plano import Mudanca, Plano, Tipo, planejar
from carteira.sincronizacao.registros import ErroSincronizacao

Origem = SincronizacaoCarteira.Origem
Status = SincronizacaoCarteira.Status
GUARDAM_PLANILHA = (Status.SIMULACAO, Status.AGUARDANDO_CONFIRMACAO)  # runs that may still be applied


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


def exigir_simulacao(alvo: SincronizacaoCarteira):
    """A simulation that may be applied: a spreadsheet's, with its file, not applied nor superseded."""
    if alvo.status == Status.CONFIRMADA:
        aplicou = alvo.confirmacoes.filter(status=Status.SUCESSO).first()
        raise ErroSincronizacao(
            f"A simulação nº {alvo.pk} já foi aplicada{f' (execução nº {aplicou.pk})' if aplicou else ''}: um plano "
            "se aplica uma vez só; nada foi feito."
        )
    if alvo.status == Status.SUPERADA:
        raise ErroSincronizacao(
            f"A simulação nº {alvo.pk} foi superada por uma sincronização aplicada depois dela: a carteira mudou desde "
            "a simulação; simule de novo. Nada foi gravado."
        )
    if alvo.status != Status.SIMULACAO:
        raise ErroSincronizacao(
            f"A execução nº {alvo.pk} não é uma simulação (status {alvo.get_status_display()}): nada foi feito."
        )
    if alvo.origem != Origem.PLANILHA:
        raise ErroSincronizacao(
            f"A simulação nº {alvo.pk} veio do {alvo.get_origem_display()}: só a simulação de uma planilha é aplicada "
            "depois; rode a sincronização."
        )
    if alvo.conteudo_planilha is None:
        raise ErroSincronizacao(
            f"A simulação nº {alvo.pk} não guardou a planilha (feita antes desta versão): importe-a de novo."
        )


def encerrar(
    execucao: SincronizacaoCarteira,
    status: str,
    plano: Plano,
    instantaneo,
    extra: dict | None = None,
    conteudo: bytes | None = None,
):
    execucao.status = status
    execucao.conteudo_planilha = conteudo if status in GUARDAM_PLANILHA else None
    execucao.finalizado_em = timezone.now()
    execucao.instantaneo_em = instantaneo
    execucao.relatorio = plano.relatorio()
    execucao.plano = {**plano.resumo(), **(extra or {})}
    for campo, valor in plano.contagens().items():
        setattr(execucao, campo, valor)
    execucao.save()


def aplicar(execucao, novos, avisos, recebidas, instantaneo, confirmacao, simulacao, conteudo):
    """Runs inside the sync transaction, holding the sync lock."""
    trava.conferir(execucao)
    _recusar_instantaneo_velho(execucao, instantaneo)
    if confirmacao is not None:
        confirmacao = _conferir_confirmacao(confirmacao, execucao.origem)
    if simulacao is not None:
        simulacao = SincronizacaoCarteira.objects.select_for_update().get(pk=simulacao.pk)
        exigir_simulacao(simulacao)
    plano = planejar(novos, list(avisos), recebidas, travar=True)
    if simulacao is not None:
        novidades = plano.alem_de(simulacao.plano, simulado=True)
        if novidades:
            raise ErroSincronizacao(
                f"A carteira mudou desde a simulação nº {simulacao.pk}: {'; '.join(novidades)}. Simule de novo; "
                "nada foi gravado."
            )
    elif plano.motivos():
        if confirmacao is None:
            encerrar(execucao, Status.AGUARDANDO_CONFIRMACAO, plano, instantaneo, conteudo=conteudo)
            return
        novidades = plano.alem_de(confirmacao.plano)
        if novidades:
            # The plan got worse than what the user confirmed: it waits again, showing what is new.
            plano.avisos.append(f"Plano maior que o confirmado na execução nº {confirmacao.pk}:")
            plano.avisos.extend(f"  {novidade}" for novidade in novidades)
            extra = {"alem_do_confirmado": novidades}
            encerrar(execucao, Status.AGUARDANDO_CONFIRMACAO, plano, instantaneo, extra, conteudo=conteudo)
            return
    hierarquia.aplicar(plano.acoes, execucao)
    _gravar_carteira(plano.mudancas)
    encerrar(execucao, Status.SUCESSO, plano, instantaneo)
    aplicada = confirmacao or simulacao
    if aplicada is not None:
        SincronizacaoCarteira.objects.filter(pk=aplicada.pk).update(status=Status.CONFIRMADA)
    # Plans still waiting, and spreadsheet simulations still to apply, were made on a carteira
    # that no longer is: they cannot be confirmed or applied (their file is no longer needed).
    SincronizacaoCarteira.objects.filter(status=Status.AGUARDANDO_CONFIRMACAO).exclude(pk=execucao.pk).update(
        status=Status.SUPERADA, conteudo_planilha=None
    )
    SincronizacaoCarteira.objects.filter(status=Status.SIMULACAO, conteudo_planilha__isnull=False).update(
        status=Status.SUPERADA, conteudo_planilha=None
    )
