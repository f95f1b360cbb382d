"""The history of the tracked rows as the screens show it: who changed what, from what to what.

Reads the "histórico de ..." tables of core.historico through the RASTREADOS registry and each
model's _meta only, so core imports no domain app. The screens (the admin's Histórico of a row,
the product's Histórico, the order's Histórico) ask `listar` for one page of several tables merged
newest first; the changes of an "alterado" row are the fields that differ from the previous history
row of the same object, read in bulk (a correlated subquery in the page's own query, then one query
for the previous rows not already read): a page costs one or two queries per table, never one per row.

The page order is (history_date, model label, history_id) descending, and the cursor of "Mais
antigos" is the key of the last row shown: bulk writes give many rows the same history_date, and the
key keeps each row on exactly one page.
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, Subquery, prefetch_related_objects
from django.utils import timezone

from core.autoria import Origem
from core.historico import RASTREADOS, TipoHistorico
from core.templatetags.formatos import formatar_qtd

VAZIO = "—"
TEXTO_MAX = 200  # a long observation is cut on screen
USUARIOS_MAX = 200
ACOES = dict(TipoHistorico.CHOICES)
ORIGENS = dict(Origem.CHOICES)


@dataclass(frozen=True)
class Mudanca:
    campo: str  # the field's verbose_name
    antes: str
    depois: str


@dataclass
class Entrada:
    """One history row as the screens show it."""

    quando: datetime  # aware; the templates show it in São Paulo time
    tipo: str  # "+", "~", "-"
    acao: str  # criado / alterado / excluído
    modelo: str  # the tracked model's verbose_name
    objeto_id: str  # text: an id is not a quantity (no "180.246")
    descricao: str
    quem: str
    origem: str
    mudancas: list[Mudanca] = field(default_factory=list)
    # An "alterado" with no earlier history row (the row predates the history): only its values are known.
    sem_anterior: bool = False
    chave: tuple = ()  # (history_date, model label, history_id): the page order


@dataclass
class Pagina:
    entradas: list[Entrada]
    proximo: str | None  # the cursor of the next (older) page, None on the last one


class CursorInvalido(ValueError):
    pass


# ---------------------------------------------------------------- cursor


def codificar_cursor(chave: tuple) -> str:
    quando, rotulo, history_id = chave
    texto = f"{quando.isoformat()}|{rotulo}|{history_id}"
    return base64.urlsafe_b64encode(texto.encode()).decode().rstrip("=")


def decodificar_cursor(texto: str) -> tuple:
    try:
        bruto = base64.urlsafe_b64decode(texto + "=" * (-len(texto) % 4)).decode()
        quando_txt, rotulo, id_txt = bruto.split("|")
        quando = datetime.fromisoformat(quando_txt)
        history_id = int(id_txt)
    except (ValueError, UnicodeDecodeError, binascii.Error) as erro:
        raise CursorInvalido("Cursor de paginação inválido.") from erro
    if timezone.is_naive(quando) or not 0 < history_id < 2**63:  # a BIGINT, or the database refuses it
        raise CursorInvalido("Cursor de paginação inválido.")
    return quando, rotulo, history_id


def _depois_do_cursor(rotulo: str, cursor: tuple) -> Q:
    """Rows of the table labelled `rotulo` that come after (are older than) the cursor's key."""
    quando, rotulo_cursor, history_id = cursor
    if rotulo < rotulo_cursor:
        return Q(history_date__lte=quando)
    if rotulo == rotulo_cursor:
        return Q(history_date__lt=quando) | Q(history_date=quando, history_id__lt=history_id)
    return Q(history_date__lt=quando)


# ---------------------------------------------------------------- what to read


def historico_de(model):
    return model.history.model


def consultas_para(chave: str, valores, usuario) -> list[tuple[type[models.Model], Q]]:
    """(model, Q on its history) for each tracked model tied to `chave` ("produto", "pedido",
    "lote") that the user may view."""
    valores = list(valores)
    consultas = []
    for model, campos in RASTREADOS.items():
        if chave in campos and valores and usuario.has_perm(_permissao_ver(model)):
            nomes = campos[chave] if isinstance(campos[chave], tuple) else (campos[chave],)
            filtro = Q()
            for nome in nomes:  # a unification is on the history of both its codes
                filtro |= Q(**{f"{nome}__in": valores})
            consultas.append((model, filtro))
    return consultas


def _permissao_ver(model) -> str:
    return f"{model._meta.app_label}.view_{model._meta.model_name}"


def juntar(*listas) -> list[tuple[type[models.Model], Q]]:
    """One (model, Q) per model: the Qs of the same model OR-ed (a row matching two is listed once)."""
    por_modelo: dict = {}
    for consultas in listas:
        for model, q in consultas:
            por_modelo[model] = por_modelo[model] | q if model in por_modelo else q
    return list(por_modelo.items())


