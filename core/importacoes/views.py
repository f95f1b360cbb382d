"""The import pages: the list (kinds the user may import, the history), the upload form of
a kind with its template, an import's preview/result page (confirm, discard, undo) and its
progress as JSON. Every page and action asks the kind's permission (403 page without it)."""

from datetime import date
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.importacoes import Importador, importador, modelo, permitidos, progresso, servico
from core.limites import formatar_bytes, max_bytes_upload, validar_tamanho_arquivo
from core.models import Importacao
from core.planilhas import FORMATOS_ACEITOS

Status = Importacao.Status
EM_ANDAMENTO = (Status.RECEBIDA, Status.LENDO, Status.NA_FILA, Status.APLICANDO)


class EnvioForm(forms.Form):
    arquivo = forms.FileField(label="Planilha", validators=[validar_tamanho_arquivo])


def _tipo_permitido(request, tipo: str) -> Importador:
    encontrado = importador(tipo)
    if encontrado is None:
        raise Http404("Tipo de importação desconhecido.")
    if not request.user.has_perm(encontrado.permissao):
        raise PermissionDenied
    return encontrado


def _importacao_permitida(request, pk: int) -> tuple[Importacao, Importador]:
    importacao = get_object_or_404(Importacao.objects.defer("conteudo"), pk=pk)
    return importacao, _tipo_permitido(request, importacao.tipo)


def pode_importar_algo(usuario) -> bool:
    return usuario.is_authenticated and bool(permitidos(usuario))


def _exige_algum_tipo(view):
    protegida = login_required(view)

    def verificar(request, *args, **kwargs):
        if request.user.is_authenticated and not pode_importar_algo(request.user):
            raise PermissionDenied
        return protegida(request, *args, **kwargs)

    verificar.pode_abrir = pode_importar_algo  # type: ignore[attr-defined]  # the menu asks the view (core.paginas)
    return verificar


@_exige_algum_tipo
@require_GET
def lista(request):
    tipos = permitidos(request.user)
    historico = Importacao.objects.defer("conteudo").filter(tipo__in=[t.tipo for t in tipos])
    filtro = request.GET.get("tipo", "")
    if filtro in {t.tipo for t in tipos}:
        historico = historico.filter(tipo=filtro)
    pagina = Paginator(historico, 50).get_page(request.GET.get("pagina"))
    titulos = {t.tipo: t.titulo for t in tipos}
    return render(
        request,
        "importacoes/lista.html",
        {
            "tipos": tipos,
            "pagina": pagina,
            "titulos": titulos,
            "filtro": filtro,
            "linhas": [(imp, titulos.get(imp.tipo, imp.tipo)) for imp in pagina],
        },
    )


@login_required
def enviar(request, tipo: str):
    escolhido = _tipo_permitido(request, tipo)
    form = EnvioForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            importacao = servico.receber(form.cleaned_data["arquivo"], escolhido.tipo, request.user.get_username())
        except servico.ErroImportacao as erro:
            form.add_error("arquivo", str(erro))
        else:
            return redirect("importacoes:detalhe", pk=importacao.pk)
    return render(
        request,
        "importacoes/enviar.html",
        {
            "tipo": escolhido,
            "form": form,
            "formatos": ", ".join(FORMATOS_ACEITOS),
            "aceitos": ",".join(FORMATOS_ACEITOS),
            "limite": formatar_bytes(max_bytes_upload()),
        },
    )


@login_required
@require_GET
def baixar_modelo(request, tipo: str):
    escolhido = _tipo_permitido(request, tipo)
    resposta = HttpResponse(
        modelo.gerar(escolhido), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resposta["Content-Disposition"] = f'attachment; filename="modelo_{escolhido.tipo}.xlsx"'
    return resposta


def _valor(valor, tipo: str):
    """A totals cell as the template formats it (stored as JSON text)."""
    if valor is None or valor == "":
        return valor
    if tipo == "qtd":
        return Decimal(valor)
    if tipo == "data":
        return date.fromisoformat(valor)
    return valor


def _tabelas(importacao: Importacao) -> list[dict]:
    tabelas = []
    for tabela in (importacao.totais or {}).get("tabelas", []):
        linhas = [[(_valor(v, t), t) for v, t in zip(linha, tabela["tipos"])] for linha in tabela["linhas"]]
        tabelas.append({**tabela, "cabecalho": list(zip(tabela["colunas"], tabela["tipos"])), "linhas": linhas})
    return tabelas


@login_required
@require_GET
def detalhe(request, pk: int):
    importacao, tipo = _importacao_permitida(request, pk)
    anterior = servico.anterior_aplicada(importacao.tipo, importacao.impressao_digital, exceto=importacao.pk)
    return render(
        request,
        "importacoes/detalhe.html",
        {
            "importacao": importacao,
            "tipo": tipo,
            "tabelas": _tabelas(importacao),
            "em_andamento": importacao.status in EM_ANDAMENTO,
            "anterior": anterior if importacao.status == Status.PREVIA else None,
            "pode_confirmar": importacao.status == Status.PREVIA,
            "pode_descartar": importacao.status in (Status.PREVIA, Status.RECUSADA, Status.FALHOU),
            "pode_desfazer": importacao.status == Status.APLICADA and tipo.reversivel,
        },
    )


@login_required
@require_GET
def situacao(request, pk: int):
    importacao, _ = _importacao_permitida(request, pk)
    andamento = progresso.ler(pk) or {}
    total = andamento.get("total") or 0
    return JsonResponse(
        {
            "status": importacao.status,
            "status_texto": importacao.get_status_display(),
            "em_andamento": importacao.status in EM_ANDAMENTO,
            "etapa": andamento.get("etapa", importacao.get_status_display()),
            "feitas": andamento.get("feitas", 0),
            "total": total,
            "percentual": round(100 * andamento.get("feitas", 0) / total) if total else None,
        }
    )


def _acao(request, pk: int, funcao, sucesso: str, **kwargs):
    importacao, _ = _importacao_permitida(request, pk)
    try:
        resultado = funcao(importacao.pk, request.user.get_username(), **kwargs)
    except servico.ErroImportacao as erro:
        messages.error(request, str(erro))
    else:
        if resultado.status in EM_ANDAMENTO:
            trabalho = getattr(resultado, "trabalho", None)
            numero = f" (trabalho nº {trabalho.pk}, também em “Meus trabalhos”)" if trabalho is not None else ""
            messages.info(
                request, f"Arquivo grande: a gravação segue em segundo plano{numero}; acompanhe o progresso abaixo."
            )
        else:
            messages.success(request, sucesso)
    return redirect("importacoes:detalhe", pk=importacao.pk)


@login_required
@require_POST
def confirmar(request, pk: int):
    return _acao(
        request, pk, servico.pedir_aplicacao, "Importação aplicada.", repetir=request.POST.get("repetir") == "1"
    )


@login_required
@require_POST
def descartar(request, pk: int):
    return _acao(request, pk, servico.descartar, "Importação descartada; nada foi gravado.")


@login_required
@require_POST
def desfazer(request, pk: int):
    return _acao(request, pk, servico.desfazer, "Importação desfeita.")
