"""Ruptura alerts: one alert per transition into CRÍTICO (a new ruptura within D0..D7) or per
ruptura day moving earlier; none while a product stays critical (docs/arquitetura.md seção 2).

Where it runs: after the commit of every transaction that moved the derived tables (the
principal codes it touched, the set the change events announce, less those out of ruptura within
D0..D7 both before and after the change: no alert is possible for them and their state already
says no ruptura; estoque.services.derivacao), and at the day change (a ruptura can enter D+7 just
by time passing). It runs after commit because an alert is not a
stock number: a failure here is logged (core.pos_commit) and never undoes or fails the write.

Why once: the last ruptura day seen per product lives in EstadoRuptura. A detection locks those
rows (sorted, after the stock rows, like every writer), then reads the projections (the selector
and estoque.projecao: one rule), compares, writes the alerts and the new state, and commits. A
second detector of the same product waits for the lock and then compares with the state the
first one left, reading a projection at least as new: it sees no transition.
"""

import logging
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import connections, transaction
from django.utils import timezone

from core.formatos import formatar_data
from core.pos_commit import no_commit
from core.templatetags.formatos import formatar_qtd
from estoque import selectors
from estoque.models import AlertaRuptura, CodigoUnificado, EstadoRuptura, EstoqueTempoReal
from estoque.services import transacao, travas

logger = logging.getLogger(__name__)
LOTE = 500
Tipo = AlertaRuptura.Tipo


def transicao(anterior: date | None, atual: date | None) -> str | None:
    """The alert a change of the D0..D7 ruptura day is worth (None: no alert).

    Entering ruptura, or the day moving earlier, is news; staying, moving later or recovering
    is not (the state follows it, so a later move earlier is measured from the latest day)."""
    if atual is None:
        return None
    if anterior is None:
        return Tipo.ENTROU_EM_RUPTURA
    if atual < anterior:
        return Tipo.RUPTURA_ANTECIPADA
    return None


# ---------------------------------------------------------------- after the commit of a stock change


def agendar(codigos: Iterable[str], using: str = "default"):
    """Detect transitions of these products after the current transaction commits (one detection
    per transaction, however many times the engine touches them)."""
    codigos = set(codigos)
    if not codigos:
        return
    conexao = connections[using]
    estado = conexao.__dict__.setdefault("_estoque_alertas", {"pendentes": set(), "detectar": None})
    registrado = estado["detectar"] is not None and any(
        entrada[1] is estado["detectar"] for entrada in conexao.run_on_commit
    )
    if registrado:
        estado["pendentes"].update(codigos)
        return
    # A new transaction, or the previous one rolled back (its callback was dropped): start over.
    estado["pendentes"] = set(codigos)
    estado["detectando"] = []
    estado["detectar"] = None
    estado["detectar"] = no_commit(lambda: _detectar_pendentes(estado, using), lambda: _descrever(estado), using)


def _detectar_pendentes(estado, using):
    estado["detectando"] = codigos = sorted(estado["pendentes"])
    estado["pendentes"] = set()
    estado["detectar"] = None
    detectar(codigos, using=using)


def _descrever(estado) -> str:
    codigos = estado["detectando"]
    amostra = ", ".join(codigos[:10]) + (" ..." if len(codigos) > 10 else "")
    return f"detecção de alertas de ruptura de {len(codigos)} produto(s): {amostra}"


# ---------------------------------------------------------------- detection


def detectar(codigos: Iterable[str], using: str = "default", hoje: date | None = None) -> list[AlertaRuptura]:
    """Compare these products' ruptura day now with the last one seen; record the transitions.

    Each batch is its own transaction (retried whole if PostgreSQL picks it as a deadlock victim)."""
    hoje = hoje or timezone.localdate()
    lista = sorted(set(codigos))
    novos: list[AlertaRuptura] = []
    for inicio in range(0, len(lista), LOTE):
        novos += transacao.executar(_detectar_lote, lista[inicio : inicio + LOTE], hoje, using, using=using)
    return novos


