"""The open orders as the /carteira/pedidos/ page lists them, grouped by order."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import DecimalField, ExpressionWrapper, F, Min, Sum
from django.utils import timezone

from carteira.models import AnaliseRupturaLote, CarteiraPrincipal
from estoque.models import CadastroPalletizacao
from estoque.selectors import grupos_de

ZERO = Decimal("0")
POR_PAGINA = 100
ANALISES_HORAS = 24  # stored analyses older than this do not feed the list's criticidade
ANALISES_LOTES = 300
ORDEM_CRITICIDADE = {"CRITICA": 0, "ALTA": 1, "MEDIA": 2, "BAIXA": 3, "OK": 4}


@dataclass
class PedidoAgrupado:
    num_pedido: str
    raz_social_red: str
    cnpj_cpf: str
    municipio: str
    estado: str
    vendedor: str
    status_pedido: str
    data_pedido: date | None
    data_entrega_pedido: date | None
    valor: Decimal = ZERO
    peso: Decimal = ZERO
    pallets: Decimal = ZERO
    itens: int = 0
    principais: set = field(default_factory=set)


def linhas_abertas():
    return CarteiraPrincipal.objects.filter(ativo=True, qtd_saldo_produto_pedido__gt=0)


def status_em_aberto() -> list[str]:
    return list(
        linhas_abertas()
        .exclude(status_pedido="")
        .order_by("status_pedido")
        .values_list("status_pedido", flat=True)
        .distinct()
    )


def ultimas_analises() -> dict[str, dict]:
    """num_pedido -> its newest stored ruptura result (AnaliseRupturaLote.resultados) of the last
    ANALISES_HORAS hours, among the newest ANALISES_LOTES lots: what the page's background analysis
    left, read without analysing again. On PostgreSQL only num_pedido, pedido_ok and criticidade
    (what the list sorts and filters on) come out, picked in SQL: a lot holds up to 640 orders and
    their lines, and parsing whole lots in Python on every page view would cost seconds."""
    desde = timezone.now() - timedelta(hours=ANALISES_HORAS)
    if connection.vendor == "postgresql":
        return _ultimas_analises_sql(desde)
    lotes = (
        AnaliseRupturaLote.objects.filter(concluido_em__gte=desde, resultados__isnull=False)
        .order_by("-concluido_em")
        .values_list("resultados", flat=True)[:ANALISES_LOTES]
    )
    analises: dict[str, dict] = {}
    for resultados in lotes:
        for resultado in resultados or []:
            analises.setdefault(resultado["num_pedido"], resultado)
    return analises


def _ultimas_analises_sql(desde) -> dict[str, dict]:
    tabela = AnaliseRupturaLote._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT ON (r->>'num_pedido') r->>'num_pedido', (r->>'pedido_ok')::boolean, r->>'criticidade'
            FROM (
                SELECT id, concluido_em, resultados FROM {tabela}
                WHERE concluido_em >= %s AND resultados IS NOT NULL
                ORDER BY concluido_em DESC LIMIT %s
            ) l CROSS JOIN LATERAL jsonb_array_elements(l.resultados) r
            ORDER BY r->>'num_pedido', l.concluido_em DESC, l.id DESC
            """,
            [desde, ANALISES_LOTES],
        )
        return {
            num: {"num_pedido": num, "pedido_ok": ok, "criticidade": criticidade}
            for num, ok, criticidade in cursor.fetchall()
        }


def rotulo(resultado: dict) -> str:
    """An analysis' criticidade as the list shows it: OK when the whole order can ship today."""
    return "OK" if resultado.get("pedido_ok") else resultado.get("criticidade", "")


def _numeros(base, ordem: str, analises: dict | None):
    """The order numbers of `base`, sorted (pedido, entrega, valor in SQL; criticidade in Python)."""
    por_pedido = base.order_by().values("num_pedido")
    if ordem in ("entrega", "-entrega"):
        entrega = F("entrega").desc(nulls_last=True) if ordem == "-entrega" else F("entrega").asc(nulls_last=True)
        return (
            por_pedido.annotate(entrega=Min("data_entrega_pedido"))
            .order_by(entrega, "num_pedido")
            .values_list("num_pedido", flat=True)
        )
    if ordem in ("valor", "-valor"):
        valor = ExpressionWrapper(
            F("qtd_saldo_produto_pedido") * F("preco_produto_pedido"),
            output_field=DecimalField(max_digits=30, decimal_places=5),
        )
        return por_pedido.annotate(valor=Sum(valor)).order_by(ordem, "num_pedido").values_list("num_pedido", flat=True)
    numeros = base.order_by("num_pedido").values_list("num_pedido", flat=True).distinct()
    if ordem == "criticidade":
        analises = analises or {}
        sem = len(ORDEM_CRITICIDADE)
        chave = lambda num: (ORDEM_CRITICIDADE.get(rotulo(analises[num]), sem) if num in analises else sem, num)  # noqa: E731
        return sorted(numeros, key=chave)
    return numeros


def pedidos_agrupados(pagina: int = 1, busca: str = "", base=None, ordem: str = "pedido", analises=None):
    """(page of PedidoAgrupado, paginator): a page of order numbers, then their lines (3 queries + groups).

    `base`: the open lines already filtered (carteira.filtros.PedidosFilter); `ordem` its sort."""
    base = base if base is not None else linhas_abertas()
    if busca:
        base = base.filter(num_pedido__icontains=busca) | base.filter(raz_social__icontains=busca)
    paginador = Paginator(_numeros(base, ordem, analises), POR_PAGINA)
    pagina_obj = paginador.get_page(pagina)
    linhas = list(base.filter(num_pedido__in=list(pagina_obj.object_list)).order_by("num_pedido", "cod_produto"))
    codigos = {linha.cod_produto for linha in linhas}
    cadastro = {
        cod: (pallet, peso)
        for cod, pallet, peso in CadastroPalletizacao.objects.filter(cod_produto__in=codigos).values_list(
            "cod_produto", "palletizacao", "peso_bruto"
        )
    }
    principal_de, _, _ = grupos_de(codigos) if codigos else ({}, {}, set())
    pedidos: dict[str, PedidoAgrupado] = {}
    for linha in linhas:
        pedido = pedidos.get(linha.num_pedido)
        if pedido is None:
            pedido = pedidos[linha.num_pedido] = PedidoAgrupado(
                linha.num_pedido,
                linha.raz_social_red or linha.raz_social,
                linha.cnpj_cpf,
                linha.municipio,
                linha.estado,
                linha.vendedor,
                linha.status_pedido,
                linha.data_pedido,
                linha.data_entrega_pedido,
            )
        qtd = linha.qtd_saldo_produto_pedido
        palletizacao, peso = cadastro.get(linha.cod_produto, (None, None))
        pedido.valor += qtd * linha.preco_produto_pedido
        pedido.peso += qtd * (peso or ZERO)
        pedido.pallets += qtd / palletizacao if palletizacao else ZERO
        pedido.itens += 1
        pedido.principais.add(principal_de.get(linha.cod_produto, linha.cod_produto))
    return [pedidos[num] for num in pagina_obj.object_list if num in pedidos], pagina_obj
