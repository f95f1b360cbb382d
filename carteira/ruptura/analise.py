"""Per-order stock-out analysis (ruptura): can each line of an order ship, and when?

The projection (estoque.projecao over the derived tables) already holds this order's own
pré-separações and separações as outflows. Judging the order against it would count them
twice (docs/arquitetura.md seção 3.9), so they are taken back out of the projection first. Production is
never added again: it is already inside the projection.

A line can ship on day d when the minimum projected balance from d to D28, without this
order's own outflows, is at least the quantity still to ship; lines of the order that are
the same product (unified codes) are judged together, on their summed quantity.

Criticidade, on the order's share of value that cannot ship today (v) and the number of
its lines that cannot (n):
    CRITICA  v >= 50%  or n >= 5
    ALTA     v >= 25%  or n >= 3
    MEDIA    v >= 10%  or n >= 2
    BAIXA    otherwise (including an order that can ship whole today)
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from estoque.projecao import DIAS_MAX, projetar
from estoque.selectors.disponibilidade import Disponibilidade, ler_projecoes
from producao.models import ProgramacaoProducao

ZERO = Decimal("0")
CEM = Decimal("100")
CENTAVO = Decimal("0.01")


@dataclass(slots=True)
class ProducaoQueResolve:
    data: date
    cod_produto: str
    qtd_programada: Decimal
    linha_producao: str

    def como_dict(self) -> dict:
        return {
            "data": self.data.isoformat(),
            "cod_produto": self.cod_produto,
            "qtd_programada": float(self.qtd_programada),
            "linha_producao": self.linha_producao,
        }


@dataclass(slots=True)
class LinhaRuptura:
    cod_produto: str
    cod_principal: str
    nome_produto: str
    qtd: Decimal  # still to ship
    valor: Decimal
    estoque_atual: Decimal
    menor_estoque_d7: Decimal  # without this order's own outflows
    disponivel_hoje: bool
    disponivel_em: date | None
    producao: list[ProducaoQueResolve] = field(default_factory=list)

    def como_dict(self) -> dict:
        return {
            "cod_produto": self.cod_produto,
            "cod_principal": self.cod_principal,
            "nome_produto": self.nome_produto,
            "qtd": float(self.qtd),
            "valor": float(self.valor),
            "estoque_atual": float(self.estoque_atual),
            "menor_estoque_d7": float(self.menor_estoque_d7),
            "disponivel_hoje": self.disponivel_hoje,
            "disponivel_em": self.disponivel_em.isoformat() if self.disponivel_em else None,
            "producao": [p.como_dict() for p in self.producao],
        }


@dataclass(slots=True)
class AnaliseRuptura:
    num_pedido: str
    raz_social_red: str
    pedido_ok: bool
    percentual_disponibilidade: Decimal
    data_disponibilidade_total: date | None
    criticidade: str
    valor_total: Decimal
    linhas_em_ruptura: int
    linhas: list[LinhaRuptura]

    def como_dict(self) -> dict:
        """The JSON shape of the API and the stored lots (Decimal as float, dates ISO), built
        field by field: dataclasses.asdict deep-copies every value (about twice as slow)."""
        total = self.data_disponibilidade_total
        return {
            "num_pedido": self.num_pedido,
            "raz_social_red": self.raz_social_red,
            "pedido_ok": self.pedido_ok,
            "percentual_disponibilidade": float(self.percentual_disponibilidade),
            "data_disponibilidade_total": total.isoformat() if total else None,
            "criticidade": self.criticidade,
            "valor_total": float(self.valor_total),
            "linhas_em_ruptura": self.linhas_em_ruptura,
            "linhas": [linha.como_dict() for linha in self.linhas],
        }


def criticidade(percentual_em_ruptura: Decimal, linhas_em_ruptura: int) -> str:
    if percentual_em_ruptura >= 50 or linhas_em_ruptura >= 5:
        return "CRITICA"
    if percentual_em_ruptura >= 25 or linhas_em_ruptura >= 3:
        return "ALTA"
    if percentual_em_ruptura >= 10 or linhas_em_ruptura >= 2:
        return "MEDIA"
    return "BAIXA"


def pedidos_em_aberto() -> list[str]:
    return list(
        CarteiraPrincipal.objects.filter(ativo=True, qtd_saldo_produto_pedido__gt=0)
        .order_by("num_pedido")
        .values_list("num_pedido", flat=True)
        .distinct()
    )


# The order-line columns the analysis reads (tuples, not model instances: a lot of 1,000
# orders has ~13,000 lines, and building CarteiraPrincipal objects cost more than judging them).
CAMPOS_LINHA = (
    "num_pedido",
    "cod_produto",
    "nome_produto",
    "qtd_saldo_produto_pedido",
    "preco_produto_pedido",
    "raz_social_red",
    "raz_social",
)
NUM, COD, NOME, QTD, PRECO, RAZ_RED, RAZ = range(len(CAMPOS_LINHA))


def _em(campo: str, valores) -> Q:
    """campo IN valores; on PostgreSQL the values go as one array parameter: a lot sends
    thousands, and one placeholder each cost more to parse and quote than the query took."""
    valores = sorted(set(valores))
    if connection.vendor == "postgresql":
        return Q(**{f"{campo}__in": RawSQL("SELECT unnest(%s::varchar[])", [valores])})
    return Q(**{f"{campo}__in": valores})


def analisar_pedidos(pedidos=None, hoje: date | None = None) -> dict[str, AnaliseRuptura]:
    """Analyse these orders (default: every open order) in a fixed number of queries."""
    hoje = hoje or timezone.localdate()
    consulta = CarteiraPrincipal.objects.filter(ativo=True, qtd_saldo_produto_pedido__gt=0)
    if pedidos is not None:
        consulta = consulta.filter(_em("num_pedido", pedidos))
    linhas = list(consulta.order_by("num_pedido", "cod_produto").values_list(*CAMPOS_LINHA))
    if not linhas:
        return {}
    numeros = sorted({linha[NUM] for linha in linhas})
    leitura = ler_projecoes({linha[COD] for linha in linhas}, hoje)
    proprias = _saidas_proprias(numeros, leitura)
    producao = _producao_por_principal(leitura, hoje)
    por_pedido = defaultdict(list)
    for linha in linhas:
        por_pedido[linha[NUM]].append(linha)
    base: dict[str, Disponibilidade] = {}  # principal -> its projection with every outflow
    return {
        num: _analisar(num, itens, leitura, proprias.get(num, {}), producao, hoje, base)
        for num, itens in por_pedido.items()
    }


def analisar_pedido(num_pedido: str, hoje: date | None = None) -> AnaliseRuptura | None:
    return analisar_pedidos([num_pedido], hoje).get(num_pedido)


def _saidas_proprias(numeros, leitura) -> defaultdict[str, defaultdict[str, list]]:
    """num_pedido -> principal -> [(data, qtd)] of the order's own forecast outflows."""
    resultado: defaultdict[str, defaultdict[str, list]] = defaultdict(lambda: defaultdict(list))
    principal = lambda cod: leitura.principal_de.get(cod, cod)  # noqa: E731
    for num, cod, data, qtd in (
        PreSeparacaoItem.objects.ativas()
        .filter(_em("num_pedido", numeros))
        .values_list("num_pedido", "cod_produto", "data_expedicao_editada", "qtd_selecionada_usuario")
    ):
        resultado[num][principal(cod)].append((data, qtd))
    separacoes = Separacao.objects.pendentes().filter(_em("num_pedido", numeros)).com_data_prevista()
    for num, cod, data, qtd in separacoes.values_list("num_pedido", "cod_produto", "data_prevista", "qtd_saldo"):
        resultado[num][principal(cod)].append((data, qtd))
    return resultado


