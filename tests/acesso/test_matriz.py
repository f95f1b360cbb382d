"""The permission matrix (tests/acesso/matriz.py) against real requests, and against the URLconf.

One test per column (anonymous, staff without a role, each role, superuser): the same minimal
rows, every case a real request through the test client inside a savepoint that is rolled back,
so each request sees the same data whatever the ones before it wrote. Streams are closed
unread: their status arrives before their first byte.

test_toda_rota_esta_na_matriz walks get_resolver(): a URL pattern (for the API, each HTTP method
its view class handles) with no row in the matrix fails it, so a new URL must be classified.
"""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.test import AsyncClient, Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone, translation
from django_q.models import OrmQ, Schedule, Task
from rest_framework.authtoken.models import Token
from rest_framework.views import APIView

from carteira.models import AlertaSeparacaoCotada, AnaliseRuptura, AnaliseRupturaLote, SincronizacaoCarteira
from core.hub import encerrar_hub
from core.models import Importacao, Trabalho
from core.trabalhos.arquivos import armazenamento
from embarques.models import FaturamentoItem, FaturamentoLote
from estoque.models import AlertaRuptura, CursorReconciliacao, EstadoRuptura, ReconciliacaoExecucao, ReparoEstoque
from tests import fabricas as f
from tests.acesso.matriz import ACOES, ADMIN, COLUNAS, ROTAS, linhas

PAPEL_DA_COLUNA = {"est": "Estoque", "pcp": "PCP", "exp": "Expedição", "com": "Comercial", "ges": "Gestão"}
# The admin URL kinds the ADMIN table stands for (Django's five, the redirect, import-export's export).
TIPOS_ADMIN = {"changelist", "add", "history", "delete", "change", None, "export"}
# Values that make every address resolvable when no data exists (the URLconf walk).
IDS_FICTICIOS = {
    "cod": "X",
    "pedido": "X",
    "mov": "1",
    "pre": "1",
    "prog": "1",
    "job": str(uuid.UUID(int=0)),
    "ct": "1",
    "obj": "1",
    "usuario": "1",
    "sinc": "1",
    "lote": "X",
    "alerta": "1",
    "ruptura": "1",
    "imp": "1",
    "trab": "1",
}


@dataclass
class Caso:
    metodo: str
    endereco: str
    esperado: dict[str, str]
    corpo: dict | None = None
    json: bool = False
    acao: str = ""  # an admin action: the refusal is a message, not a status
    rota: str = field(default="", init=False)

    def __post_init__(self):
        self.rota = resolve(self.endereco.split("?")[0]).route


# ---------------------------------------------------------------- the cases


def _corpos(ids: dict) -> dict[tuple[str, str], dict]:
    """Realistic minimal bodies of the writes: a role with the permission gets a 2xx or a 400."""
    return {
        ("POST", "/entrar/"): {"username": "ninguem", "password": "errada"},
        ("POST", "/admin/login/"): {"username": "ninguem", "password": "errada"},
        ("POST", "/api/estoque/tempo-real/consultar"): {"produtos": [ids["cod"]], "dias": 7},
        ("POST", "/api/estoque/movimentacoes"): {
            "cod_produto": ids["cod"],
            "tipo_movimentacao": "ENTRADA",
            "qtd_movimentacao": 5,
        },
        ("PATCH", "/api/estoque/movimentacoes/{mov}"): {"qtd_movimentacao": 7},
        ("POST", "/api/carteira/pre-separacoes"): {
            "num_pedido": ids["pedido"],
            "cod_produto": ids["cod"],
            "qtd_selecionada_usuario": 1,
            "data_expedicao_editada": f.dia(2).isoformat(),
            "tipo_envio": "parcial",
        },
        ("PATCH", "/api/carteira/pre-separacoes/{pre}"): {"qtd_selecionada_usuario": 2},
        ("POST", "/api/carteira/ruptura/analisar"): {"pedidos": [ids["pedido"]]},
        ("POST", "/api/producao/programacoes"): {
            "cod_produto": ids["cod"],
            "data_programacao": f.dia(3).isoformat(),
            "qtd_programada": 10,
        },
        ("PATCH", "/api/producao/programacoes/{prog}"): {"qtd_programada": 11},
    }


