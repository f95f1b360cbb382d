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
from json.encoder import encode_basestring_ascii

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from estoque.projecao import DIAS_MAX
from estoque.selectors import Leitura
from estoque.selectors.disponibilidade import Disponibilidade, carimbos, ler_projecoes
from producao.models import ProgramacaoProducao

ZERO = Decimal("0")
CEM = Decimal("100")
CENTAVO = Decimal("0.01")


def _texto(valor: str | None) -> str:
    """A str as json.dumps writes it (ASCII, escaped), None as null."""
    return "null" if valor is None else encode_basestring_ascii(valor)


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

    def como_json(self) -> str:
        return (
            f'{{"data":"{self.data.isoformat()}","cod_produto":{_texto(self.cod_produto)},'
            f'"qtd_programada":{float(self.qtd_programada)!r},"linha_producao":{_texto(self.linha_producao)}}}'
        )


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

    def como_json(self) -> str:
        em = f'"{self.disponivel_em.isoformat()}"' if self.disponivel_em else "null"
        producao = ",".join(p.como_json() for p in self.producao) if self.producao else ""
        return (
            f'{{"cod_produto":{encode_basestring_ascii(self.cod_produto)},'
            f'"cod_principal":{encode_basestring_ascii(self.cod_principal)},'
            f'"nome_produto":{_texto(self.nome_produto)},"qtd":{float(self.qtd)!r},"valor":{float(self.valor)!r},'
            f'"estoque_atual":{float(self.estoque_atual)!r},"menor_estoque_d7":{float(self.menor_estoque_d7)!r},'
            f'"disponivel_hoje":{"true" if self.disponivel_hoje else "false"},'
            f'"disponivel_em":{em},"producao":[{producao}]}}'
        )


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
    linhas: list[LinhaRuptura] | None  # None: judged without the lines' details (a background lot)

    def como_dict(self) -> dict:
        """The JSON shape of the API and the stored lots (Decimal as float, dates ISO), built
        field by field: dataclasses.asdict deep-copies every value (about twice as slow). Without
        the lines' details (linhas None), no "linhas" key: what the background lots store."""
        total = self.data_disponibilidade_total
        resumo = {
            "num_pedido": self.num_pedido,
            "raz_social_red": self.raz_social_red,
            "pedido_ok": self.pedido_ok,
            "percentual_disponibilidade": float(self.percentual_disponibilidade),
            "data_disponibilidade_total": total.isoformat() if total else None,
            "criticidade": self.criticidade,
            "valor_total": float(self.valor_total),
            "linhas_em_ruptura": self.linhas_em_ruptura,
        }
        if self.linhas is not None:
            resumo["linhas"] = [linha.como_dict() for linha in self.linhas]
        return resumo

    def como_json(self) -> str:
        """como_dict as compact JSON, written directly: the background lots store tens of
        thousands of orders, and building the dicts and encoding them cost more than judging them
        (tests/carteira/test_ruptura_oraculo.py holds both equal)."""
        total = f'"{self.data_disponibilidade_total.isoformat()}"' if self.data_disponibilidade_total else "null"
        linhas = "" if self.linhas is None else f',"linhas":[{",".join(linha.como_json() for linha in self.linhas)}]'
        return (
            f'{{"num_pedido":{_texto(self.num_pedido)},"raz_social_red":{_texto(self.raz_social_red)},'
            f'"pedido_ok":{"true" if self.pedido_ok else "false"},'
            f'"percentual_disponibilidade":{float(self.percentual_disponibilidade)!r},'
            f'"data_disponibilidade_total":{total},'
            f'"criticidade":{_texto(self.criticidade)},"valor_total":{float(self.valor_total)!r},'
            f'"linhas_em_ruptura":{self.linhas_em_ruptura}{linhas}}}'
        )


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