def _producao_por_principal(leitura, hoje) -> defaultdict[str, defaultdict[date, list]]:
    """principal -> day -> [(cod_produto, qtd_programada, linha_producao)]: plain tuples, made
    into ProducaoQueResolve only for the few lines that production resolves."""
    codigos = {cod for membros in leitura.membros.values() for cod in membros}
    resultado: defaultdict[str, defaultdict[date, list]] = defaultdict(lambda: defaultdict(list))
    for cod, data, qtd, linha in ProgramacaoProducao.objects.filter(
        _em("cod_produto", codigos), data_programacao__gte=hoje, data_programacao__lte=hoje + timedelta(days=DIAS_MAX)
    ).values_list("cod_produto", "data_programacao", "qtd_programada", "linha_producao"):
        resultado[leitura.principal_de.get(cod, cod)][data].append((cod, qtd, linha))
    return resultado


@lru_cache(maxsize=32768)  # ~1 KB each: tens of MB at most per process
def _projetada(saldo: Decimal, previstas: tuple, hoje: date) -> Disponibilidade:
    """The projection of these inputs, just read: a pure function, memoised. A worker running lot
    after lot of one carteira meets the same product in most of them (a lot of 640 orders holds
    thousands of products), and projects it again only when its stock or forecast rows changed."""
    return Disponibilidade.de(projetar(saldo, previstas, hoje, DIAS_MAX))