def _casos_de_rotas(ids: dict) -> list[Caso]:
    corpos = _corpos(ids)
    casos = []
    for metodo, endereco, *celulas in linhas(ROTAS):
        assert len(celulas) == len(COLUNAS), f"{metodo} {endereco}: {len(celulas)} colunas"
        casos.append(
            Caso(
                metodo,
                endereco.format(**ids),
                dict(zip(COLUNAS, celulas)),
                corpos.get((metodo, endereco)),
                json=endereco.startswith("/api/"),
            )
        )
    return casos


def _pode(letras: str, exigidas: str) -> str:
    return "ok" if all(letra in letras for letra in exigidas) else "403"


def _ver(letras: str) -> str:
    return "ok" if ("v" in letras or "c" in letras) else "403"


def _casos_do_admin(ids: dict) -> list[Caso]:
    casos = []
    for modelo_rotulo, *celulas in linhas(ADMIN):
        modelo = apps.get_model(modelo_rotulo)
        model_admin = admin.site._registry[modelo]
        letras = dict(zip(COLUNAS[1:], ["" if c == "-" else c for c in celulas]))
        obj = ids.get(f"admin:{modelo_rotulo}", "1")
        info = f"{modelo._meta.app_label}_{modelo._meta.model_name}"
        tipos = {p.name.removeprefix(f"{info}_") if p.name else None for p in model_admin.get_urls()}

        def caso(metodo, endereco, regra, corpo=None, acao="", letras=letras):
            esperado = {"anon": "adm", **{coluna: regra(letras[coluna]) for coluna in COLUNAS[1:]}}
            casos.append(Caso(metodo, endereco, esperado, corpo, acao=acao))

        def url(tipo, *args, info=info):
            return reverse(f"admin:{info}_{tipo}", args=args)

        caso("GET", url("changelist"), _ver)
        caso("GET", url("add"), lambda letras: _pode(letras, "a"))
        caso("POST", url("add"), lambda letras: _pode(letras, "a"), {})
        caso("GET", url("change", obj), _ver)
        caso("POST", url("change", obj), lambda letras: _pode(letras, "c"), {})
        caso("GET", url("history", obj), _ver)
        caso("GET", url("delete", obj), lambda letras: _pode(letras, "d"))
        caso("POST", url("delete", obj), lambda letras: _pode(letras, "d"), {})  # no "post": asks again
        caso("GET", url("changelist") + f"{obj}/", lambda letras: "ok")  # redirect to the detail
        if "export" in tipos:
            caso("GET", url("export"), lambda letras: _pode(letras, "v"))
        if model_admin.actions is not None and "delete_selected" in dict(admin.site.actions):
            corpo = {"action": "delete_selected", "_selected_action": [obj], "index": "0"}
            caso("POST", url("changelist"), lambda letras: "ok" if "d" in letras else "neg", corpo, "delete_selected")
    for rotulo_acao, *celulas in linhas(ACOES):
        rotulo, nome = rotulo_acao.split(":")
        modelo = apps.get_model(rotulo)
        obj = ids.get(f"admin:{rotulo}", "1")
        endereco = reverse(f"admin:{modelo._meta.app_label}_{modelo._meta.model_name}_changelist")
        corpo = {"action": nome, "_selected_action": [obj], "index": "0"}
        casos.append(Caso("POST", endereco, {"anon": "adm", **dict(zip(COLUNAS[1:], celulas))}, corpo, acao=nome))
    return casos


def todos_os_casos(ids: dict) -> list[Caso]:
    return _casos_de_rotas(ids) + _casos_do_admin(ids)


# ---------------------------------------------------------------- the URLconf


def rotas_do_urlconf():
    """(route, callback) of every URL pattern, the route joined the way ResolverMatch.route is."""

    def andar(resolver, prefixo):
        for padrao in resolver.url_patterns:
            rota = URLResolver._join_route(prefixo, str(padrao.pattern))
            if isinstance(padrao, URLResolver):
                yield from andar(padrao, rota)
            elif isinstance(padrao, URLPattern):
                yield rota, padrao

    return list(andar(get_resolver(), ""))


def metodos_da_view(callback) -> set[str] | None:
    """The HTTP methods a DRF view class handles (HEAD with GET); None for other views."""
    classe = getattr(callback, "cls", None)
    if not (isinstance(classe, type) and issubclass(classe, APIView)):
        return None
    metodos = {m.upper() for m in classe.http_method_names if m != "head" and hasattr(classe, m)}
    return metodos | ({"HEAD"} if "GET" in metodos else set())


