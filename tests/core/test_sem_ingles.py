"""No English on the screens operators use, the admin included: every admin page a superuser
opens (index, app indexes, changelists, add and change forms, delete confirmations, histories,
import-export's export pages, django-q2's task pages) and the pages of the site menu.

The words come from our catalog (locale/pt_BR) where a library ships none or a wrong one
(django-import-export, django-q2) and from Django's own catalog elsewhere. The import pages
(…/import/) are left out: they are being replaced.

Out of reach of a translation catalog, so not checked here: the permission names stored in the
database (Django writes "Can add Failed task" at migrate, in English: a known gap, kept visible by
test_nomes_das_permissoes_em_portugues), the default name of a row without __str__
("OrmQ object (1)"; a group's delete summary: "Group_permissions object (1)"), a None that a model
method returns shown read-only ("Grupo: None" on a queued task), the alt text of Django's boolean
icons ("True"/"False") and Swagger UI's own texts (drawn by its script in the browser).
"""

import contextlib
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django_q.models import OrmQ, Schedule, Task
from django_q.signing import SignedPackage
from rest_framework.authtoken.models import Token

from acesso.navegacao import SECOES
from carteira.models import AlertaSeparacaoCotada, AnaliseRuptura, AnaliseRupturaLote, SincronizacaoCarteira
from core.models import Trabalho
from embarques.models import FaturamentoItem, FaturamentoLote
from estoque.models import AlertaRuptura, CursorReconciliacao, EstadoRuptura, ReconciliacaoExecucao, ReparoEstoque
from tests import fabricas as f

pytestmark = pytest.mark.django_db

# English phrases, whatever the case: none is part of a Portuguese word.
FRASES = [
    "select all",
    "this exporter",
    "this importer",
    "the following fields",
    "import finished",
    "selected item",
    "failed task",
    "successful task",
    "scheduled task",
    "queued task",
    "resubmit",
    "task id",
    "time taken",
    "short result",
    "last_run",
    "last run",
    "started at",
    "stopped at",
    "attempt count",
    "keyword arguments",
    "schedule type",
    "next run",
    "lock until",
    "queue options",
    "cluster key",
    "intended date",
    "e.g.",
    "n times",
    "forever",
    "pickled",
    "when the worker",
    "when this schedule",
    "how often",
    "how many times",
    "name of the",
    "optional",
    "view site",
    "log out",
    "change password",
    "add another",
    "save and",
    "show all",
    "clear all",
    "yes, i",
    "take me back",
    "please",
]
# English words, capitalized as a label or button would show them, as whole words only
# ("Export" is not "Exportar"; the lower-case forms are left alone: "estoque.tasks.virada_do_dia"
# is a function's name).
PALAVRAS = [
    "Filter",
    "Search",
    "Add",
    "Save",
    "Delete",
    "Action",
    "Actions",
    "Go",
    "Export",
    "Import",
    "Submit",
    "Format",
    "Resource",
    "Home",
    "History",
    "Change",
    "View",
    "Welcome",
    "Name",
    "Group",
    "Function",
    "Hook",
    "Arguments",
    "Result",
    "Success",
    "Repeats",
    "Minutes",
    "Once",
    "Hourly",
    "Daily",
    "Weekly",
    "Biweekly",
    "Monthly",
    "Bimonthly",
    "Quarterly",
    "Yearly",
    "Payload",
    "Today",
    "Now",
    "Yes",
    "Preview",
    "Errors",
    "Toggle",
]
INGLES = re.compile(
    "|".join([rf"(?i:{re.escape(frase)})" for frase in FRASES] + [rf"\b{re.escape(palavra)}\b" for palavra in PALAVRAS])
)
# Wrong Portuguese once shipped by a library's catalog.
ERROS = ["esta satisfeito", "ordenção"]


class TextoVisivel(HTMLParser):
    """The text a user reads or hears: text nodes outside scripts and styles, plus the texts
    the browser shows from attributes (buttons, tooltips, placeholders, screen-reader labels)."""

    INVISIVEIS = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.dentro_de_invisivel = 0
        self.textos: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.INVISIVEIS:
            self.dentro_de_invisivel += 1
        atributos = dict(attrs)
        self.textos += [
            atributos[nome] or "" for nome in ("title", "placeholder", "aria-label", "alt") if nome in atributos
        ]
        if tag == "input" and atributos.get("type") in {"submit", "button", "reset"}:
            self.textos.append(atributos.get("value") or "")

    def handle_endtag(self, tag):
        if tag in self.INVISIVEIS:
            self.dentro_de_invisivel = max(0, self.dentro_de_invisivel - 1)

    def handle_data(self, data):
        if not self.dentro_de_invisivel:
            self.textos.append(data)


