"""Report downloads: parse the date range, check the permission, stream the workbook."""
from datetime import date, datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from relatorios import exportacoes
from relatorios.selectors import Periodo


class DataInvalida(ValueError):
    pass


def ler_data(texto: str | None, nome: str) -> date | None:
    """ISO (the value of an <input type="date">) or dd/mm/aaaa; empty means no limit."""
    texto = (texto or "").strip()
    if not texto:
        return None
    try:
        valor = parse_date(texto)
        if valor is None:
            valor = datetime.strptime(texto, "%d/%m/%Y").date()
    except ValueError:
        raise DataInvalida(f"Data '{nome}' inválida: '{texto}'. Use aaaa-mm-dd ou dd/mm/aaaa.") from None
    return valor


def ler_periodo(parametros) -> Periodo:
    periodo = Periodo(ler_data(parametros.get("de"), "de"), ler_data(parametros.get("ate"), "até"))
    if periodo.de and periodo.ate and periodo.de > periodo.ate:
        raise DataInvalida("A data 'de' é posterior à data 'até'.")
    return periodo


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
