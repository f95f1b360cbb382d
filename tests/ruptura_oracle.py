"""The ruptura oracle: the per-order stock-out analysis recomputed in plain Python from the source rows.

Shares no code with carteira/ruptura nor with the engine: it reads the rows (movements,
production, pré-separações, separações, embarque items, unifications, order lines) and applies the
rules as docs/arquitetura.md and the analysis's docstring state them:

- the product is the unified group (its smallest code);
- the projection D0..D28 of the group: stock now, production on its day (production dated before
  today never happened as planned and does not count), every pending outflow on its day (overdue
  ones on D0; a separação without expedição on the day it was created) — except the analysed
  order's own outflows, which the order's lines replace;
- the lines of one order that are the same group are judged together, on their summed quantity:
  available on day d when every final balance from d to D28 is at least that quantity; the first
  such d is "disponível em" (none when D28 itself falls short);
- a line can ship today when that day is today; percentual = value that can ship today / order's
  value (value = quantity × price, by value, never by line count), one decimal; an order of value
  zero is 100% when every line can ship today, else 0%;
- criticidade on (100 − percentual, lines that cannot ship today): CRITICA ≥ 50 or ≥ 5 lines,
  ALTA ≥ 25 or ≥ 3, MEDIA ≥ 10 or ≥ 2, else BAIXA.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from embarques.models import EmbarqueItem
from estoque.models import MovimentacaoEstoque, UnificacaoCodigos
from producao.models import ProgramacaoProducao

ZERO = Decimal("0")
DIAS = 28


def _principais() -> dict:
    pares = list(UnificacaoCodigos.objects.filter(ativo=True).values_list("codigo_origem", "codigo_destino"))
    grupo_de = {}
    for a, b in pares:  # union by relabelling: small, and unlike the engine's or tests.oracle's walk
        ga, gb = grupo_de.get(a, {a}), grupo_de.get(b, {b})
        if ga is gb:
            continue
        junto = ga | gb
        for cod in junto:
            grupo_de[cod] = junto
    return {cod: min(grupo) for cod, grupo in grupo_de.items()}


def _fluxos(hoje: date):
    """(saldo por grupo, [(grupo, dia, entrada, saída, pedido)])."""
    principais = _principais()
    g = lambda cod: principais.get(cod, cod)  # noqa: E731
    saldo: defaultdict = defaultdict(lambda: ZERO)
    for cod, qtd in MovimentacaoEstoque.objects.filter(ativo=True).values_list("cod_produto", "qtd_movimentacao"):
        saldo[g(cod)] += qtd
    fluxos = []
    for cod, dia, qtd in ProgramacaoProducao.objects.values_list("cod_produto", "data_programacao", "qtd_programada"):
        fluxos.append((g(cod), dia, qtd, ZERO, None))
    for pre in PreSeparacaoItem.objects.filter(cancelado_em__isnull=True, status__in=["CRIADO", "RECOMPOSTO"]):
        fluxos.append(
            (g(pre.cod_produto), pre.data_expedicao_editada, ZERO, pre.qtd_selecionada_usuario, pre.num_pedido)
        )
    faturados = {
        item.separacao_lote_id
        for item in EmbarqueItem.objects.filter(status="ATIVO")
        if (item.erro_validacao or "").strip() == ""
    }
    for sep in Separacao.objects.filter(cancelado_em__isnull=True):
        if sep.status in ("FATURADO", "NF no CD") or sep.sincronizado_nf or sep.separacao_lote_id in faturados:
            continue
        dia = sep.expedicao if sep.expedicao is not None else timezone.localtime(sep.criado_em).date()
        fluxos.append((g(sep.cod_produto), dia, ZERO, sep.qtd_saldo, sep.num_pedido))
    return principais, saldo, fluxos


def _finais(grupo, saldo, fluxos, pedido, hoje) -> list[tuple[date, Decimal]]:
    por_dia: defaultdict = defaultdict(lambda: ZERO)
    for g, dia, entrada, saida, dono in fluxos:
        if g != grupo:
            continue
        if entrada and hoje <= dia <= hoje + timedelta(days=DIAS):
            por_dia[dia] += entrada
        if saida and dono != pedido:
            por_dia[max(dia, hoje)] -= saida
    atual, finais = saldo[grupo], []
    for k in range(DIAS + 1):
        dia = hoje + timedelta(days=k)
        atual += por_dia[dia]
        finais.append((dia, atual))
    return finais


def _disponivel_em(finais, quantidade):
    for i, (dia, _) in enumerate(finais):
        if all(final >= quantidade for _, final in finais[i:]):
            return dia
    return None


def criticidade(em_ruptura_pct: Decimal, linhas: int) -> str:
    if em_ruptura_pct >= 50 or linhas >= 5:
        return "CRITICA"
    if em_ruptura_pct >= 25 or linhas >= 3:
        return "ALTA"
    if em_ruptura_pct >= 10 or linhas >= 2:
        return "MEDIA"
    return "BAIXA"


def analisar(hoje: date | None = None) -> dict:
    """num_pedido -> {pedido_ok, percentual, criticidade, linhas_em_ruptura, data_total, linhas: {cod: (disponivel_em, hoje)}}."""
    hoje = hoje or timezone.localdate()
    principais, saldo, fluxos = _fluxos(hoje)
    linhas = CarteiraPrincipal.objects.filter(ativo=True, qtd_saldo_produto_pedido__gt=0)
    por_pedido: defaultdict = defaultdict(list)
    for linha in linhas:
        por_pedido[linha.num_pedido].append(linha)
    resultado = {}
    for pedido, itens in por_pedido.items():
        quantidade: defaultdict = defaultdict(lambda: ZERO)
        for linha in itens:
            quantidade[principais.get(linha.cod_produto, linha.cod_produto)] += linha.qtd_saldo_produto_pedido
        disponivel = {
            grupo: _disponivel_em(_finais(grupo, saldo, fluxos, pedido, hoje), qtd) for grupo, qtd in quantidade.items()
        }
        total = hoje_valor = ZERO
        falhas = 0
        por_linha = {}
        for linha in itens:
            dia = disponivel[principais.get(linha.cod_produto, linha.cod_produto)]
            valor = linha.qtd_saldo_produto_pedido * linha.preco_produto_pedido
            total += valor
            if dia == hoje:
                hoje_valor += valor
            else:
                falhas += 1
            por_linha[(linha.cod_produto, linha.pk)] = (dia, dia == hoje)
        # The thresholds on the exact share; only the shown percentage is rounded.
        exato = hoje_valor * 100 / total if total else (Decimal("100") if falhas == 0 else ZERO)
        percentual = exato.quantize(Decimal("0.1")) if total else exato
        dias = [dia for dia, _ in por_linha.values()]
        resultado[pedido] = {
            "pedido_ok": falhas == 0,
            "percentual": percentual,
            "criticidade": criticidade(100 - exato, falhas),
            "linhas_em_ruptura": falhas,
            "data_total": None if None in dias else max(dias),
            "linhas": por_linha,
        }
    return resultado