def _em(modelo, campo: str, valores):
    """campo IN valores; on PostgreSQL `= ANY` of one array parameter: a lot sends thousands of
    values, and one placeholder each cost more to parse and quote than the query took; and with the
    array the planner sees how many there are (an index scan for a lot's orders)."""
    valores = sorted(set(valores))
    if connection.vendor == "postgresql":
        coluna = f'"{modelo._meta.db_table}"."{modelo._meta.get_field(campo).column}"'
        return RawSQL(f"{coluna} = ANY(%s::varchar[])", [valores], output_field=BooleanField())
    return Q(**{f"{campo}__in": valores})


class Instantaneo:
    """Every product's judgement inputs read once for a whole analysis, in one worker process: the
    stock, forecast rows and production of the whole catalog, and the projections built from them
    as the lots ask (each at most once). A lot of 640 orders touches ~7,000 of the 58,100 products
    at scale 100, so lot by lot the carteira read and projected each product ~7 times over.

    A lot uses it for the principals whose stock row still holds the stamp read here (carimbos:
    every write to a product's balance or forecast rows changes it) and reads the others afresh,
    so each order is judged on the stock as it is when its lot runs, as without the snapshot."""

    def __init__(self, hoje: date):
        self.hoje = hoje
        # Its stamps are read with the stock rows, before the forecast rows: a write after them
        # changes a stamp, so a lot reads that principal again.
        self.leitura = ler_projecoes(None, hoje)
        self.carimbos = {principal: dados[2] for principal, dados in self.leitura.estoques.items()}
        self.producao = _producao_por_principal(self.leitura, hoje, todos=True)
        # Every order's own outflows, read after the stamps too: they are forecast rows of the products.
        self.proprias = _saidas_proprias(None, self.leitura)
        self.base: dict[str, Disponibilidade] = {}

    def para(self, codigos) -> tuple[Leitura, defaultdict, dict[str, Disponibilidade], bool]:
        """(leitura, producao, base, atual) for a lot with these codes: the snapshot's, with the
        principals changed since it was read (or unknown to it) read again; atual when none was,
        so the snapshot's own outflows of the orders hold too (a change to them stamps the product)."""
        leitura = self.leitura
        principais = {leitura.principal_de.get(cod, cod) for cod in codigos}
        lidos, atuais = self.carimbos, carimbos(principais)
        mudados = {p for p in principais if atuais.get(p) != lidos.get(p)} | (set(codigos) - set(leitura.principal_de))
        if not mudados:
            return leitura, self.producao, self.base, True
        novos = ler_projecoes({cod for p in mudados for cod in leitura.membros.get(p, [p])}, self.hoje)
        junta = Leitura(
            {**leitura.principal_de, **novos.principal_de},
            {**leitura.membros, **novos.membros},
            {**leitura.estoques, **novos.estoques},
            {**leitura.previstas, **novos.previstas},
            {},
            leitura.unificados | novos.unificados,
        )
        for principal in novos.membros:  # no stock row or forecast rows now: none of the snapshot's either
            if principal not in novos.estoques:
                junta.estoques.pop(principal, None)
            if principal not in novos.previstas:
                junta.previstas.pop(principal, None)
        producao = defaultdict(lambda: defaultdict(list), self.producao)
        producao.update(_producao_por_principal(novos, self.hoje))
        base = {p: d for p, d in self.base.items() if p not in novos.membros}
        return junta, producao, base, False


def analisar_pedidos(
    pedidos=None, hoje: date | None = None, instantaneo: Instantaneo | None = None, detalhes: bool = True
) -> dict[str, AnaliseRuptura]:
    """Analyse these orders (default: every open order) in a fixed number of queries; with an
    Instantaneo of the same day, on its snapshot (what is still current of it). Without detalhes,
    every line is judged the same but only the order's results come back (linhas None): what the
    background lots store; a page asks one order's lines when it shows them."""
    hoje = hoje or timezone.localdate()
    consulta = CarteiraPrincipal.objects.filter(ativo=True, qtd_saldo_produto_pedido__gt=0)
    if pedidos is not None:
        consulta = consulta.filter(_em(CarteiraPrincipal, "num_pedido", pedidos))
    linhas = list(consulta.order_by("num_pedido", "cod_produto").values_list(*CAMPOS_LINHA))
    if not linhas:
        return {}
    numeros = sorted({linha[NUM] for linha in linhas})
    codigos = {linha[COD] for linha in linhas}
    atual = False
    if instantaneo is not None and instantaneo.hoje == hoje:
        leitura, producao, base, atual = instantaneo.para(codigos)
    else:
        leitura = ler_projecoes(codigos, hoje)
        producao = _producao_por_principal(leitura, hoje)
        base = {}  # principal -> its projection with every outflow
    proprias = instantaneo.proprias if atual and instantaneo else _saidas_proprias(numeros, leitura)
    por_pedido = defaultdict(list)
    for linha in linhas:
        por_pedido[linha[NUM]].append(linha)
    return {
        num: _analisar(num, itens, leitura, proprias.get(num, {}), producao, hoje, base, detalhes)
        for num, itens in por_pedido.items()
    }


