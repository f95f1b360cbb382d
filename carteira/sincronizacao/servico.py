"""The carteira sync with memória (seed 004): diff, apply to the allocations, then replace.

1. Memória: the current ODOO lines of CarteiraPrincipal keyed by (num_pedido, cod_produto).
   MANUAL lines are never touched, nor their allocations.
2. The new carteira comes from a source (Odoo, a spreadsheet), already read and validated.
3. Diff: new, removed (= reduced to zero), reduced, increased, other fields changed.
4. Reductions are applied to the allocations before the carteira changes (hierarquia.py):
   free balance first, then pré-separações, separações ABERTO, separações COTADO (alert).
5. Then the carteira lines are deleted, updated and created.

Steps 1 to 5 run in one transaction (retried whole if it is a deadlock victim): all or
nothing. Pré-separações and separações are written through the ORM, so the derivation
engine keeps EstoqueTempoReal/MovimentacaoPrevista right at the commit. The run log is
written after that transaction, so a failed run is on record even though nothing else is.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from carteira.models import CarteiraPrincipal, SincronizacaoCarteira
from carteira.sincronizacao import hierarquia
from carteira.sincronizacao.cliente_odoo import ClienteOdoo, ErroOdoo
from carteira.sincronizacao.planilha import ErroPlanilha, ler_planilha
from carteira.sincronizacao.registros import ErroSincronizacao, normalizar
from estoque.services.transacao import executar

ZERO = Decimal("0")
Origem = SincronizacaoCarteira.Origem
Status = SincronizacaoCarteira.Status
# Serialises syncs on PostgreSQL (on SQLite every writer already queues at BEGIN IMMEDIATE).
CHAVE_TRAVA = 0x43415254  # "CART"


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
class Plano:
    mudancas: list[Mudanca]
    acoes: list[hierarquia.Acao]
    avisos: list[str]
    recebidas: int
    manuais_ignoradas: int

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
            "pre_separacoes_excluidas": acoes.count(hierarquia.PRE_EXCLUIR),
            "separacoes_reduzidas": acoes.count(hierarquia.SEP_REDUZIR),
            "separacoes_excluidas": acoes.count(hierarquia.SEP_EXCLUIR),
            "alertas": sum(1 for acao in self.acoes if acao.alerta),
        }

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
        return "\n".join(partes)


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


def _recusar_carteira_vazia(memoria: dict):
    raise ErroSincronizacao(
        f"A origem não trouxe nenhuma linha em carteira, mas há {len(memoria)} linha(s) do Odoo na carteira: "
        "sincronização recusada para não remover a carteira inteira (e as alocações dela). Se a carteira está "
        "mesmo vazia, rode `manage.py sincronizar_carteira --permitir-carteira-vazia`."
    )


def planejar(novos: dict, avisos: list[str], recebidas: int, travar: bool, permitir_vazia: bool = False) -> Plano:
    """Memória, diff and the actions on the allocations, from the database as it is now."""
    manuais = _chaves_manuais(novos)
    for chave in sorted(manuais):
        avisos.append(f"{chave[0]}/{chave[1]}: linha MANUAL na carteira; a linha do Odoo foi ignorada.")
    novos = {chave: registro for chave, registro in novos.items() if chave not in manuais}
    memoria = _memoria(travar)
    if not novos and memoria and not permitir_vazia:
        _recusar_carteira_vazia(memoria)
    mudancas = comparar(memoria, novos)
    reducoes = [m for m in mudancas if m.tipo in (Tipo.REDUZIDA, Tipo.REMOVIDA)]
    alocacoes = hierarquia.alocacoes([m.chave for m in reducoes], travar=travar)
    acoes = []
    for m in reducoes:
        assert m.antes is not None and m.depois is not None  # only a NOVA line has no antes
        pres, seps = alocacoes.get(m.chave, ([], []))
        novas, sobra = hierarquia.planejar_reducao(
            m.chave, m.antes, m.depois, pres, seps, removida=m.tipo == Tipo.REMOVIDA
        )
        acoes.extend(novas)
        if sobra > 0:
            avisos.append(
                f"{m.chave[0]}/{m.chave[1]}: {hierarquia.fmt(sobra)} continuam alocados acima do novo saldo "
                f"({hierarquia.fmt(m.depois)}) "
                "em separações EMBARCADO, que a sincronização não altera."
            )
    return Plano(mudancas, acoes, avisos, recebidas, len(manuais))


# ---------------------------------------------------------------- apply


def _gravar_carteira(mudancas: list[Mudanca]):
    # REMOVIDA always has its linha and NOVA its registro (comparar): the `is not None`
    # tests below filter nothing, they narrow the types.
    removidas = [m.linha.pk for m in mudancas if m.tipo == Tipo.REMOVIDA and m.linha is not None]
    if removidas:
        CarteiraPrincipal.objects.filter(pk__in=removidas).delete()
    # (linha, registro, campos) of the changes with both sides.
    alteradas = [(m.linha, m.registro, m.campos) for m in mudancas if m.linha is not None and m.registro is not None]
    trocam_id = [linha.pk for linha, _, diferentes in alteradas if "odoo_line_id" in diferentes]
    if trocam_id:
        # Free the unique Odoo line ids first: two lines may swap them in one sync.
        CarteiraPrincipal.objects.filter(pk__in=trocam_id).update(odoo_line_id=None)
    if alteradas:
        agora = timezone.now()
        campos = sorted({campo for _, _, diferentes in alteradas for campo in diferentes})
        for linha, registro, _ in alteradas:
            for campo in campos:
                if campo in registro and not (campo == "odoo_line_id" and registro[campo] is None):
                    setattr(linha, campo, registro[campo])
            linha.atualizado_em = agora
        CarteiraPrincipal.objects.bulk_update(
            [linha for linha, _, _ in alteradas], campos + ["atualizado_em"], batch_size=500
        )
    novas = [
        CarteiraPrincipal(**m.registro, origem=CarteiraPrincipal.Origem.ODOO, ativo=True)
        for m in mudancas
        if m.tipo == Tipo.NOVA and m.registro is not None
    ]
    if novas:
        CarteiraPrincipal.objects.bulk_create(novas, batch_size=500)


def _travar_sincronizacao():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAVE_TRAVA])


def _aplicar(novos: dict, avisos: list[str], recebidas: int, permitir_vazia: bool) -> Plano:
    """Runs inside the sync transaction: plan on locked rows, allocations first, then the carteira."""
    _travar_sincronizacao()
    plano = planejar(novos, list(avisos), recebidas, travar=True, permitir_vazia=permitir_vazia)
    hierarquia.aplicar(plano.acoes)
    _gravar_carteira(plano.mudancas)
    return plano


# ---------------------------------------------------------------- entry points


def _mensagem(erro: Exception) -> str:
    if isinstance(erro, (ErroSincronizacao, ErroOdoo, ErroPlanilha)):
        return str(erro)
    return f"Erro inesperado na sincronização da carteira ({type(erro).__name__}): {erro}"


def _registrar(inicio, origem, gatilho, status, usuario, arquivo, plano=None, erro="") -> SincronizacaoCarteira:
    return SincronizacaoCarteira.objects.create(
        iniciado_em=inicio,
        finalizado_em=timezone.now(),
        origem=origem,
        gatilho=gatilho,
        status=status,
        usuario=usuario or "",
        arquivo=(arquivo or "")[:255],
        erro=erro,
        relatorio=plano.relatorio() if plano else "",
        **(plano.contagens() if plano else {}),
    )


def sincronizar(
    fonte: Callable[[], list[dict]],
    *,
    origem: str,
    gatilho: str,
    simular: bool = False,
    usuario: str = "",
    arquivo: str = "",
    permitir_vazia: bool = False,
) -> SincronizacaoCarteira:
    """Read the source, diff, apply (unless simular) and log the run.

    `fonte` returns CarteiraPrincipal-shaped dicts (the Odoo client, the spreadsheet reader).
    An empty source while the carteira has ODOO lines is refused unless permitir_vazia: a
    wrong filter or a lost permission in Odoo must not wipe every allocation.
    On any failure nothing is written but the FALHA log row, and ErroSincronizacao is raised.
    """
    inicio = timezone.now()
    try:
        registros = fonte()
        novos, avisos = normalizar(registros)
        if simular:
            plano = planejar(novos, avisos, len(registros), travar=False, permitir_vazia=permitir_vazia)
        else:
            plano = executar(_aplicar, novos, avisos, len(registros), permitir_vazia)
    except Exception as erro:
        mensagem = _mensagem(erro)
        execucao = _registrar(inicio, origem, gatilho, Status.FALHA, usuario, arquivo, erro=mensagem)
        raise ErroSincronizacao(mensagem, execucao=execucao) from erro
    return _registrar(inicio, origem, gatilho, Status.SIMULACAO if simular else Status.SUCESSO, usuario, arquivo, plano)


def sincronizar_odoo(
    *, gatilho: str, simular: bool = False, usuario: str = "", permitir_vazia: bool = False, cliente=None
) -> SincronizacaoCarteira:
    def fonte():
        return (cliente or ClienteOdoo()).buscar_carteira()

    return sincronizar(
        fonte, origem=Origem.ODOO, gatilho=gatilho, simular=simular, usuario=usuario, permitir_vazia=permitir_vazia
    )


def sincronizar_planilha(
    arquivo, *, nome: str = "", gatilho: str, simular: bool = False, usuario: str = "", permitir_vazia: bool = False
) -> SincronizacaoCarteira:
    """`arquivo`: a path or a binary file object (xlsx or csv; `nome` tells which)."""
    nome = nome or str(getattr(arquivo, "name", arquivo))
    return sincronizar(
        lambda: ler_planilha(arquivo, nome=nome),
        origem=Origem.PLANILHA,
        gatilho=gatilho,
        simular=simular,
        usuario=usuario,
        arquivo=nome,
        permitir_vazia=permitir_vazia,
    )