def texto_visivel(html: str) -> str:
    leitor = TextoVisivel()
    leitor.feed(html)
    leitor.close()
    return " ".join(" ".join(leitor.textos).split())


def sem_nomes_de_permissao(texto: str) -> str:
    """The page's text without the permission names (the user and group forms list them all)."""
    for permissao in Permission.objects.select_related("content_type"):
        texto = texto.replace(str(permissao), "")
    return texto


def em_ingles(texto: str) -> list[str]:
    return sorted({achado.group(0) for achado in INGLES.finditer(texto)} | {e for e in ERROS if e in texto})


def test_o_detector_acha_ingles_e_poupa_o_portugues():
    assert em_ingles(texto_visivel('<p>Select all</p><input type="submit" value="Save">')) == ["Save", "Select all"]
    assert em_ingles(texto_visivel('<img alt="Search"><a title="Failed tasks">x</a>')) == ["Failed task", "Search"]
    assert em_ingles(texto_visivel("<script>var Export = 1</script><style>.Go{}</style>")) == []
    portugues = "Exportar Importar Adicionar Salvar Filtro Pesquisar Ir Ações estoque.tasks.virada_do_dia GO"
    assert em_ingles(texto_visivel(f"<p>{portugues}</p>")) == []


@pytest.fixture
def dados():
    """One row in every table with an admin (so every change form and delete page opens)."""
    agora = timezone.now()
    f.produto("P1", "AZEITONA VERDE 500G")
    f.movimento("P1", 50)
    f.producao("P1", 100, k=3)
    f.linha_carteira("PED1", "P1", 80, raz_social="CLIENTE UM")
    f.pre_separacao("P1", 70, k=1, pedido="PED2")
    f.separacao("P1", 5, k=2, lote="L1", pedido="PED1")
    item = f.embarque_item("L1", erro=None)
    f.unificar("P9", "P1")
    execucao = ReconciliacaoExecucao.objects.create(origem="COMANDO", produtos_verificados=1, produtos_corrigidos=1)
    ReparoEstoque.objects.create(execucao=execucao, cod_produto="P1", campo="saldo_atual", antes="9", depois="10")
    CursorReconciliacao.objects.update_or_create(id=1, defaults={"ultimo_codigo": "P1"})
    EstadoRuptura.objects.update_or_create(cod_produto="P1", defaults={"dia_ruptura": f.dia(1)})
    AlertaRuptura.objects.create(cod_produto="P1", tipo="ENTROU_EM_RUPTURA", dia_ruptura=f.dia(1), menor_estoque_d7=-20)
    analise = AnaliseRuptura.objects.create(total_pedidos=1, total_lotes=1)
    AnaliseRupturaLote.objects.create(analise=analise, indice=0, pedidos=["PED1"])
    faturamento = FaturamentoLote.objects.create(item=item, separacao_lote_id="L1", num_pedido="PED1", nota_fiscal="1")
    FaturamentoItem.objects.create(
        faturamento=faturamento,
        num_pedido="PED1",
        cod_produto="P1",
        qtd_separada=5,
        qtd_faturada=5,
        qtd_baixada_carteira=0,
    )
    SincronizacaoCarteira.objects.create(
        iniciado_em=agora, origem="PLANILHA", status="SUCESSO", gatilho="ADMIN", relatorio="ok"
    )
    AlertaSeparacaoCotada.objects.create(
        separacao_lote_id="L1", num_pedido="PED1", cod_produto="P1", tipo="REDUCAO", qtd_antes=5, qtd_depois=1
    )
    Trabalho.objects.create(
        tipo="exportacao:carteira",
        titulo="Exportação: Carteira de pedidos",
        usuario=get_user_model().objects.create_user("dono-do-trabalho"),
        status="CONCLUIDO",
        progresso=100,
        linhas_feitas=10,
        linhas_total=10,
        resumo="10 linha(s) de dados.",
    )
    # django-q2: a successful and a failed task, a schedule and a task waiting in the ORM queue.
    for sucesso in (True, False):
        Task.objects.create(
            id=uuid.uuid4().hex,
            name=f"tarefa-{sucesso}",
            func="estoque.tasks.reconciliar_estoque",
            started=agora,
            stopped=agora,
            success=sucesso,
            result=None if sucesso else "erro",
        )
    Schedule.objects.get_or_create(func="estoque.tasks.reconciliar_estoque", defaults={"name": "reconciliação"})
    pacote = {"id": uuid.uuid4().hex, "name": "na-fila", "func": "estoque.tasks.reconciliar_estoque", "args": ()}
    OrmQ.objects.create(key="estoque", payload=SignedPackage.dumps(pacote), lock=agora)