def _julgar(principal, quantidade, leitura, proprias, hoje, base):
    """(saldo, menor_d7, disponivel_em) of this quantity of a principal, on the projection
    without the order's own outflows."""
    saldo = leitura.estoques.get(principal, (ZERO,))[0]
    disponibilidade = base.get(principal)
    if disponibilidade is None:
        disponibilidade = base[principal] = _projetada(saldo, tuple(leitura.previstas.get(principal, ())), hoje)
    if proprias.get(principal):
        disponibilidade = disponibilidade.sem_saidas(proprias[principal])
    return saldo, disponibilidade.menor_d7, disponibilidade.primeiro_dia(quantidade)


def _analisar(num, itens, leitura, proprias, producao, hoje, base) -> AnaliseRuptura:
    principal_de = leitura.principal_de
    por_principal: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    for linha in itens:
        por_principal[principal_de.get(linha[COD], linha[COD])] += linha[QTD]
    julgamento = {}
    for principal, quantidade in por_principal.items():
        saldo, menor_d7, disponivel_em = _julgar(principal, quantidade, leitura, proprias, hoje, base)
        resolve = []
        if disponivel_em and disponivel_em > hoje:
            resolve = [ProducaoQueResolve(disponivel_em, *p) for p in producao[principal].get(disponivel_em, ())]
        julgamento[principal] = (saldo, menor_d7, disponivel_em, resolve)

    resultado, valor_total, valor_hoje, em_ruptura = [], ZERO, ZERO, 0
    for linha in itens:
        principal = principal_de.get(linha[COD], linha[COD])
        saldo, menor_d7, disponivel_em, resolve = julgamento[principal]
        valor = linha[QTD] * linha[PRECO]
        hoje_ok = disponivel_em == hoje
        valor_total += valor
        if hoje_ok:
            valor_hoje += valor
        else:
            em_ruptura += 1
        resultado.append(
            LinhaRuptura(
                cod_produto=linha[COD],
                cod_principal=principal,
                nome_produto=linha[NOME],
                qtd=linha[QTD],
                valor=valor.quantize(CENTAVO),
                estoque_atual=saldo,
                menor_estoque_d7=menor_d7,
                disponivel_hoje=hoje_ok,
                disponivel_em=disponivel_em,
                producao=list(resolve),
            )
        )
    # The thresholds on the exact share: 9.99% missing is under 10% though 90.01% shows as 90.0.
    exato = valor_hoje * CEM / valor_total if valor_total else (CEM if em_ruptura == 0 else ZERO)
    percentual = exato.quantize(Decimal("0.1")) if valor_total else exato
    datas = [linha.disponivel_em for linha in resultado]
    return AnaliseRuptura(
        num_pedido=num,
        raz_social_red=itens[0][RAZ_RED] or itens[0][RAZ],
        pedido_ok=em_ruptura == 0,
        percentual_disponibilidade=percentual,
        data_disponibilidade_total=None if any(d is None for d in datas) else max(d for d in datas if d is not None),
        criticidade=criticidade(CEM - exato, em_ruptura),
        valor_total=valor_total.quantize(CENTAVO),
        linhas_em_ruptura=em_ruptura,
        linhas=resultado,
    )
