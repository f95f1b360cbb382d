"""Report downloads: parse the date range, check the permission, stream the workbook; a workbook
above RELATORIOS_LINHAS_FUNDO rows is written by a background job (core.trabalhos) and the user
goes to its page, which shows the progress and then the download link."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from core.formatos import milhar
from core.periodo import DataInvalida, Periodo, ler_periodo
from core.trabalhos import ErroTrabalho, servico
from estoque.filtros import SaldoEstoqueFilter
from relatorios import exportacao_saldo, exportacoes, trabalhos

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pode_baixar(usuario, chave: str) -> bool:
    return usuario.has_perms(exportacoes.RELATORIOS[chave].permissoes)


@login_required
@require_GET
def baixar(request, chave: str):
    relatorio = exportacoes.RELATORIOS.get(chave)
    if relatorio is None:
        raise Http404("Relatório inexistente.")
    if not pode_baixar(request.user, chave):
        raise PermissionDenied("Sem permissão para este relatório.")
    try:
        periodo = ler_periodo(request.GET) if relatorio.campo_data else Periodo()
    except DataInvalida as erro:
        return HttpResponseBadRequest(str(erro), content_type="text/plain; charset=utf-8")
    linhas = exportacoes.contar(chave, periodo)
    if linhas > settings.RELATORIOS_LINHAS_FUNDO:
        return _em_segundo_plano(request, trabalhos.nome_do_tipo(chave), trabalhos.parametros(chave, periodo), linhas)
    exportacao = exportacoes.gerar(chave, periodo)
    return FileResponse(
        exportacao.arquivo,
        as_attachment=True,
        filename=exportacao.nome_arquivo,
        content_type=XLSX,
    )


def _em_segundo_plano(request, tipo: str, parametros: dict, linhas: int):
    try:
        trabalho = servico.iniciar(tipo, request.user, parametros)
    except servico.TrabalhoEmAndamento as erro:
        messages.warning(request, str(erro))
        return redirect("trabalhos:detalhe", pk=erro.trabalho.pk)
    except ErroTrabalho as erro:
        messages.error(request, str(erro))
        return redirect("trabalhos:lista")
    quantas = milhar(linhas)
    messages.info(
        request,
        f"Exportação grande (cerca de {quantas} linhas): a planilha está sendo gerada em segundo plano. "
        "Acompanhe o progresso abaixo; o link para baixar aparece quando terminar.",
    )
    return redirect("trabalhos:detalhe", pk=trabalho.pk)


@login_required
@permission_required("estoque.view_estoquetemporeal", raise_exception=True)
@require_GET
def saldo_estoque(request):
    """The /estoque/ list as a workbook: the page's filters and order (its query string)."""
    filtro = SaldoEstoqueFilter(request.GET, request=request)
    if not filtro.is_valid():
        erros = "; ".join(f"{campo}: {' '.join(mensagens)}" for campo, mensagens in filtro.errors.items())
        return HttpResponseBadRequest(f"Filtro inválido: {erros}", content_type="text/plain; charset=utf-8")
    linhas = filtro.qs.count()
    if linhas > settings.RELATORIOS_LINHAS_FUNDO:
        filtros = {nome: request.GET.getlist(nome) for nome in request.GET}
        return _em_segundo_plano(request, trabalhos.SALDO, {"filtros": filtros}, linhas)
    exportacao = exportacao_saldo.gerar(filtro, request.user)
    return FileResponse(exportacao.arquivo, as_attachment=True, filename=exportacao.nome_arquivo, content_type=XLSX)
