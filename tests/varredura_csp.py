"""Finds what a strict Content-Security-Policy forbids, and client-side HTML built from data.

Three scanners, plain functions returning a list of findings (empty = clean):
- `achados_html`: rendered pages and templates: inline <script> (only src= or a JSON data block
  such as json_script's), inline event handlers (on...=), javascript: URLs, style= attributes and
  <style> elements (style-src is 'self' too).
- `achados_js`: our scripts: innerHTML/outerHTML set to anything but "", insertAdjacentHTML,
  document.write, createContextualFragment, eval, new Function, setTimeout/setInterval with code
  in a string: every way a string becomes markup or code.
- `achados_template`: a template file's source (Django comments dropped) through `achados_html`.
"""

import re
from html.parser import HTMLParser

SCRIPT_DADOS = {"application/json", "application/ld+json"}
ATRIBUTOS_URL = {"href", "src", "action", "formaction", "xlink:href"}


class _Varredor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.achados: list[str] = []

    def _tag(self, tag, attrs):
        linha = self.getpos()[0]
        atributos = {nome.lower(): valor or "" for nome, valor in attrs}
        for nome, valor in atributos.items():
            if nome.startswith("on"):
                self.achados.append(f"linha {linha}: manipulador inline <{tag} {nome}=...>")
            if nome == "style":
                self.achados.append(f"linha {linha}: atributo style= em <{tag}>")
            if nome in ATRIBUTOS_URL and re.sub(r"\s", "", valor).lower().startswith("javascript:"):
                self.achados.append(f"linha {linha}: URL javascript: em <{tag} {nome}>")
        if tag == "style":
            self.achados.append(f"linha {linha}: elemento <style> inline")
        if tag == "script" and "src" not in atributos:
            tipo = atributos.get("type", "").strip().lower()
            if tipo not in SCRIPT_DADOS:
                self.achados.append(f"linha {linha}: <script> inline (sem src)")

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)


def achados_html(html: str) -> list[str]:
    varredor = _Varredor()
    varredor.feed(html)
    varredor.close()
    return varredor.achados


COMENTARIO_DJANGO = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.DOTALL)
TAG_DJANGO = re.compile(r"\{%.*?%\}", re.DOTALL)


def achados_template(fonte: str) -> list[str]:
    # Comments go; a block tag becomes a blank, so `<td {% if x %}onclick=...` reads as an
    # attribute. Line breaks are kept, so findings still name the right line.
    fonte = COMENTARIO_DJANGO.sub(lambda m: "\n" * m.group(0).count("\n"), fonte)
    fonte = TAG_DJANGO.sub(lambda m: " " + "\n" * m.group(0).count("\n"), fonte)
    return achados_html(fonte)


PADROES_JS = [
    (
        re.compile(r"\.\s*(innerHTML|outerHTML)\s*\+?=(?!=)(?!\s*(?:\"\"|''|``)\s*(?:[;,)]|$))", re.MULTILINE),
        "{0} recebe um valor (use textContent / createElement / append)",
    ),
    (re.compile(r"\binsertAdjacentHTML\s*\("), "insertAdjacentHTML (use insertAdjacentElement / append)"),
    (re.compile(r"\bdocument\s*\.\s*write(ln)?\s*\("), "document.write"),
    (re.compile(r"\bcreateContextualFragment\s*\("), "createContextualFragment"),
    (re.compile(r"(?<![\w.])eval\s*\("), "eval"),
    (re.compile(r"\bnew\s+Function\s*\("), "new Function"),
    (re.compile(r"\bset(Timeout|Interval)\s*\(\s*[\"'`]"), "set{0} com código em texto"),
]


def _sem_comentarios_js(fonte: str) -> str:
    """Comments blanked (line breaks kept); strings left alone so a pattern inside one still counts."""
    saida, i, n = [], 0, len(fonte)
    while i < n:
        if fonte.startswith("/*", i):
            fim = fonte.find("*/", i + 2)
            fim = n if fim < 0 else fim + 2
            saida.append("\n" * fonte.count("\n", i, fim))
            i = fim
        elif fonte.startswith("//", i) and (i == 0 or fonte[i - 1] != ":"):
            fim = fonte.find("\n", i)
            i = n if fim < 0 else fim
        else:
            saida.append(fonte[i])
            i += 1
    return "".join(saida)


def achados_js(fonte: str) -> list[str]:
    codigo = _sem_comentarios_js(fonte)
    achados = []
    for padrao, mensagem in PADROES_JS:
        for m in padrao.finditer(codigo):
            linha = codigo.count("\n", 0, m.start()) + 1
            achados.append(f"linha {linha}: " + mensagem.format(*(g for g in m.groups() if g)))
    return achados
