"""Every request's text input checked once, before any view: the control-character rule.

core.limites.CONTROLE (NUL, the other C0 controls but tab/LF/CR, DEL) is refused in:
- the path: 404 (a path lookup with such a character names nothing; PostgreSQL would
  refuse the query with an error instead),
- query parameters (names and values), form fields of pages and the admin (names and values;
  not file contents) and every string of a JSON body (keys and values): 400.
/api/ answers in JSON ({"detail": ...}), as DRF does; pages answer in plain text. A request
body over DATA_UPLOAD_MAX_MEMORY_SIZE, with too many fields or with JSON nested deeper than
MAX_PROFUNDIDADE_JSON is a 400 the same way.
Spreadsheet cells are checked by the readers (core.planilhas, core.importacao), which name
the line and column.
"""

import json
import re

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError

from core.limites import MENSAGEM_CONTROLE, formatar_bytes, max_bytes_upload, tem_controle

NAO_ENCONTRADO = "Registro não encontrado."
MAX_PROFUNDIDADE_JSON = 64  # the API's bodies nest 2 levels
_TEXTO_JSON = re.compile(rb'"(?:[^"\\]|\\.)*"')  # string literals, where brackets are text
_SEM_CHAVES = bytes(set(range(256)) - set(b"[]{}"))
METODOS_COM_CORPO = {"POST", "PUT", "PATCH", "DELETE"}


def _e_api(request) -> bool:
    return request.path_info.startswith("/api/")


def _resposta(request, status: int, mensagem: str):
    if _e_api(request):
        return JsonResponse({"detail": mensagem}, status=status)
    return HttpResponse(mensagem, status=status, content_type="text/plain; charset=utf-8")


def _algum_texto_com_controle(valor) -> bool:
    """Any string (key or value) of a parsed JSON document with a control character."""
    pilha = [valor]
    while pilha:
        item = pilha.pop()
        if isinstance(item, str):
            if tem_controle(item):
                return True
        elif isinstance(item, dict):
            pilha.extend(item.keys())
            pilha.extend(item.values())
        elif isinstance(item, list):
            pilha.extend(item)
    return False


def _campos_com_controle(dicionario) -> bool:
    return any(tem_controle(chave) or any(tem_controle(v) for v in valores) for chave, valores in dicionario.lists())


def _json(request) -> bool:
    tipo = request.content_type or ""
    return tipo == "application/json" or tipo.endswith("+json")


def _aninhado_demais(corpo: bytes) -> bool:
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


def _corpo_com_controle(request) -> bool:
    if _json(request):
        if _aninhado_demais(request.body):
            raise JsonProfundoDemais
        try:
            documento = json.loads(request.body)
        except ValueError:
            return False  # malformed JSON: the view's parser answers it
        return _algum_texto_com_controle(documento)
    # The API takes JSON only: its parsers answer a form with 415 without reading it.
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data") and not _e_api(request):
        return _campos_com_controle(request.POST)
    return False


class JsonProfundoDemais(Exception):
    pass


class EntradaSeguraMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if tem_controle(request.path_info):
            return _resposta(request, 404, NAO_ENCONTRADO)
        if _campos_com_controle(request.GET):
            return _resposta(request, 400, f"Parâmetro da consulta inválido: {MENSAGEM_CONTROLE}")
        if request.method in METODOS_COM_CORPO:
            try:
                if _corpo_com_controle(request):
                    return _resposta(request, 400, f"Conteúdo inválido: {MENSAGEM_CONTROLE}")
            except JsonProfundoDemais:
                return _resposta(request, 400, "JSON malformado: aninhamento profundo demais.")
            except RequestDataTooBig:
                limite = formatar_bytes(max_bytes_upload())
                return _resposta(request, 400, f"Requisição grande demais: o limite é {limite}.")
            except TooManyFieldsSent:
                return _resposta(request, 400, "Campos demais no formulário.")
            except (MultiPartParserError, SuspiciousOperation):
                return _resposta(request, 400, "Formulário malformado.")
        return self.get_response(request)