def analisar_pedido(num_pedido: str, hoje: date | None = None) -> AnaliseRuptura | None:
    return analisar_pedidos([num_pedido], hoje).get(num_pedido)


def _saidas_proprias(numeros, leitura) -> defaultdict[str, defaultdict[str, list]]:
    """num_pedido -> principal -> [(data, qtd)] of these orders' own forecast outflows (of every
    order when numeros is None)."""
    resultado: defaultdict[str, defaultdict[str, list]] = defaultdict(lambda: defaultdict(list))
    principal = lambda cod: leitura.principal_de.get(cod, cod)  # noqa: E731
    pre_separacoes = PreSeparacaoItem.objects.ativas()
    separacoes = Separacao.objects.pendentes()
    if numeros is not None:
        pre_separacoes = pre_separacoes.filter(_em(PreSeparacaoItem, "num_pedido", numeros))
        separacoes = separacoes.filter(_em(Separacao, "num_pedido", numeros))
    for num, cod, data, qtd in pre_separacoes.values_list(
        "num_pedido", "cod_produto", "data_expedicao_editada", "qtd_selecionada_usuario"
    ):
        resultado[num][principal(cod)].append((data, qtd))
    separacoes = separacoes.com_data_prevista()
    for num, cod, data, qtd in separacoes.values_list("num_pedido", "cod_produto", "data_prevista", "qtd_saldo"):
        resultado[num][principal(cod)].append((data, qtd))
    return resultado


def _producao_por_principal(leitura, hoje, todos: bool = False) -> defaultdict[str, defaultdict[date, list]]:
    """principal -> day -> [(cod_produto, qtd_programada, linha_producao)] of these products (or of
    all): plain tuples, made into ProducaoQueResolve only for the few lines that production resolves."""
    resultado: defaultdict[str, defaultdict[date, list]] = defaultdict(lambda: defaultdict(list))
    # By group: a member's production resolves its principal's lines even when no line of the lot
    # names that member (principal_de holds only the codes asked, membros the whole groups).
    dono = {membro: principal for principal, membros in leitura.membros.items() for membro in membros}
    consulta = ProgramacaoProducao.objects.filter(
        data_programacao__gte=hoje, data_programacao__lte=hoje + timedelta(days=DIAS_MAX)
    )
    if not todos:
        consulta = consulta.filter(
            _em(ProgramacaoProducao, "cod_produto", {cod for membros in leitura.membros.values() for cod in membros})
        )
    for cod, data, qtd, linha in consulta.values_list(
        "cod_produto", "data_programacao", "qtd_programada", "linha_producao"
    ):
        resultado[dono.get(cod, cod)][data].append((cod, qtd, linha))
    return resultado


def _julgar(principal, quantidade, leitura, proprias, hoje, base):
    """(saldo, menor_d7, disponivel_em) of this quantity of a principal, on the projection
    without the order's own outflows."""
    saldo = leitura.estoques.get(principal, (ZERO,))[0]
    disponibilidade = _base(principal, saldo, leitura, hoje, base)
    saidas = proprias.get(principal)
    if saidas:
        disponibilidade = disponibilidade.sem_saidas(saidas)
    return saldo, disponibilidade.menor_d7, disponibilidade.primeiro_dia(quantidade)


