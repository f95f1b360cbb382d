"""Regression guard: no inline script, handler or style in our templates, and no HTML built from
data in our scripts (static/js, vendor excluded). The scanners are tested on bad samples first,
so a clean result means clean sources, not a scanner that finds nothing."""

from pathlib import Path

import pytest

from tests.varredura_csp import achados_js, achados_template

RAIZ = Path(__file__).resolve().parent.parent


def templates():
    pastas = [RAIZ / "templates", *RAIZ.glob("*/templates")]
    return sorted(p for pasta in pastas for p in pasta.rglob("*.html"))


def scripts():
    return sorted(p for p in (RAIZ / "static").rglob("*.js") if "vendor" not in p.relative_to(RAIZ / "static").parts)


# ---------------------------------------------------------------- the scanners find what they must


@pytest.mark.parametrize(
    "amostra",
    [
        "<script>window.CSRF_TOKEN = '{{ csrf_token }}';</script>",
        '<script type="text/javascript">alert(1)</script>',
        '<script type="module">import x from "./x.js"</script>',
        '<button type="button" onclick="enviar()">Enviar</button>',
        '<img src="x" onerror="window.__xss=1">',
        "<body onload=iniciar()>",
        '<input type="checkbox"\n       onchange="onSelectToggleChange(event)" checked>',
        '<a href="javascript:void(0)">x</a>',
        '<a href=" JavaScript:alert(1)">x</a>',
        '<form action="javascript:enviar()"></form>',
        '<div class="progress" style="height: 1.1rem"></div>',
        "<style>body { margin: 0 }</style>",
        '<td {% if x %}onmouseover="m()"{% endif %}>x</td>',
    ],
)
def test_varredor_de_template_acusa(amostra):
    assert achados_template(amostra), amostra


@pytest.mark.parametrize(
    "amostra",
    [
        "<script src=\"{% static 'js/ruptura.js' %}\"></script>",
        '<script id="dados" type="application/json">{"a": 1}</script>',
        '<meta name="csrf-token" content="{{ csrf_token }}">',
        '<table data-url-analisar="{% url \'ruptura-analisar\' %}" data-onde="x" class="online"></table>',
        "{# an inline <script> is forbidden here #}<p>texto</p>",
        "{% comment %}<style>p{}</style>{% endcomment %}<p>x</p>",
        '<a href="/carteira/">Carteira</a>',
    ],
)
def test_varredor_de_template_aceita(amostra):
    assert achados_template(amostra) == []


@pytest.mark.parametrize(
    "amostra",
    [
        "corpo.innerHTML = `<td>${l.nome_produto}</td>`;",
        "aviso.innerHTML = textoPeriodo(periodo);",
        "el.innerHTML += linha;",
        "el.outerHTML = html;",
        "tabela.insertAdjacentHTML('beforeend', linhas);",
        "document.write(nome);",
        "range.createContextualFragment(html);",
        "eval(resposta);",
        "const f = new Function('return ' + codigo);",
        'setTimeout("atualizar(\'" + num + "\')", 10);',
        "x.innerHTML=dado",
    ],
)
def test_varredor_de_js_acusa(amostra):
    assert achados_js(amostra), amostra


@pytest.mark.parametrize(
    "amostra",
    [
        'corpo.textContent = l.nome_produto || "";',
        'lista.innerHTML = "";',
        "if (a.innerHTML === b) {}",
        "// old code: el.innerHTML = html;\nel.replaceChildren(no);",
        "/* never: eval(x) */ const y = 1;",
        "setTimeout(() => { caixa.hidden = true; }, 4000);",
        "const url = 'http://exemplo/a'; el.textContent = url;",
        "obj.avaliar(x); medieval(x);",
    ],
)
def test_varredor_de_js_aceita(amostra):
    assert achados_js(amostra) == []


# ---------------------------------------------------------------- the sources are clean


def test_ha_o_que_varrer():
    nomes = {p.name for p in templates()} | {p.name for p in scripts()}
    assert {"base.html", "pedidos.html", "ruptura.js", "relatorios.js"} <= nomes


@pytest.mark.parametrize("arquivo", templates(), ids=lambda p: str(p.relative_to(RAIZ)))
def test_template_sem_codigo_inline(arquivo):
    assert achados_template(arquivo.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("arquivo", scripts(), ids=lambda p: str(p.relative_to(RAIZ)))
def test_script_sem_html_montado_de_dados(arquivo):
    assert achados_js(arquivo.read_text(encoding="utf-8")) == []
