"""The plan of a sync: memória, diff, the actions on the allocations, and what needs confirmation.

`planejar` reads the database as it is now (locked rows when the plan is to be applied);
nothing here writes. A plan needs explicit confirmation (`Plano.motivos`) when it would
- leave the carteira without any Odoo line while it has some (an empty source),
- remove more than CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO percent (default 20) of the
  carteira's Odoo-origin lines,
- touch a separação COTADO (reduce or cancel it), or
- leave a separação EMBARCADO above its line's new balance (the sync never changes those).
A confirmation is the plan the user saw (`Plano.resumo`, kept in the run); a fresh plan is
applied under it only if it stays within it (`Plano.alem_de` is empty): no removed line,
COTADO separação touched or EMBARCADO separação left above its line that the user did not
see, and no such separação left with less than the user saw. Applying a simulated plan (a
spreadsheet's dry-run, the same file read again) is stricter (`simulado=True`): the source
cannot have changed, so any difference comes from the carteira; every pré-separação and
separação the plan reduces or cancels must be in the simulated plan, none left with less, and
a plan that now needs confirmation must have needed it when simulated.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from carteira.sincronizacao import hierarquia
from carteira.sincronizacao.configuracao import percentual

ZERO = Decimal("0")
CEM = Decimal("100")
LIMITE_REMOCAO = "CARTEIRA_SINCRONIZACAO_LIMITE_REMOCAO"
LIMITE_REMOCAO_PADRAO = "20"
LISTADOS = 20  # items named in a message; the run's page lists them all


class Tipo:
    NOVA = "NOVA"
    REMOVIDA = "REMOVIDA"
    REDUZIDA = "REDUZIDA"
    AUMENTADA = "AUMENTADA"
    ALTERADA = "ALTERADA"  # same saldo, other fields changed


@dataclass
class Mudanca:
    chave: tuple[str, str]
    tipo: str
    antes: Decimal | None
    depois: Decimal | None
    linha: CarteiraPrincipal | None = None
    registro: dict | None = None
    campos: list[str] = field(default_factory=list)


@dataclass
class Embarcada:
    """A separação EMBARCADO whose line drops below what is allocated: reported, never changed."""

    separacao: Separacao
    acima: Decimal  # what the line's EMBARCADO separações hold above its new balance


@dataclass
class Plano:
    mudancas: list[Mudanca]
    acoes: list[hierarquia.Acao]
    avisos: list[str]
    recebidas: int
    manuais_ignoradas: int
    linhas_odoo: int = 0  # ODOO lines in the carteira before the sync
    em_carteira: int = 0  # open lines the source brought (MANUAL keys left out)
    embarcadas: list[Embarcada] = field(default_factory=list)

    def removidas(self) -> list[Mudanca]:
        return [m for m in self.mudancas if m.tipo == Tipo.REMOVIDA]

    def cotadas(self) -> list[hierarquia.Acao]:
        return [acao for acao in self.acoes if acao.alerta]

    def contagens(self) -> dict:
        por_tipo = dict.fromkeys((Tipo.NOVA, Tipo.REMOVIDA, Tipo.REDUZIDA, Tipo.AUMENTADA, Tipo.ALTERADA), 0)
        for mudanca in self.mudancas:
            por_tipo[mudanca.tipo] += 1
        acoes = [acao.tipo for acao in self.acoes]
        return {
            "linhas_recebidas": self.recebidas,
            "linhas_novas": por_tipo[Tipo.NOVA],
            "linhas_removidas": por_tipo[Tipo.REMOVIDA],
            "linhas_reduzidas": por_tipo[Tipo.REDUZIDA],
            "linhas_aumentadas": por_tipo[Tipo.AUMENTADA],
            "linhas_alteradas": por_tipo[Tipo.ALTERADA],
            "linhas_manuais_ignoradas": self.manuais_ignoradas,
            "pre_separacoes_reduzidas": acoes.count(hierarquia.PRE_REDUZIR),
            "pre_separacoes_canceladas": acoes.count(hierarquia.PRE_CANCELAR),
            "separacoes_reduzidas": acoes.count(hierarquia.SEP_REDUZIR),
            "separacoes_canceladas": acoes.count(hierarquia.SEP_CANCELAR),
            "alertas": len(self.cotadas()),
        }

    # ------------------------------------------------------------ confirmation

    def motivos(self) -> list[str]:
        """Why this plan must wait for explicit confirmation (empty: it may be applied)."""
        motivos = []
        removidas = len(self.removidas())
        if self.linhas_odoo and not self.em_carteira:
            motivos.append(
                f"a origem não trouxe nenhuma linha em carteira: as {self.linhas_odoo} linha(s) do Odoo na carteira "
                "seriam removidas (um filtro errado ou uma permissão perdida no Odoo parece uma carteira vazia)"
            )
        elif removidas:
            limite = percentual(LIMITE_REMOCAO, LIMITE_REMOCAO_PADRAO)
            parcela = CEM * removidas / self.linhas_odoo if self.linhas_odoo else ZERO
            if parcela > limite:
                motivos.append(
                    f"remove {removidas} de {self.linhas_odoo} linha(s) do Odoo na carteira ({_pct(parcela)}), acima "
                    f"do limite de {_pct(limite)} ({LIMITE_REMOCAO})"
                )
        cotadas = self.cotadas()
        if cotadas:
            lotes = sorted({acao.objeto.separacao_lote_id for acao in cotadas if isinstance(acao.objeto, Separacao)})
            motivos.append(f"altera {len(cotadas)} separação(ões) COTADO (lotes {_lista(lotes)})")
        if self.embarcadas:
            lotes = sorted({e.separacao.separacao_lote_id for e in self.embarcadas})
            motivos.append(
                f"deixa {len(self.embarcadas)} separação(ões) EMBARCADO acima do novo saldo da linha (lotes "
                f"{_lista(lotes)})"
            )
        return motivos

    def _alocacoes(self) -> list[dict]:
        """The pré-separações and separações (not COTADO: those are in `separacoes`) reduced or cancelled."""
        return [
            {
                "modelo": "pre" if isinstance(acao.objeto, PreSeparacaoItem) else "sep",
                "id": acao.objeto.pk,
                "pedido": acao.chave[0],
                "produto": acao.chave[1],
                "antes": str(acao.antes),
                "depois": str(acao.depois),
                "acao": "cancelada" if acao.tipo in (hierarquia.PRE_CANCELAR, hierarquia.SEP_CANCELAR) else "reduzida",
            }
            for acao in self.acoes
            if acao.objeto is not None and not acao.alerta
        ]

    def resumo(self) -> dict:
        """What the user sees and confirms (JSON, kept in SincronizacaoCarteira.plano)."""
        separacoes = [
            {
                "id": acao.objeto.pk,
                "lote": acao.objeto.separacao_lote_id,
                "pedido": acao.chave[0],
                "produto": acao.chave[1],
                "status": "COTADO",
                "antes": str(acao.antes),
                "depois": str(acao.depois),
                "acao": "cancelada" if acao.tipo == hierarquia.SEP_CANCELAR else "reduzida",
            }
            for acao in self.cotadas()
            if isinstance(acao.objeto, Separacao)  # an alert is raised only on a separação COTADO
        ]
        separacoes += [
            {
                "id": e.separacao.pk,
                "lote": e.separacao.separacao_lote_id,
                "pedido": e.separacao.num_pedido,
                "produto": e.separacao.cod_produto,
                "status": "EMBARCADO",
                "antes": str(e.separacao.qtd_saldo),
                "depois": str(e.separacao.qtd_saldo),
                "acima": str(e.acima),
                "acao": "acima do saldo",
            }
            for e in self.embarcadas
        ]
        return {
            "linhas_odoo": self.linhas_odoo,
            "motivos": self.motivos(),
            "removidas": [[*m.chave, str(m.antes)] for m in self.removidas()],
            "separacoes": separacoes,
            "alocacoes": self._alocacoes(),
        }

    def alem_de(self, confirmado: dict, *, simulado: bool = False) -> list[str]:
        """What this plan does that the confirmed one (a resumo()) did not show; empty: within it.

        `simulado`: `confirmado` is a simulated plan applied as it was (see the module docstring).
        """
        novidades = self._alem_do_confirmado(confirmado, "simulado" if simulado else "confirmado")
        if simulado:
            novidades += self._alem_do_simulado(confirmado)
        return novidades

    def _alem_do_simulado(self, simulado: dict) -> list[str]:
        novidades = []
        vistas = {(a["modelo"], a["id"]): a for a in simulado.get("alocacoes", [])}
        for atual in self._alocacoes():
            visto = vistas.get((atual["modelo"], atual["id"]))
            nome = (
                f"{'pré-separação' if atual['modelo'] == 'pre' else 'separação'} #{atual['id']} "
                f"({atual['pedido']}/{atual['produto']})"
            )
            if visto is None:
                novidades.append(f"{nome} seria {atual['acao']} e não estava no plano simulado")
            elif Decimal(atual["depois"]) < Decimal(visto["depois"]):
                novidades.append(f"{nome} ficaria com {atual['depois']}; o plano simulado dizia {visto['depois']}")
        motivos = self.motivos()
        if motivos and not simulado.get("motivos"):
            novidades.append(f"o plano agora exige confirmação ({'; '.join(motivos)}) e o simulado não exigia")
        return novidades

    def _alem_do_confirmado(self, confirmado: dict, plano: str) -> list[str]:
        novidades = []
        vistas = {(pedido, produto) for pedido, produto, *_ in confirmado.get("removidas", [])}
        novas = [m.chave for m in self.removidas() if m.chave not in vistas]
        if novas:
            novidades.append(
                f"{len(novas)} linha(s) a remover que não estavam no plano {plano}: "
                f"{_lista([f'{p}/{c}' for p, c in novas])}"
            )
        vistas_sep = {(s["id"], s["status"]): s for s in confirmado.get("separacoes", [])}
        for atual in self.resumo()["separacoes"]:
            visto = vistas_sep.get((atual["id"], atual["status"]))
            nome = f"separação {atual['status']} lote {atual['lote']} ({atual['pedido']}/{atual['produto']})"
            if visto is None:
                novidades.append(f"{nome} não estava no plano {plano}")
            elif Decimal(atual["depois"]) < Decimal(visto["depois"]):
                novidades.append(f"{nome} ficaria com {atual['depois']}; o plano {plano} dizia {visto['depois']}")
            elif Decimal(atual.get("acima", "0")) > Decimal(visto.get("acima", "0")):
                novidades.append(
                    f"{nome} ficaria {atual['acima']} acima do saldo; o plano {plano} dizia {visto['acima']}"
                )
        return novidades

    # ------------------------------------------------------------ report

    def relatorio(self) -> str:
        partes = [f"Linhas recebidas: {self.recebidas}. Diferenças em relação à memória: {len(self.mudancas)}."]
        for m in self.mudancas:
            pedido, produto = m.chave
            if m.tipo == Tipo.NOVA:
                partes.append(f"  NOVA       {pedido}/{produto}: {hierarquia.fmt(m.depois)}")
            elif m.tipo == Tipo.ALTERADA:
                partes.append(f"  ALTERADA   {pedido}/{produto}: {', '.join(m.campos)}")
            else:
                extra = (
                    f" (também: {', '.join(c for c in m.campos if c != 'qtd_saldo_produto_pedido')})"
                    if len(m.campos) > 1
                    else ""
                )
                partes.append(
                    f"  {m.tipo:<10} {pedido}/{produto}: {hierarquia.fmt(m.antes)} → {hierarquia.fmt(m.depois)}{extra}"
                )
        partes.append(f"Ações nas alocações: {len(self.acoes)}." if self.acoes else "Ações nas alocações: nenhuma.")
        partes.extend(f"  {acao.descricao()}" for acao in self.acoes)
        if self.avisos:
            partes.append("Avisos:")
            partes.extend(f"  {aviso}" for aviso in self.avisos)
        motivos = self.motivos()
        if motivos:
            partes.append("Exige confirmação:")
            partes.extend(f"  {motivo}" for motivo in motivos)
        return "\n".join(partes)


def _pct(valor: Decimal) -> str:
    return f"{valor.quantize(Decimal('0.1'))}%".replace(".", ",")


def _lista(itens: list[str]) -> str:
    resto = len(itens) - LISTADOS
    return ", ".join(itens[:LISTADOS]) + (f" e mais {resto}" if resto > 0 else "")


# ---------------------------------------------------------------- diff


def _memoria(travar: bool) -> dict:
    linhas = CarteiraPrincipal.objects.filter(origem=CarteiraPrincipal.Origem.ODOO).order_by("pk")
    if travar:
        linhas = linhas.select_for_update()
    return {(linha.num_pedido, linha.cod_produto): linha for linha in linhas}


def _chaves_manuais(chaves) -> set:
    pedidos = {pedido for pedido, _ in chaves}
    manuais = set()
    pedidos_lista = sorted(pedidos)
    for inicio in range(0, len(pedidos_lista), 1000):
        manuais |= set(
            CarteiraPrincipal.objects.filter(
                origem=CarteiraPrincipal.Origem.MANUAL, num_pedido__in=pedidos_lista[inicio : inicio + 1000]
            ).values_list("num_pedido", "cod_produto")
        )
    return manuais & set(chaves)


def _campos_diferentes(linha: CarteiraPrincipal, registro: dict) -> list[str]:
    diferentes = []
    for campo, valor in registro.items():
        if campo == "odoo_line_id" and valor is None:
            continue  # a spreadsheet without the Odoo line id keeps the one the line has
        if getattr(linha, campo) != valor:
            diferentes.append(campo)
    return diferentes


def comparar(memoria: dict, novos: dict) -> list[Mudanca]:
    """The diff between the memória and the new carteira, in key order."""
    mudancas = []
    for chave in sorted(set(memoria) | set(novos)):
        linha, registro = memoria.get(chave), novos.get(chave)
        if linha is None:
            assert registro is not None  # the key is in memoria or in novos
            mudancas.append(Mudanca(chave, Tipo.NOVA, None, registro["qtd_saldo_produto_pedido"], registro=registro))
            continue
        antes = linha.qtd_saldo_produto_pedido
        if registro is None:
            mudancas.append(Mudanca(chave, Tipo.REMOVIDA, antes, ZERO, linha=linha))
            continue
        campos = _campos_diferentes(linha, registro)
        if not campos:
            continue
        depois = registro["qtd_saldo_produto_pedido"]
        tipo = Tipo.REDUZIDA if depois < antes else Tipo.AUMENTADA if depois > antes else Tipo.ALTERADA
        mudancas.append(Mudanca(chave, tipo, antes, depois, linha=linha, registro=registro, campos=campos))
    return mudancas


def planejar(novos: dict, avisos: list[str], recebidas: int, travar: bool) -> Plano:
    """Memória, diff and the actions on the allocations, from the database as it is now."""
    manuais = _chaves_manuais(novos)
    for chave in sorted(manuais):
        avisos.append(f"{chave[0]}/{chave[1]}: linha MANUAL na carteira; a linha do Odoo foi ignorada.")
    novos = {chave: registro for chave, registro in novos.items() if chave not in manuais}
    memoria = _memoria(travar)
    mudancas = comparar(memoria, novos)
    reducoes = [m for m in mudancas if m.tipo in (Tipo.REDUZIDA, Tipo.REMOVIDA)]
    alocacoes = hierarquia.alocacoes([m.chave for m in reducoes], travar=travar)
    acoes, embarcadas = [], []
    for m in reducoes:
        assert m.antes is not None and m.depois is not None  # only a NOVA line has no antes
        pres, seps = alocacoes.get(m.chave, ([], []))
        novas, sobra = hierarquia.planejar_reducao(
            m.chave, m.antes, m.depois, pres, seps, removida=m.tipo == Tipo.REMOVIDA
        )
        acoes.extend(novas)
        if sobra > 0:
            embarcadas += [Embarcada(s, sobra) for s in seps if s.status == Separacao.Status.EMBARCADO]
            avisos.append(
                f"{m.chave[0]}/{m.chave[1]}: {hierarquia.fmt(sobra)} continuam alocados acima do novo saldo "
                f"({hierarquia.fmt(m.depois)}) "
                "em separações EMBARCADO, que a sincronização não altera."
            )
    return Plano(
        mudancas,
        acoes,
        avisos,
        recebidas,
        len(manuais),
        linhas_odoo=len(memoria),
        em_carteira=len(novos),
        embarcadas=embarcadas,
    )
