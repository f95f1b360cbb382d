"""The jobs' pages: "Meus trabalhos", a job's page (a progress bar that advances live, the
download link when done), its situation as JSON (polled by static/js/trabalho.js) and its
file. A job is seen by its owner, or by staff with core.view_trabalho (403 otherwise)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.models import Trabalho
from core.trabalhos import servico


def _permitido(request, pk: int) -> Trabalho:
    trabalho = get_object_or_404(Trabalho.objects.select_related("usuario"), pk=pk)
    if not servico.pode_ver(request.user, trabalho):
        raise PermissionDenied
    return trabalho


def _no_menu(usuario) -> bool:
    # The page is open to every logged-in user; the menu shows it once they have asked for a job.
    return usuario.is_authenticated and Trabalho.objects.filter(usuario=usuario).exists()


@login_required
@require_GET
def lista(request):
    pagina = Paginator(Trabalho.objects.filter(usuario=request.user), 50).get_page(request.GET.get("pagina"))
    return render(request, "trabalhos/lista.html", {"pagina": pagina})


lista.pode_abrir = _no_menu  # type: ignore[attr-defined]  # the menu asks the view (core.paginas)


@login_required
@require_GET
def detalhe(request, pk: int):
    trabalho = _permitido(request, pk)
    return render(request, "trabalhos/detalhe.html", {"trabalho": trabalho, "s": servico.situacao(trabalho)})


@login_required
@require_GET
def situacao(request, pk: int):
    return JsonResponse(servico.situacao(_permitido(request, pk)))


@login_required
@require_GET
def arquivo(request, pk: int):
    trabalho = _permitido(request, pk)
    if not trabalho.arquivo:
        raise Http404("Este trabalho não tem arquivo (ainda não terminou, ou o arquivo já expirou).")
    try:
        aberto = trabalho.arquivo.open("rb")
    except FileNotFoundError:
        raise Http404("O arquivo deste trabalho não existe mais.") from None
    return FileResponse(aberto, as_attachment=True, filename=trabalho.arquivo_nome or None)
