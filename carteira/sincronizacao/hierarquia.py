"""The fixed order in which a reduced order line takes quantity back from its allocations.

An order line's allocations are its active pré-separações (CRIADO/RECOMPOSTO) and its
pending separações (not invoiced: the engine's rule, the same outflows the forecast counts).
Its free balance is saldo - allocations. When Odoo reduces the line from `antes` to `depois`:

1. the free balance absorbs the reduction first; only `allocations - depois` must come back;
2. then pré-separações, newest first (reduced; cancelled at zero);
3. then separações ABERTO, newest first (reduced; cancelled at zero);
4. then separações COTADO, newest first (reduced; cancelled at zero), each one raising an
   alert for the operators.
Nothing is ever deleted: a cancelled allocation keeps its quantity, is marked with the run
that cancelled it (pré-separação: status CANCELADO; separação: cancelado_em) and counts for
nothing (carteira.models: ativas(), pendentes()). Separações EMBARCADO (on a truck) and
invoiced ones (FATURADO, NF no CD, or with a matched invoice) are never touched: what they
hold above the new saldo is reported, not changed. A removed line is a reduction to zero.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from carteira.models import AlertaSeparacaoCotada, PreSeparacaoItem, Separacao, SincronizacaoCarteira

ZERO = Decimal("0")
LIVRE = "LIVRE"  # informational: what the free balance absorbed
PRE_REDUZIR, PRE_CANCELAR = "PRE_REDUZIR", "PRE_CANCELAR"
SEP_REDUZIR, SEP_CANCELAR = "SEP_REDUZIR", "SEP_CANCELAR"
ORDEM_SEPARACOES = (Separacao.Status.ABERTO, Separacao.Status.COTADO)
AlertaTipo = AlertaSeparacaoCotada.Tipo


def fmt(qtd: Decimal | None) -> str:
    """A quantity as people write it: 100, 12.5 (never 100.000 or 1E+2)."""
    return "-" if qtd is None else f"{qtd.normalize():f}"


@dataclass
class Acao:
    tipo: str
    chave: tuple[str, str]
    antes: Decimal
    depois: Decimal
    objeto: PreSeparacaoItem | Separacao | None = None
    alerta: str = ""  # AlertaSeparacaoCotada.Tipo when a COTADO separação is touched

    def descricao(self) -> str:
        pedido, produto = self.chave
        if self.tipo == LIVRE:
            return (
                f"{pedido}/{produto}: {fmt(self.antes - self.depois)} absorvidos pelo saldo livre "
                f"({fmt(self.antes)} → {fmt(self.depois)} livres)"
            )
        objeto = self.objeto
        if self.tipo in (PRE_REDUZIR, PRE_CANCELAR):
            assert isinstance(objeto, PreSeparacaoItem)  # planejar_reducao pairs these types with a pré-separação
            alvo = f"pré-separação #{objeto.pk} (expedição {objeto.data_expedicao_editada:%d/%m/%Y})"
        else:
            assert isinstance(objeto, Separacao)  # ... and SEP_* with a separação
            alvo = f"separação {objeto.status} lote {objeto.separacao_lote_id}"
        verbo = "cancelada" if self.tipo in (PRE_CANCELAR, SEP_CANCELAR) else "reduzida"
        alerta = f"  [ALERTA {self.alerta}: separação cotada afetada]" if self.alerta else ""
        return f"{pedido}/{produto}: {alvo} {verbo}: {fmt(self.antes)} → {fmt(self.depois)}{alerta}"


def _mais_novos_primeiro(objetos):
    return sorted(objetos, key=lambda o: (o.criado_em, o.pk), reverse=True)


def alocacoes(chaves, travar: bool) -> dict:
    """{chave: (active pré-separações, pending separações)}, each newest first; locked when travar."""
    chaves = set(chaves)
    pedidos = sorted({pedido for pedido, _ in chaves})
    pres, seps = defaultdict(list), defaultdict(list)
    for inicio in range(0, len(pedidos), 1000):
        parte = pedidos[inicio : inicio + 1000]
        consulta_pre = PreSeparacaoItem.objects.ativas().filter(num_pedido__in=parte)
        consulta_sep = Separacao.objects.pendentes().filter(num_pedido__in=parte)
        if travar:
            consulta_pre, consulta_sep = consulta_pre.select_for_update(), consulta_sep.select_for_update()
        for pre in consulta_pre.order_by("pk"):
            if (pre.num_pedido, pre.cod_produto) in chaves:
                pres[(pre.num_pedido, pre.cod_produto)].append(pre)
        for sep in consulta_sep.order_by("pk"):
            if (sep.num_pedido, sep.cod_produto) in chaves:
                seps[(sep.num_pedido, sep.cod_produto)].append(sep)
    return {chave: (_mais_novos_primeiro(pres[chave]), _mais_novos_primeiro(seps[chave])) for chave in chaves}


def planejar_reducao(chave, antes: Decimal, depois: Decimal, pres, seps, removida: bool = False):
    """The actions that make the line's allocations fit `depois`, and what still does not fit."""
    alocado = sum((p.qtd_selecionada_usuario for p in pres), ZERO) + sum((s.qtd_saldo for s in seps), ZERO)
    livre = antes - alocado
    acoes = []
    absorvido = min(antes - depois, max(livre, ZERO))
    if absorvido > 0:
        acoes.append(Acao(LIVRE, chave, livre, livre - absorvido))
    excesso = alocado - depois
    for pre in pres:
        if excesso <= 0:
            return acoes, ZERO
        tirar = min(excesso, pre.qtd_selecionada_usuario)
        novo = pre.qtd_selecionada_usuario - tirar
        acoes.append(Acao(PRE_CANCELAR if novo == 0 else PRE_REDUZIR, chave, pre.qtd_selecionada_usuario, novo, pre))
        excesso -= tirar
    for status in ORDEM_SEPARACOES:
        for sep in (s for s in seps if s.status == status):
            if excesso <= 0:
                return acoes, ZERO
            tirar = min(excesso, sep.qtd_saldo)
            if tirar <= 0:
                continue
            novo = sep.qtd_saldo - tirar
            alerta = ""
            if status == Separacao.Status.COTADO:
                alerta = AlertaTipo.REMOCAO if removida else AlertaTipo.REDUCAO
            tipo = SEP_CANCELAR if novo == 0 else SEP_REDUZIR
            acoes.append(Acao(tipo, chave, sep.qtd_saldo, novo, sep, alerta=alerta))
            excesso -= tirar
    return acoes, max(excesso, ZERO)