def faltando(casos: list[Caso]) -> list[str]:
    cobertos = {(caso.rota, caso.metodo) for caso in casos}
    rotas_cobertas = {rota for rota, _ in cobertos}
    faltam = []
    for rota, padrao in rotas_do_urlconf():
        metodos = metodos_da_view(padrao.callback)
        if metodos is None:
            if rota not in rotas_cobertas:
                faltam.append(rota)
        else:
            faltam += [f"{metodo} {rota}" for metodo in sorted(metodos) if (rota, metodo) not in cobertos]
    return faltam


# ---------------------------------------------------------------- data and users


def criar_dados(superusuario) -> dict:
    """One row of everything a URL needs, made the way production makes it."""
    hoje = timezone.localdate()
    f.produto("P1")
    f.unificar("P1-B", "P1")
    mov = f.movimento("P1", 100)
    f.linha_carteira("PED1", "P1", 50, raz_social="CLIENTE UM", cnpj_cpf="12.345.678/0001-90")
    pre = f.pre_separacao("P1", 5, k=2, pedido="PED1")
    f.separacao("P1", 3, k=1, lote="L1", pedido="PED1")
    f.separacao("P1", 2, k=1, lote="L2", pedido="PED1")
    item = f.embarque_item("L2", erro=None)  # invoiced: the lot's LoteFaturado mark
    fat = FaturamentoLote.objects.create(item=item, separacao_lote_id="L2", num_pedido="PED1", nota_fiscal="1")
    FaturamentoItem.objects.create(
        faturamento=fat, num_pedido="PED1", cod_produto="P1", qtd_separada=2, qtd_faturada=2, qtd_baixada_carteira=0
    )
    prog = f.producao("P1", 20, k=3)
    execucao = ReconciliacaoExecucao.objects.create(origem="COMANDO", produtos_verificados=1, produtos_corrigidos=1)
    f.reconciliacao_agendada(produtos_verificados=1)  # with the heartbeat: /saude/ answers 200
    f.batimento_cluster()
    ReparoEstoque.objects.create(execucao=execucao, cod_produto="P1", campo="saldo_atual", antes="9", depois="10")
    CursorReconciliacao.objects.update_or_create(id=1, defaults={"ultimo_codigo": "P1"})
    analise = AnaliseRuptura.objects.create(total_pedidos=1, total_lotes=1)
    AnaliseRupturaLote.objects.create(
        analise=analise, indice=0, pedidos=["PED1"], resultados=[], concluido_em=timezone.now()
    )
    sinc = SincronizacaoCarteira.objects.create(
        iniciado_em=timezone.now(), origem="ODOO", status="SUCESSO", gatilho="ADMIN"
    )
    alerta = AlertaSeparacaoCotada.objects.create(
        separacao_lote_id="L1", num_pedido="PED1", cod_produto="P1", tipo="REDUCAO", qtd_antes=3, qtd_depois=1
    )
    alerta_ruptura = AlertaRuptura.objects.create(
        cod_produto="P1", tipo="ENTROU_EM_RUPTURA", dia_ruptura=hoje, menor_estoque_d7=Decimal("-1")
    )
    EstadoRuptura.objects.create(cod_produto="P1", dia_ruptura=hoje)
    f.pre_separacao("P1", 1, k=2, pedido="PED1", lote="LT1")
    if not Schedule.objects.exists():
        Schedule.objects.create(func="math.floor", name="exemplo")
    agora = timezone.now()
    for sucesso in (True, False):
        Task.objects.create(
            id=uuid.uuid4().hex,
            name=f"tarefa-{sucesso}",
            func="math.floor",
            started=agora,
            stopped=agora,
            success=sucesso,
        )
    OrmQ.objects.create(key="estoque", payload="x", lock=agora)
    Token.objects.create(user=superusuario)
    importacao = Importacao.objects.create(
        tipo="movimentacoes", status="PREVIA", arquivo_nome="m.csv", impressao_digital="0" * 64, usuario="x"
    )
    # The superuser's finished export: others see it only with core.view_trabalho. One small
    # file, always the same name (the rows are rolled back, the file stays for the next run).
    if not armazenamento().exists("matriz/carteira.xlsx"):
        armazenamento().save("matriz/carteira.xlsx", ContentFile(b"matriz"))
    trabalho = Trabalho.objects.create(
        tipo="exportacao:carteira",
        titulo="Exportação",
        usuario=superusuario,
        status="CONCLUIDO",
        progresso=100,
        arquivo="matriz/carteira.xlsx",
        arquivo_nome="carteira.xlsx",
    )
    assert f.hoje() == hoje and Decimal(mov.qtd_movimentacao) == 100

    ids = {
        "cod": "P1",
        "pedido": "PED1",
        "mov": str(mov.pk),
        "pre": str(pre.pk),
        "prog": str(prog.pk),
        "job": str(analise.pk),
        "ct": str(ContentType.objects.get_for_model(superusuario).pk),
        "obj": str(superusuario.pk),
        "usuario": str(superusuario.pk),
        "sinc": str(sinc.pk),
        "lote": "LT1",
        "alerta": str(alerta.pk),
        "ruptura": str(alerta_ruptura.pk),
        "imp": str(importacao.pk),
        "trab": str(trabalho.pk),
    }
    for modelo_rotulo, *_ in linhas(ADMIN):
        modelo = apps.get_model(modelo_rotulo)
        primeiro = modelo._default_manager.order_by("pk").first()
        assert primeiro is not None, f"sem linha de {modelo_rotulo} para o admin"
        ids[f"admin:{modelo_rotulo}"] = str(primeiro.pk)
    # PED1's line holds allocations, which the admin never deletes (carteira.services_admin):
    # the permission cells are checked on a line without any.
    ids["admin:carteira.carteiraprincipal"] = str(f.linha_carteira("PED-LIVRE", "P1", 1).pk)
    return ids


