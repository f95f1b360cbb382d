"""The oracle: plain Python that recomputes every derived number from the source rows.

Independent of the engine on purpose (its own grouping, its own rules, its own D+7 loop):
if both agree after every operation, the engine is right.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from carteira.models import PreSeparacaoItem, Separacao
from core.historico import RASTREADOS
from embarques.models import EmbarqueItem
from estoque.models import EstoqueTempoReal, LoteFaturado, MovimentacaoEstoque, MovimentacaoPrevista, UnificacaoCodigos
from producao.models import ProgramacaoProducao

ZERO = Decimal("0")


@dataclass
class Oracle:
    principal: dict  # code -> principal code (only codes in non-trivial groups)
    saldo: dict  # principal -> Decimal
    previstas: dict  # (principal, date) -> (entrada, saida), non-zero only
    d7: dict  # principal -> (menor, ruptura)
    lotes_faturados: set  # lotes with a matched, active EmbarqueItem
    d28: dict  # principal -> (menor D0..D28, first day below zero in D0..D28, status)

    def principal_de(self, cod):
        return self.principal.get(cod, cod)

    def projecao(self, cod, hoje, dias):
        """[(data, saldo_inicial, entrada, saida, saldo_final)] D0..D(dias)."""
        p = self.principal_de(cod)
        saldo = self.saldo.get(p, ZERO)
        dias_lista = []
        for k in range(dias + 1):
            dia = hoje + timedelta(days=k)
            entrada = saida = ZERO
            for (cod_p, data), (e, s) in self.previstas.items():
                if cod_p != p:
                    continue
                if data == dia:
                    entrada += e
                if data == dia or (k == 0 and data < hoje):
                    saida += s
            dias_lista.append((dia, saldo, entrada, saida, saldo + entrada - saida))
            saldo = saldo + entrada - saida
        return dias_lista


def _grupos() -> dict:
    vizinhos = defaultdict(set)
    for origem, destino in UnificacaoCodigos.objects.filter(ativo=True).values_list("codigo_origem", "codigo_destino"):
        vizinhos[origem].add(destino)
        vizinhos[destino].add(origem)
    principal = {}
    for inicio in sorted(vizinhos):
        if inicio in principal:
            continue
        grupo, pilha = {inicio}, [inicio]
        while pilha:
            for outro in vizinhos[pilha.pop()]:
                if outro not in grupo:
                    grupo.add(outro)
                    pilha.append(outro)
        menor = min(grupo)
        for cod in grupo:
            principal[cod] = menor
    return principal


def calcular(hoje: date | None = None) -> Oracle:
    hoje = hoje or timezone.localdate()
    principal = _grupos()
    p = lambda cod: principal.get(cod, cod)  # noqa: E731
    saldo = defaultdict(lambda: ZERO)
    for mov in MovimentacaoEstoque.objects.all():
        if mov.ativo:
            saldo[p(mov.cod_produto)] += mov.qtd_movimentacao
    previstas = defaultdict(lambda: [ZERO, ZERO])
    for prog in ProgramacaoProducao.objects.all():
        previstas[(p(prog.cod_produto), prog.data_programacao)][0] += prog.qtd_programada
    for pre in PreSeparacaoItem.objects.all():
        # CANCELADO (a carteira sync cancelled it) and ENVIADO_SEPARACAO (its separação counts) do not.
        if pre.status in ("CRIADO", "RECOMPOSTO") and pre.cancelado_em is None:
            previstas[(p(pre.cod_produto), pre.data_expedicao_editada)][1] += pre.qtd_selecionada_usuario
    lotes_faturados = {
        item.separacao_lote_id
        for item in EmbarqueItem.objects.all()
        # Matched invoice: erro_validacao NULL, empty or only blanks.
        if item.status == "ATIVO" and not (item.erro_validacao or "").strip(" \t\n\r\f\v")
    }
    for sep in Separacao.objects.all():
        if sep.cancelado_em is not None:  # cancelled by a carteira sync: kept, counts for nothing
            continue
        if sep.sincronizado_nf or sep.status in ("FATURADO", "NF no CD") or sep.separacao_lote_id in lotes_faturados:
            continue
        data = sep.expedicao or timezone.localdate(sep.criado_em)
        previstas[(p(sep.cod_produto), data)][1] += sep.qtd_saldo
    previstas = {chave: tuple(par) for chave, par in previstas.items() if par[0] or par[1]}

    d7, d28 = {}, {}
    for cod in set(saldo) | {c for c, _ in previstas}:
        atual = saldo.get(cod, ZERO)
        finais = []
        for k in range(29):
            dia = hoje + timedelta(days=k)
            entrada = sum((e for (c, d), (e, _) in previstas.items() if c == cod and d == dia), ZERO)
            saida = sum(
                (s for (c, d), (_, s) in previstas.items() if c == cod and (d == dia or (k == 0 and d < hoje))), ZERO
            )
            atual = atual + entrada - saida
            finais.append((dia, atual))
        negativos = [dia for dia, final in finais if final < 0]
        d7[cod] = (min(final for _, final in finais[:8]), next((d for d in negativos if d <= finais[7][0]), None))
        ruptura = negativos[0] if negativos else None
        status = "OK" if ruptura is None else ("CRITICO" if ruptura <= finais[7][0] else "ATENCAO")
        d28[cod] = (min(final for _, final in finais), ruptura, status)
    return Oracle(principal, dict(saldo), previstas, d7, lotes_faturados - {""}, d28)


def diferencas_com_derivados(hoje: date | None = None, historico: bool = True) -> list[str]:
    """Every way the derived tables differ from the oracle (empty list: equal), and, unless the
    test wrote rows around the ORM (the demo generator), every way the history differs from the rows."""
    oraculo = calcular(hoje)
    difs = diferencas_do_historico() if historico else []
    guardadas = {
        (cod, data): (entrada, saida)
        for cod, data, entrada, saida in MovimentacaoPrevista.objects.values_list(
            "cod_produto", "data_prevista", "entrada_prevista", "saida_prevista"
        )
    }
    for chave in sorted(set(guardadas) | set(oraculo.previstas)):
        if guardadas.get(chave) != oraculo.previstas.get(chave):
            difs.append(f"prevista {chave}: tabela={guardadas.get(chave)} oracle={oraculo.previstas.get(chave)}")
    lotes_aplicados = set(LoteFaturado.objects.values_list("separacao_lote_id", flat=True))
    if lotes_aplicados != oraculo.lotes_faturados:
        difs.append(f"lotes faturados: tabela={sorted(lotes_aplicados)} oracle={sorted(oraculo.lotes_faturados)}")
    estoques = {e.cod_produto: e for e in EstoqueTempoReal.objects.all()}
    for cod in estoques:
        if oraculo.principal_de(cod) != cod:
            difs.append(f"linha derivada sob código não principal {cod} (principal {oraculo.principal_de(cod)})")
    for cod in sorted(set(estoques) | set(oraculo.d7)):
        if oraculo.principal_de(cod) != cod:
            continue
        esperado = (
            oraculo.saldo.get(cod, ZERO),
            *oraculo.d7.get(cod, (ZERO, None)),
            *oraculo.d28.get(cod, (ZERO, None, "OK")),
        )
        estoque = estoques.get(cod)
        atual = (
            (
                estoque.saldo_atual,
                estoque.menor_estoque_d7,
                estoque.dia_ruptura,
                estoque.menor_estoque_d28,
                estoque.dia_ruptura_d28,
                estoque.status,
            )
            if estoque
            else (ZERO, ZERO, None, ZERO, None, "OK")
        )
        if atual != esperado:
            difs.append(f"estoque {cod}: tabela={atual} oracle={esperado}")
    return difs


def diferencas_do_historico() -> list[str]:
    """The history against the rows, for every tracked table (core.historico): each row's latest
    history entry is not a deletion and holds the row's values; an object whose latest entry is not
    a deletion still exists. Whatever path wrote (save, update(), bulk_create, bulk_update, delete,
    cascade), a write the history missed shows here."""
    difs = []
    for model in RASTREADOS:
        historico = model.history.model
        campos = [campo.attname for campo in historico.tracked_fields]
        ultimos: dict = {}
        for entrada in historico.objects.order_by("history_date", "history_id").values("history_type", *campos):
            ultimos[entrada[model._meta.pk.attname]] = entrada
        linhas = {linha[model._meta.pk.attname]: linha for linha in model._base_manager.values(*campos)}
        nome = model.__name__
        for pk, linha in linhas.items():
            ultimo = ultimos.get(pk)
            if ultimo is None or ultimo["history_type"] == "-":
                difs.append(
                    f"histórico {nome} {pk}: a linha existe e o histórico {'não a tem' if ultimo is None else 'diz excluída'}"
                )
                continue
            mudou = {c: (ultimo[c], linha[c]) for c in campos if ultimo[c] != linha[c]}
            if mudou:
                difs.append(f"histórico {nome} {pk}: último registro difere da linha {mudou}")
        for pk, ultimo in ultimos.items():
            if ultimo["history_type"] != "-" and pk not in linhas:
                difs.append(f"histórico {nome} {pk}: a linha não existe e o histórico não registrou a exclusão")
    return difs