def _proporcional(valor: Decimal, depois: Decimal, antes: Decimal, casas: str) -> Decimal:
    if not antes:
        return valor
    return (valor * depois / antes).quantize(Decimal(casas), rounding=ROUND_HALF_UP)


def _alertar(sep: Separacao, acao: Acao):
    """One open alert per lote/pedido/produto: a later reduction updates it (qtd_antes stays the first)."""
    aberto = (
        AlertaSeparacaoCotada.objects.select_for_update()
        .filter(
            separacao_lote_id=sep.separacao_lote_id,
            num_pedido=sep.num_pedido,
            cod_produto=sep.cod_produto,
            reconhecido=False,
        )
        .first()
    )
    if aberto is None:
        AlertaSeparacaoCotada.objects.create(
            separacao_lote_id=sep.separacao_lote_id,
            num_pedido=sep.num_pedido,
            cod_produto=sep.cod_produto,
            tipo=acao.alerta,
            qtd_antes=acao.antes,
            qtd_depois=acao.depois,
        )
        return
    aberto.tipo, aberto.qtd_depois = acao.alerta, acao.depois
    aberto.save(update_fields=["tipo", "qtd_depois", "atualizado_em"])


def aplicar(acoes: list[Acao], execucao: SincronizacaoCarteira):
    """Write the actions through the ORM (the derivation engine follows every row).

    A cancellation keeps the row and its quantity and names `execucao`, the run cancelling it.
    """
    agora = timezone.now()
    for acao in acoes:
        objeto = acao.objeto
        if acao.tipo == PRE_CANCELAR:
            assert isinstance(objeto, PreSeparacaoItem)  # planejar_reducao pairs PRE_* with a pré-separação
            objeto.status = PreSeparacaoItem.Status.CANCELADO
            objeto.cancelado_em, objeto.cancelado_por_sincronizacao = agora, execucao
            objeto.save(update_fields=["status", "cancelado_em", "cancelado_por_sincronizacao"])
        elif acao.tipo == SEP_CANCELAR:
            assert isinstance(objeto, Separacao)
            objeto.cancelado_em, objeto.cancelado_por_sincronizacao = agora, execucao
            objeto.save(update_fields=["cancelado_em", "cancelado_por_sincronizacao"])
            if acao.alerta:
                _alertar(objeto, acao)
        elif acao.tipo == PRE_REDUZIR:
            assert isinstance(objeto, PreSeparacaoItem)
            objeto.qtd_selecionada_usuario = acao.depois
            objeto.save(update_fields=["qtd_selecionada_usuario"])
        elif acao.tipo == SEP_REDUZIR:
            assert isinstance(objeto, Separacao)
            objeto.valor_saldo = _proporcional(objeto.valor_saldo, acao.depois, acao.antes, "0.01")
            objeto.peso = _proporcional(objeto.peso, acao.depois, acao.antes, "0.001")
            objeto.pallet = _proporcional(objeto.pallet, acao.depois, acao.antes, "0.001")
            objeto.qtd_saldo = acao.depois
            objeto.save(update_fields=["qtd_saldo", "valor_saldo", "peso", "pallet"])
            if acao.alerta:
                _alertar(objeto, acao)
