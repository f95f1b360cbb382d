"""Every request's path, query and form fields checked once, before any view: the control-character rule.

core.limites.CONTROLE (NUL, the other C0 controls but tab/LF/CR, DEL) is refused in:
- the path: 404 (a path lookup with such a character names nothing; PostgreSQL would
  refuse the query with an error instead),
- query parameters (names and values) and form fields of pages and the admin (names and
  values; not file contents): 400.
Also refused with 400: an admin date filter (campo__year/__month/__day) that is not a
calendar number (Django's date hierarchy overflows on a huge year: a 500 otherwise).
The API's JSON bodies are checked field by field by core.serializers.TextoField (the text
field every serializer uses), so the 400 names the field and the schema states the rule; a
property the API does not read is ignored, as the schema allows. Spreadsheet cells are
checked by the importers (core.importacao, the carteira sync), which name the line and column.

/api/ answers in JSON ({"detail": ...}), as DRF does; pages answer in plain text. A request
body over DATA_UPLOAD_MAX_MEMORY_SIZE, with too many form fields or with JSON nested deeper
than MAX_PROFUNDIDADE_JSON is a 400 the same way.
"""

import logging
import re

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from core import autoria
from core.limites import MENSAGEM_CONTROLE, formatar_bytes, max_bytes_upload, tem_controle

NAO_ENCONTRADO = "Registro não encontrado."
MAX_PROFUNDIDADE_JSON = 64  # the API's bodies nest 2 levels
_TEXTO_JSON = re.compile(rb'"(?:[^"\\]|\\.)*"')  # string literals, where brackets are text
_SEM_CHAVES = bytes(set(range(256)) - set(b"[]{}"))
METODOS_COM_CORPO = {"POST", "PUT", "PATCH", "DELETE"}
FORMULARIOS = ("application/x-www-form-urlencoded", "multipart/form-data")
_PARTE_DE_DATA = re.compile(r"__(year|month|day)$")
_MAXIMO_DA_PARTE = {"year": 9998, "month": 12, "day": 31}  # 9999: the admin's "next year" overflows

logger_recusas = logging.getLogger("core.recusas")


def _e_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _resposta(request, status: int, mensagem: str):
    if _e_api(request):
        return JsonResponse({"detail": mensagem}, status=status)
    return HttpResponse(mensagem, status=status, content_type="text/plain; charset=utf-8")


def _filtro_de_data_impossivel(consulta) -> bool:
    """An admin date filter (date_hierarchy: campo__year, __month, __day) that is not a
    calendar number. Django turns a bad one into "invalid filter", except a year or month large
    enough to overflow (OverflowError: a 500 on every changelist with a date hierarchy)."""
    for chave, valores in consulta.lists():
        parte = _PARTE_DE_DATA.search(chave)
        if parte is None:
            continue
        maximo = _MAXIMO_DA_PARTE[parte.group(1)]
        if not all(valor.isascii() and valor.isdigit() and 1 <= int(valor) <= maximo for valor in valores):
            return True
    return False


def _campos_com_controle(dicionario) -> bool:
    return any(tem_controle(chave) or any(tem_controle(v) for v in valores) for chave, valores in dicionario.lists())


def _json(request) -> bool:
    tipo = request.content_type or ""
    return tipo == "application/json" or tipo.endswith("+json")


def aninhado_demais(corpo: bytes) -> bool:
    """JSON nested deeper than MAX_PROFUNDIDADE_JSON, found without parsing it.

    Parsing it would raise RecursionError past the interpreter's limit: DRF's parser lets that
    through as a 500, and on CPython 3.11 a RecursionError inside the C decoder also leaves the
    interpreter's AST recursion counter wrong (later compile() calls fail with SystemError)."""
    if corpo.count(b"[") + corpo.count(b"{") <= MAX_PROFUNDIDADE_JSON:
        return False  # every body this API takes
    nivel = 0
    for byte in _TEXTO_JSON.sub(b"", corpo).translate(None, _SEM_CHAVES):
        nivel += 1 if byte in b"[{" else -1
        if nivel > MAX_PROFUNDIDADE_JSON:
            return True
    return False


def _recusa_do_corpo(request) -> str | None:
    if _json(request):
        if aninhado_demais(request.body):
            return "JSON malformado: aninhamento profundo demais."
    # The API takes JSON only: its parsers answer a form with 415 without reading it.
    elif request.content_type in FORMULARIOS and not _e_api(request) and _campos_com_controle(request.POST):
        return f"Conteúdo inválido: {MENSAGEM_CONTROLE}"
    return None


class EntradaSeguraMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if tem_controle(request.path_info):
            return _resposta(request, 404, NAO_ENCONTRADO)
        if _campos_com_controle(request.GET):
            return _resposta(request, 400, f"Parâmetro da consulta inválido: {MENSAGEM_CONTROLE}")
        if _filtro_de_data_impossivel(request.GET):
            return _resposta(request, 400, "Filtro de data inválido: ano, mês ou dia fora do calendário.")
        if request.method in METODOS_COM_CORPO:
            try:
                recusa = _recusa_do_corpo(request)
            except RequestDataTooBig:
                recusa = f"Requisição grande demais: o limite é {formatar_bytes(max_bytes_upload())}."
            except TooManyFieldsSent:
                recusa = "Campos demais no formulário."
            except (MultiPartParserError, SuspiciousOperation):
                recusa = "Formulário malformado."
            if recusa:
                return _resposta(request, 400, recusa)
        return self.get_response(request)


class RegistroRecusasMiddleware:
    """A write refused with 403 (API or page, the admin included: POST, PUT, PATCH, DELETE) is
    logged at WARNING with the user and the path, in this one place whatever refused it (a
    permission class, `exige`, the admin, the CSRF check). A refused read is not: the menu and
    links already keep users off pages they cannot open, and scanners would flood the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        resposta = self.get_response(request)
        if resposta.status_code == 403 and request.method in METODOS_COM_CORPO:
            usuario = getattr(request, "user", None)
            autenticado = bool(usuario and usuario.is_authenticated)
            logger_recusas.warning(
                "Gravação recusada (403): %s %s por %s",
                request.method,
                request.path,
                usuario.get_username() if autenticado else "anônimo",
                extra={
                    "metodo": request.method,
                    "caminho": request.path,
                    "usuario": usuario.get_username() if autenticado else "",
                    "usuario_id": usuario.pk if autenticado else None,
                },
            )
        return resposta


class AutoriaMiddleware:
    """Every request runs as its user, from the admin, the API or a page (core.autoria).

    The user is read when a write happens, not here: DRF authenticates inside the view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with autoria.atuando(autoria.origem_do_caminho(request.path_info), request=request):
            return self.get_response(request)
