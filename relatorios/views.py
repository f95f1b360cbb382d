"""Report downloads: parse the date range, check the permission, stream the workbook."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from core.periodo import DataInvalida, Periodo, ler_periodo
from relatorios import exportacoes


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
    exportacao = exportacoes.gerar(chave, periodo)
    return FileResponse(
        exportacao.arquivo,
        as_attachment=True,
        filename=exportacao.nome_arquivo,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