def valores_ligados(de: str, valores, para: str) -> list[str]:
    """The `para` values (e.g. the lotes) of the rows whose `de` is in `valores` (e.g. an order),
    in the tracked tables and in their history (a lote the order had once): one query."""
    valores = list(valores)
    partes = []
    for model, campos in RASTREADOS.items():
        campo_de, campo_para = campos.get(de), campos.get(para)
        if isinstance(campo_de, str) and isinstance(campo_para, str):
            filtro = {f"{campo_de}__in": valores}
            for tabela in (model._base_manager, historico_de(model)._default_manager):
                partes.append(tabela.filter(**filtro).exclude(**{campo_para: ""}).order_by().values_list(campo_para))
    if not partes or not valores:
        return []
    return sorted({valor for (valor,) in partes[0].union(*partes[1:]) if valor})


def usuarios(consultas, limite: int = USUARIOS_MAX) -> list[str]:
    """The usernames that appear in these histories (for the "Usuário" filter), sorted: one query."""
    if not consultas:
        return []
    existe = Q()
    for model, q in consultas:
        existe |= Q(Exists(historico_de(model)._default_manager.filter(q, history_user_id=OuterRef("pk"))))
    User = get_user_model()
    return list(
        User._default_manager.filter(existe)
        .order_by(User.USERNAME_FIELD)
        .values_list(User.USERNAME_FIELD, flat=True)[:limite]
    )


# ---------------------------------------------------------------- the page


def _momento(dia: date, fim: bool = False) -> datetime:
    return timezone.make_aware(datetime.combine(dia + timedelta(days=1) if fim else dia, time.min))