def criar_usuarios(django_user_model) -> dict:
    usuarios = {"sem": django_user_model.objects.create_user("sem-papel", password="senha-forte-123", is_staff=True)}
    for coluna, papel in PAPEL_DA_COLUNA.items():
        usuario = django_user_model.objects.create_user(f"papel-{coluna}", password="senha-forte-123", is_staff=True)
        usuario.groups.add(Group.objects.get(name=papel))
        usuarios[coluna] = usuario
    usuarios["sup"] = django_user_model.objects.create_superuser("super", "super@example.com", "senha-forte-123")
    return usuarios


# ---------------------------------------------------------------- one request


def _acao_rodou(resposta, mensagens: list[str]) -> bool:
    """An admin action ran: "delete selected" shows its confirmation page, the others report in a
    message. A refused one leaves "No action selected." or, when the user has no action at all,
    just the list again."""
    with translation.override("pt-br"):
        recusa = translation.gettext("No action selected.")
    confirmacao = any(t.name == "admin/delete_selected_confirmation.html" for t in resposta.templates or [])
    return confirmacao or any(mensagem != recusa for mensagem in mensagens)


def _e_stream(endereco: str) -> bool:
    caminho = endereco.split("?")[0]
    return caminho == "/api/estoque/eventos" or caminho.startswith("/api/carteira/ruptura/stream/")


def _stream(cliente: Client, caso: Caso):
    """An SSE stream answers only under ASGI (503 under WSGI): ask it through Django's
    AsyncClient with the same session, in this thread (the test's connection and data)."""
    assincrono = AsyncClient()
    assincrono.cookies = cliente.cookies

    async def pedir():
        try:
            return await assincrono.generic(caso.metodo, caso.endereco)
        finally:
            await encerrar_hub()

    return async_to_sync(pedir)()


def executar(cliente: Client, caso: Caso) -> str:
    """What the matrix calls the answer: ok, 401, 403, 404, lg, adm, neg, or 'erro NNN'."""
    with transaction.atomic():
        if _e_stream(caso.endereco):
            resposta = _stream(cliente, caso)
        elif caso.json and caso.corpo is not None:
            resposta = cliente.generic(caso.metodo, caso.endereco, _json(caso.corpo), "application/json")
        elif caso.metodo == "POST":
            resposta = cliente.post(caso.endereco, caso.corpo or {})
        else:
            resposta = cliente.generic(caso.metodo, caso.endereco)
        mensagens = [str(m) for m in get_messages(resposta.wsgi_request)] if caso.acao else []
        transaction.set_rollback(True)
    if resposta.streaming:
        _fechar(resposta)  # a stream (SSE, xlsx) ends here, unread
    status, local = resposta.status_code, resposta.get("Location", "")
    if status == 302 and local.startswith("/entrar/?next="):
        return "lg"
    if status == 302 and local.startswith("/admin/login/?next="):
        return "adm"
    if caso.acao:
        return "ok" if status != 403 and _acao_rodou(resposta, mensagens) else "neg"
    if status in (401, 403, 404):
        return str(status)
    if status in (405, 429) or status >= 500:
        return f"erro {status}"
    return "ok"


