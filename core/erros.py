"""Error answers for what no view handled: JSON under /api/ (the API's contract), pt-BR pages elsewhere."""

from django.http import JsonResponse
from django.views import defaults

PREFIXO_API = "/api/"


def _json(mensagem: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": mensagem}, status=status, json_dumps_params={"ensure_ascii": False})


def nao_encontrado(request, exception):
    if request.path.startswith(PREFIXO_API):
        return _json("Não encontrado.", 404)
    return defaults.page_not_found(request, exception, template_name="404.html")


def erro_interno(request):
    if request.path.startswith(PREFIXO_API):
        return _json("Erro interno do servidor.", 500)
    return defaults.server_error(request, template_name="500.html")