def listar(consultas, *, antes: str | None = None, limite: int = 50, desde=None, ate=None, usuario=None) -> Pagina:
    """One page of the history of these (model, Q) pairs, newest first, and the cursor of the next.

    `antes` is the cursor of the previous page (CursorInvalido when malformed); `desde`/`ate` are
    São Paulo days; `usuario` a username.
    """
    cursor = decodificar_cursor(antes) if antes else None
    filtro = Q()
    if desde:
        filtro &= Q(history_date__gte=_momento(desde))
    if ate:
        filtro &= Q(history_date__lt=_momento(ate, fim=True))
    if usuario:
        filtro &= Q(history_user__username=usuario)
    lidas = []  # (key, model, historical row)
    for model, q in juntar(consultas):
        rotulo = model._meta.label_lower
        historico = historico_de(model)
        qs = historico._default_manager.filter(q, filtro)
        if cursor:
            qs = qs.filter(_depois_do_cursor(rotulo, cursor))
        pk = model._meta.pk.attname
        anterior = (
            historico._default_manager.filter(**{pk: OuterRef(pk)})
            .filter(
                Q(history_date__lt=OuterRef("history_date"))
                | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
            )
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        qs = qs.annotate(id_anterior=Subquery(anterior)).order_by("-history_date", "-history_id")
        lidas += [((linha.history_date, rotulo, linha.history_id), model, linha) for linha in qs[: limite + 1]]
    lidas.sort(key=lambda item: item[0], reverse=True)
    pagina, sobra = lidas[:limite], lidas[limite:]
    entradas = _entradas(pagina, lidas)
    return Pagina(entradas, codificar_cursor(pagina[-1][0]) if sobra else None)


def _entradas(pagina, lidas) -> list[Entrada]:
    """The page's rows as entries, with the previous rows and the rows' descriptions read in bulk."""
    por_modelo: dict = {}
    for _chave, model, linha in pagina:
        por_modelo.setdefault(model, []).append(linha)
    anteriores: dict = {}  # (model, history_id) -> row
    for _chave, model, linha in lidas:
        anteriores[(model, linha.history_id)] = linha
    descricoes: dict = {}
    for model, linhas in por_modelo.items():
        faltam = {
            linha.id_anterior
            for linha in linhas
            if linha.history_type == TipoHistorico.ALTERADO
            and linha.id_anterior
            and (model, linha.id_anterior) not in anteriores
        }
        if faltam:
            for linha in historico_de(model)._default_manager.filter(history_id__in=faltam):
                anteriores[(model, linha.history_id)] = linha
        descricoes.update(_descricoes(model, linhas))
    resultado = []
    for chave, model, linha in pagina:
        anterior = anteriores.get((model, linha.id_anterior)) if linha.id_anterior else None
        mudancas, sem_anterior = _mudancas(model, linha, anterior)
        resultado.append(
            Entrada(
                quando=linha.history_date,
                tipo=linha.history_type,
                acao=ACOES.get(linha.history_type, linha.history_type),
                modelo=str(model._meta.verbose_name),
                objeto_id=str(getattr(linha, model._meta.pk.attname)),
                descricao=descricoes[(model, linha.history_id)],
                quem=linha.history_autor or "sistema",
                origem=ORIGENS.get(linha.history_origem, linha.history_origem),
                mudancas=mudancas,
                sem_anterior=sem_anterior,
                chave=chave,
            )
        )
    return resultado


ROTULOS_CHAVE = {"produto": "produto", "pedido": "pedido", "lote": "lote"}


def _descricoes(model, linhas) -> dict:
    """What each row is about: the values that tie it to a product, an order, a lote ("pedido
    VCD1 · produto 4120282 · lote L1"), which need no query and no number format; for a model
    without them, its str() as it was (see _pelo_str)."""
    todos = RASTREADOS.get(model, {})
    campos = {chave: campo for chave, campo in todos.items() if isinstance(campo, str)}
    if not campos or len(campos) < len(todos):  # a unification: its own text names both codes
        return _pelo_str(model, linhas)
    ordem = [chave for chave in ("pedido", "produto", "lote") if chave in campos]
    return {
        (model, linha.history_id): " · ".join(
            f"{ROTULOS_CHAVE[chave]} {getattr(linha, campos[chave])}"
            for chave in ordem
            if getattr(linha, campos[chave])
        )
        or f"{model._meta.verbose_name} nº {getattr(linha, model._meta.pk.attname)}"
        for linha in linhas
    }


def _pelo_str(model, linhas) -> dict:
    """str() of each row as it was; its foreign keys read in bulk first (one query per key, not per
    row), and any other query refused: a __str__ that needs one falls back to "model nº id"."""
    instancias = [linha.instance for linha in linhas]
    chaves = [f.name for f in model._meta.concrete_fields if f.is_relation and f.many_to_one]
    if chaves:
        prefetch_related_objects(instancias, *chaves)
    descricoes = {}
    with connection.execute_wrapper(_recusar_consulta):
        for linha, instancia in zip(linhas, instancias, strict=True):
            try:
                texto = str(instancia)
            except Exception:  # a row's own __str__ may need what is gone (or a query): the fallback says enough
                texto = f"{model._meta.verbose_name} nº {instancia.pk}"
            descricoes[(model, linha.history_id)] = texto
    return descricoes


class _ConsultaRecusada(Exception):
    pass


def _recusar_consulta(execute, sql, params, many, context):
    raise _ConsultaRecusada(sql)


# ---------------------------------------------------------------- changes and values


def _campos(model) -> list:
    """The fields shown: the tracked ones, without auto_now stamps (every save changes them)."""
    return [
        campo
        for campo in historico_de(model).tracked_fields
        if not getattr(model._meta.get_field(campo.name), "auto_now", False) and not campo.primary_key
    ]


def _mudancas(model, linha, anterior) -> tuple[list[Mudanca], bool]:
    campos = [model._meta.get_field(campo.name) for campo in _campos(model)]
    if linha.history_type == TipoHistorico.CRIADO or (linha.history_type == TipoHistorico.ALTERADO and not anterior):
        valores = [(c, formatar_valor(c, getattr(linha, c.attname))) for c in campos]
        sem_anterior = linha.history_type == TipoHistorico.ALTERADO
        return [Mudanca(str(c.verbose_name), "", v) for c, v in valores if v != VAZIO], sem_anterior
    if linha.history_type == TipoHistorico.EXCLUIDO:
        valores = [(c, formatar_valor(c, getattr(linha, c.attname))) for c in campos]
        return [Mudanca(str(c.verbose_name), v, "") for c, v in valores if v != VAZIO], False
    mudancas = []
    for c in campos:
        antes, depois = getattr(anterior, c.attname), getattr(linha, c.attname)
        if antes != depois:
            mudancas.append(Mudanca(str(c.verbose_name), formatar_valor(c, antes), formatar_valor(c, depois)))
    return mudancas, False


def formatar_valor(campo, valor) -> str:
    """A stored value in pt-BR: choices by label, 1.234,5, dd/mm/aaaa, Sim/Não, "—" for empty."""
    if valor is None or valor == "":
        return VAZIO
    if campo.is_relation:
        return str(valor)  # the key itself: the row it named may be gone
    if campo.choices:
        return str(dict(campo.flatchoices).get(valor, valor))
    if isinstance(valor, bool):
        return "Sim" if valor else "Não"
    if isinstance(valor, Decimal):
        return formatar_qtd(valor)
    if isinstance(valor, datetime):
        return f"{timezone.localtime(valor):%d/%m/%Y %H:%M}" if timezone.is_aware(valor) else f"{valor:%d/%m/%Y %H:%M}"
    if isinstance(valor, date):
        return f"{valor:%d/%m/%Y}"
    texto = str(valor)
    return texto if len(texto) <= TEXTO_MAX else texto[: TEXTO_MAX - 1] + "…"
