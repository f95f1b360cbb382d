"""The start address: the first section the user may open."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from acesso.navegacao import secoes


@login_required
def inicio(request):
    paginas = [secao for secao in secoes(request.user) if secao["chave"] not in ("admin", "api")]
    if paginas:
        return redirect(paginas[0]["url"])
    if request.user.is_staff:
        return redirect("/admin/")
    return render(request, "acesso/sem_secoes.html", status=403)