def _fechar(resposta) -> None:
    """Close a streaming response as the test client closes the others: without the
    request_finished handler that would close the test's database connection (PostgreSQL)."""
    request_finished.disconnect(close_old_connections)
    try:
        resposta.close()
    finally:
        request_finished.connect(close_old_connections)


def _json(corpo: dict) -> str:
    import json

    return json.dumps(corpo)


# ---------------------------------------------------------------- the tests


@pytest.mark.django_db
@pytest.mark.parametrize("coluna", COLUNAS)
def test_matriz_de_permissoes(coluna, django_user_model):
    usuarios = criar_usuarios(django_user_model)
    casos = todos_os_casos(criar_dados(usuarios["sup"]))
    cliente = Client(raise_request_exception=False)  # a 500 is an answer to report, not the end of the run

    def entrar():
        if coluna != "anon":
            cliente.force_login(usuarios[coluna])

    entrar()
    divergencias = []
    for caso in casos:
        obtido = executar(cliente, caso)
        if obtido != caso.esperado[coluna]:
            rotulo = f" (ação {caso.acao})" if caso.acao else ""
            divergencias.append(
                f"{caso.metodo} {caso.endereco}{rotulo}: esperado {caso.esperado[coluna]}, veio {obtido}"
            )
        if caso.endereco.endswith(("/sair/", "/logout/")):
            entrar()  # the logout was rolled back with the savepoint, the cookie was not
    assert divergencias == [], f"{len(divergencias)} divergência(s) para '{coluna}':\n" + "\n".join(divergencias)


def test_toda_rota_esta_na_matriz():
    assert faltando(todos_os_casos(IDS_FICTICIOS)) == []


def test_rota_sem_linha_na_matriz_falha():
    # The check above must be able to fail: without the /producao/ row its page is missing,
    # without the PATCH row of a programação that method is.
    casos = todos_os_casos(IDS_FICTICIOS)
    sem_producao = [c for c in casos if c.endereco != "/producao/"]
    assert faltando(sem_producao) == ["producao/"]
    sem_patch = [c for c in casos if not (c.metodo == "PATCH" and c.rota == "api/producao/programacoes/<str:pk>")]
    assert faltando(sem_patch) == ["PATCH api/producao/programacoes/<str:pk>"]


def test_tabela_do_admin_cobre_cada_modelo_e_cada_acao(django_user_model):
    modelos = {rotulo for rotulo, *_ in linhas(ADMIN)}
    assert modelos == {modelo._meta.label_lower for modelo in admin.site._registry}
    # Every kind of admin URL a model has is one the table stands for, or has its own row.
    explicitas = {caso.rota for caso in _casos_de_rotas(IDS_FICTICIOS)}
    for modelo, model_admin in admin.site._registry.items():
        info = f"{modelo._meta.app_label}_{modelo._meta.model_name}_"
        for padrao in model_admin.get_urls():
            tipo = padrao.name.removeprefix(info) if padrao.name else None
            if tipo not in TIPOS_ADMIN:
                rota = f"admin/{modelo._meta.app_label}/{modelo._meta.model_name}/{padrao.pattern}"
                assert rota in explicitas, f"{rota} ({padrao.name}) sem linha em ROTAS"
    # Every action (as the superuser sees them) besides "delete selected" has a row in ACOES.
    from django.test import RequestFactory

    requisicao = RequestFactory().get("/admin/")
    requisicao.user = django_user_model(username="x", is_superuser=True, is_staff=True, is_active=True)
    acoes = {
        f"{modelo._meta.label_lower}:{nome}"
        for modelo, model_admin in admin.site._registry.items()
        for nome in model_admin.get_actions(requisicao)
        if nome != "delete_selected"
    }
    assert acoes == {linha[0] for linha in linhas(ACOES)}
