""" "Sincronizar agora" as a background job (core.trabalhos): the admin's button enqueues it and
the user follows its progress; the job calls the same service as the command and the schedule."""

from django.urls import reverse

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.registros import ErroSincronizacao
from core.autoria import Origem
from core.trabalhos import ErroTrabalho, Resultado, Tipo, registrar

SINCRONIZAR_AGORA = "sincronizacao-carteira"
ESPERA_SEGUNDOS = 60  # for another run's lock (the schedule's, a command's) before giving up


def sincronizar_agora(trabalho, progresso) -> Resultado:
    try:
        execucao = servico.sincronizar_odoo(
            gatilho=SincronizacaoCarteira.Gatilho.ADMIN,
            usuario=trabalho.usuario.get_username(),
            espera=ESPERA_SEGUNDOS,
            progresso=progresso.etapas,
        )
    except ErroSincronizacao as erro:
        raise ErroTrabalho(f"Sincronização falhou, nada foi alterado: {erro}") from None
    if execucao.status == SincronizacaoCarteira.Status.AGUARDANDO_CONFIRMACAO:
        link = reverse("admin:carteira_sincronizacaocarteira_confirmar", args=[execucao.pk])
    else:
        link = reverse("admin:carteira_sincronizacaocarteira_change", args=[execucao.pk])
    avisos = servico.destrutivo(execucao)
    resumo = servico.resumo(execucao) + (f" Atenção: {'; '.join(avisos)}." if avisos else "")
    return Resultado(resumo=resumo, link=link)


def registrar_tipos():
    registrar(
        Tipo(
            SINCRONIZAR_AGORA,
            "Sincronizar a carteira com o Odoo",
            sincronizar_agora,
            origem=Origem.ADMIN,
            unidade="etapa(s)",
        )
    )