def _base(principal, saldo, leitura, hoje, base) -> Disponibilidade:
    """The principal's projection with every outflow, projected once per `base` (memo)."""
    disponibilidade = base.get(principal)
    if disponibilidade is None:
        disponibilidade = base[principal] = Disponibilidade.projetada(saldo, leitura.previstas.get(principal, ()), hoje)
    return disponibilidade


def _disponivel_em(principal, quantidade, leitura, proprias, hoje, base) -> date | None:
    """_julgar's first available day alone (what an order's results need): without building the
    projection that takes the order's own outflows back out (Disponibilidade.primeiro_dia_sem)."""
    disponibilidade = _base(principal, leitura.estoques.get(principal, (ZERO,))[0], leitura, hoje, base)
    saidas = proprias.get(principal)
    if saidas:
        return disponibilidade.primeiro_dia_sem(saidas, quantidade)
    return disponibilidade.primeiro_dia(quantidade)


def _analisar(num, itens, leitura, proprias, producao, hoje, base, detalhes=True) -> AnaliseRuptura:
    """One order: its lines of one principal judged together on their summed quantity. Without
    detalhes only the first available day is judged and no line objects are built (linhas None)."""
    principal_de = leitura.principal_de
    principais = [principal_de.get(linha[COD], linha[COD]) for linha in itens]
    por_principal: dict[str, Decimal] = {}
    for principal, linha in zip(principais, itens, strict=True):
        por_principal[principal] = por_principal[principal] + linha[QTD] if principal in por_principal else linha[QTD]
    julgamento: dict[str, tuple] = {}
    for principal, quantidade in por_principal.items():
        if not detalhes:
            julgamento[principal] = (_disponivel_em(principal, quantidade, leitura, proprias, hoje, base),)
            continue
        saldo, menor_d7, disponivel_em = _julgar(principal, quantidade, leitura, proprias, hoje, base)
        resolve = []
        if disponivel_em and disponivel_em > hoje:
            resolve = [ProducaoQueResolve(disponivel_em, *p) for p in producao[principal].get(disponivel_em, ())]
        julgamento[principal] = (disponivel_em, saldo, menor_d7, resolve)

    resultado, valor_total, valor_hoje, em_ruptura, sem_data, ultima = [], ZERO, ZERO, 0, False, None
    for principal, linha in zip(principais, itens, strict=True):
        julgado = julgamento[principal]
        disponivel_em = julgado[0]
        valor = linha[QTD] * linha[PRECO]
        valor_total += valor
        if disponivel_em == hoje:
            valor_hoje += valor
        else:
            em_ruptura += 1
            if disponivel_em is None:
                sem_data = True
            elif ultima is None or disponivel_em > ultima:
                ultima = disponivel_em
        if detalhes:
            _, saldo, menor_d7, resolve = julgado
            resultado.append(
                LinhaRuptura(
                    linha[COD],
                    principal,
                    linha[NOME],
                    linha[QTD],
                    valor.quantize(CENTAVO),
                    saldo,
                    menor_d7,
                    disponivel_em == hoje,
                    disponivel_em,
                    resolve,  # shared by the lines of one principal: never changed after this
                )
            )
    # The thresholds on the exact share: 9.99% missing is under 10% though 90.01% shows as 90.0.
    exato = valor_hoje * CEM / valor_total if valor_total else (CEM if em_ruptura == 0 else ZERO)
    percentual = exato.quantize(Decimal("0.1")) if valor_total else exato
    return AnaliseRuptura(
        num_pedido=num,
        raz_social_red=itens[0][RAZ_RED] or itens[0][RAZ],
        pedido_ok=em_ruptura == 0,
        percentual_disponibilidade=percentual,
        data_disponibilidade_total=None if sem_data else (ultima or hoje),
        criticidade=criticidade(CEM - exato, em_ruptura),
        valor_total=valor_total.quantize(CENTAVO),
        linhas_em_ruptura=em_ruptura,
        linhas=resultado if detalhes else None,
    )