def _detectar_lote(codigos: list[str], hoje: date, using: str) -> list[AlertaRuptura]:
    travas.travar_unificacao(using)
    unificados = CodigoUnificado.objects.using(using).filter(cod_produto__in=codigos)
    principal_de: dict[str, str] = {cod: cod for cod in codigos}
    principal_de.update(unificados.values_list("cod_produto", "cod_principal"))
    # A code that joined a group is no longer a product of its own: its group's row speaks for it.
    EstadoRuptura.objects.using(using).filter(
        cod_produto__in=[cod for cod, principal in principal_de.items() if cod != principal]
    ).delete()
    principais = sorted(set(principal_de.values()))
    # The stock rows first (the writers' lock order), so the projection read below is a consistent one.
    list(
        EstoqueTempoReal.objects.using(using)
        .select_for_update()
        .filter(cod_produto__in=principais)
        .order_by("cod_produto")
        .values_list("cod_produto", flat=True)
    )
    EstadoRuptura.objects.using(using).bulk_create(
        [EstadoRuptura(cod_produto=cod) for cod in principais], ignore_conflicts=True
    )
    estados = {
        e.cod_produto: e
        for e in EstadoRuptura.objects.using(using)
        .select_for_update()
        .filter(cod_produto__in=principais)
        .order_by("cod_produto")
    }
    leitura = selectors.ler(principais, hoje)
    alertas, mudados = [], []
    for cod in principais:
        produto = selectors.montar(cod, leitura, hoje)
        estado = estados[cod]
        tipo = transicao(estado.dia_ruptura, produto.dia_ruptura)
        if tipo is not None and produto.dia_ruptura is not None:
            alertas.append(
                AlertaRuptura(
                    cod_produto=cod,
                    tipo=tipo,
                    dia_ruptura=produto.dia_ruptura,
                    dia_ruptura_anterior=estado.dia_ruptura,
                    menor_estoque_d7=produto.menor_estoque_d7,
                )
            )
        if estado.dia_ruptura != produto.dia_ruptura:
            estado.dia_ruptura = produto.dia_ruptura
            estado.atualizado_em = timezone.now()
            mudados.append(estado)
    EstadoRuptura.objects.using(using).bulk_update(mudados, ["dia_ruptura", "atualizado_em"])
    criados = AlertaRuptura.objects.using(using).bulk_create(alertas)
    if criados and _destinatarios():
        ids = [a.pk for a in criados] if all(a.pk for a in criados) else None
        no_commit(
            lambda: enviar_email(ids, [a.cod_produto for a in criados], using), "e-mail de alertas de ruptura", using
        )
    return criados


def detectar_virada(using: str = "default", hoje: date | None = None) -> list[AlertaRuptura]:
    """At the day change: the products whose ruptura may have entered D+7, moved or gone
    (a stored D0..D7 ruptura day, or a known one in the state), detected like any change.
    Call it after the stored D+7 was recomputed for the new day."""
    hoje = hoje or timezone.localdate()
    candidatos = set(
        EstoqueTempoReal.objects.using(using).filter(dia_ruptura__isnull=False).values_list("cod_produto", flat=True)
    )
    candidatos |= set(
        EstadoRuptura.objects.using(using).filter(dia_ruptura__isnull=False).values_list("cod_produto", flat=True)
    )
    return detectar(candidatos, using=using, hoje=hoje)


# ---------------------------------------------------------------- e-mail


def _destinatarios() -> list[str]:
    valor = getattr(settings, "ESTOQUE_ALERTAS_EMAILS", "") or ""
    if isinstance(valor, str):
        valor = valor.split(",")
    return [e.strip() for e in valor if e.strip()]


def texto_email(alertas: list[AlertaRuptura]) -> tuple[str, str]:
    """(subject, body) in pt-BR, dates dd/mm/aaaa."""
    nomes = dict(
        EstoqueTempoReal.objects.filter(cod_produto__in=[a.cod_produto for a in alertas]).values_list(
            "cod_produto", "nome_produto"
        )
    )
    total = len(alertas)
    assunto = f"{total} novo{'s' if total > 1 else ''} alerta{'s' if total > 1 else ''} de ruptura de estoque"
    linhas = ["Produtos que entraram em ruptura até D+7 ou cuja ruptura foi antecipada:", ""]
    for a in alertas:
        nome = nomes.get(a.cod_produto, "")
        produto = f"{a.cod_produto} - {nome}" if nome else a.cod_produto
        if a.tipo == Tipo.RUPTURA_ANTECIPADA:
            quando = (
                f"ruptura antecipada de {formatar_data(a.dia_ruptura_anterior)} para {formatar_data(a.dia_ruptura)}"
            )
        else:
            quando = f"entrou em ruptura em {formatar_data(a.dia_ruptura)}"
        linhas.append(f"- {produto}: {quando}; menor estoque D+7: {formatar_qtd(a.menor_estoque_d7)}")
    linhas += ["", "Reconheça os alertas em /estoque/alertas/."]
    return assunto, "\n".join(linhas)


def enviar_email(ids: list[int] | None, codigos: list[str], using: str = "default"):
    """One mail per batch of new alerts (after the commit that recorded them)."""
    destinatarios = _destinatarios()
    if not destinatarios:
        return
    qs = AlertaRuptura.objects.using(using)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    else:  # a backend that does not return the new keys: the open alerts of these products
        qs = qs.filter(cod_produto__in=codigos, reconhecido=False)
    alertas = list(qs.order_by("dia_ruptura", "cod_produto"))
    if alertas:
        assunto, corpo = texto_email(alertas)
        send_mail(assunto, corpo, None, destinatarios)


# ---------------------------------------------------------------- acknowledging


def reconhecer(pks: Iterable[int] | None, usuario: str) -> int:
    """Marks open alerts as seen by `usuario` (all open ones when pks is None)."""
    qs = AlertaRuptura.objects.filter(reconhecido=False)
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    with transaction.atomic():
        return qs.update(reconhecido=True, reconhecido_por=usuario, reconhecido_em=timezone.now())