def paginas_do_admin(usuario) -> list[str]:
    requisicao = RequestFactory().get("/admin/")
    requisicao.user = usuario
    caminhos = [reverse("admin:index"), reverse("admin:password_change")]
    for modelo, model_admin in admin.site._registry.items():
        rotulo = f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}"
        caminhos += [reverse("admin:app_list", args=[modelo._meta.app_label]), reverse(f"{rotulo}_changelist")]
        if model_admin.has_add_permission(requisicao):
            caminhos.append(reverse(f"{rotulo}_add"))
        objeto = model_admin.get_queryset(requisicao).first()
        if objeto is not None:
            caminhos += [reverse(f"{rotulo}_change", args=[objeto.pk]), reverse(f"{rotulo}_history", args=[objeto.pk])]
            if model_admin.has_delete_permission(requisicao, objeto):
                caminhos.append(reverse(f"{rotulo}_delete", args=[objeto.pk]))
        with contextlib.suppress(NoReverseMatch):
            caminhos.append(reverse(f"{rotulo}_export"))
    return list(dict.fromkeys(caminhos))


def test_nenhuma_pagina_do_admin_em_ingles(cliente_staff, staff, dados):
    Token.objects.create(user=staff)
    caminhos = paginas_do_admin(staff)
    modelos = {m._meta.label for m in admin.site._registry}
    assert {"django_q.Failure", "django_q.Success", "django_q.Schedule", "django_q.OrmQ"} <= modelos
    assert len([c for c in caminhos if c.endswith("/change/")]) == len(modelos), "um modelo ficou sem linha"
    achados = {}
    for caminho in caminhos:
        resposta = cliente_staff.get(caminho)
        assert resposta.status_code == 200, caminho
        if ingles := em_ingles(sem_nomes_de_permissao(texto_visivel(resposta.content.decode()))):
            achados[caminho] = ingles
    assert not achados, "\n".join(f"{caminho}: {', '.join(ingles)}" for caminho, ingles in achados.items())


def test_nomes_das_permissoes_em_portugues():
    """Django writes them in English at migrate; acesso renames them after every migrate."""
    nomes = list(Permission.objects.values_list("name", flat=True))
    assert [nome for nome in nomes if re.match(r"Can (add|change|delete|view) ", nome)] == []
    assert "Pode incluir movimentação de estoque" in nomes


def test_paginas_do_menu_sem_ingles(cliente_staff, dados):
    assert Group.objects.exists()  # the roles' groups (acesso): the admin's group pages have rows
    achados = {}
    for _chave, _rotulo, endereco in SECOES:
        resposta = cliente_staff.get(endereco)
        assert resposta.status_code == 200, endereco
        if ingles := em_ingles(texto_visivel(resposta.content.decode())):
            achados[endereco] = ingles
    assert not achados, "\n".join(f"{caminho}: {', '.join(ingles)}" for caminho, ingles in achados.items())


def test_mensagens_do_import_export_e_do_django_q_em_portugues():
    """Texts shown only along the way (messages after an import, the preview), checked in the catalog."""
    with translation.override("pt-br"):
        mensagens = [
            gettext("Import finished: {} new, {} updated, {} deleted and {} skipped {}.").format(
                20, 1, 0, 2, "movimentações de estoque"
            ),
            gettext(
                "Below is a preview of data to be imported. If you are satisfied with the results, click "
                "'Confirm import'"
            ),
            gettext("This exporter will export the following fields: "),
            gettext("Select all"),
            ngettext("Export %(len)s selected item.", "Export %(len)s selected items.", 3) % {"len": 3},
            gettext("Resubmit selected tasks to queue"),
            gettext("Failed tasks"),
            gettext("Toggle sorting"),
        ]
    assert mensagens[0] == (
        "Importação concluída (movimentações de estoque) — novos: 20, atualizados: 1, excluídos: 0, ignorados: 2."
    )
    for mensagem in mensagens:
        assert em_ingles(mensagem) == [], mensagem


def test_paginas_de_historico_sem_ingles(cliente_staff, dados):
    """The product's and the order's Histórico (the admin's is in the walk above)."""
    achados = {}
    for endereco in ("/estoque/produto/P1/historico/", "/carteira/pedidos/PED1/historico/"):
        resposta = cliente_staff.get(endereco)
        assert resposta.status_code == 200, endereco
        assert resposta.context["entradas"], endereco
        if ingles := em_ingles(texto_visivel(resposta.content.decode())):
            achados[endereco] = ingles
    assert not achados, "\n".join(f"{caminho}: {', '.join(ingles)}" for caminho, ingles in achados.items())
