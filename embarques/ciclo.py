"""The separação lifecycle on the logistics side: ABERTO → COTADO → EMBARCADO → FATURADO.

One table of legal transitions, the only way embarques moves a lote's separações:
- ABERTO → COTADO: the lote goes on an embarque;
- COTADO → ABERTO and EMBARCADO → ABERTO: the lote leaves the embarque (or the embarque is
  cancelled) before being invoiced;
- COTADO → EMBARCADO: the truck left (embarque marked embarcado);
- EMBARCADO → FATURADO: the NF was registered; FATURADO → EMBARCADO: the NF was cancelled.
Anything else (skipping a step, leaving FATURADO for ABERTO, touching "NF no CD") is refused
with a pt-BR message. Separações cancelled by the carteira sync are kept for the record and
never move. Writes go through Separacao's FonteQuerySet: the stock follows in the same transaction.
"""

from django.core.exceptions import ValidationError

from carteira.models import Separacao

S = Separacao.Status

TRANSICOES: frozenset[tuple[str, str]] = frozenset(
    {
        (S.ABERTO, S.COTADO),
        (S.COTADO, S.ABERTO),
        (S.COTADO, S.EMBARCADO),
        (S.EMBARCADO, S.ABERTO),
        (S.EMBARCADO, S.FATURADO),
        (S.FATURADO, S.EMBARCADO),
    }
)


def transicao_permitida(de: str, para: str) -> bool:
    return (de, para) in TRANSICOES


def exigir_transicao(de: str, para: str, lote: str = ""):
    if not transicao_permitida(de, para):
        onde = f" (lote {lote})" if lote else ""
        raise ValidationError({"status": f"Separação{onde} não pode passar de {de} para {para}."})


def separacoes_do_lote(lote: str):
    """The lote's separações that count (not cancelled by the sync), locked, in a stable order."""
    return list(Separacao.objects.nao_canceladas().filter(separacao_lote_id=lote).select_for_update().order_by("pk"))


def mudar_status(lote: str, para: str, separacoes=None, **campos) -> list:
    """Move every separação of the lote to `para` (all must be allowed to); returns them. Call inside a transaction."""
    separacoes = separacoes_do_lote(lote) if separacoes is None else separacoes
    if not separacoes:
        raise ValidationError({"separacao_lote_id": f"O lote {lote} não tem separações."})
    for sep in separacoes:
        exigir_transicao(sep.status, para, lote)
    Separacao.objects.filter(pk__in=[s.pk for s in separacoes]).update(status=para, **campos)
    for sep in separacoes:
        sep.status = para
        for campo, valor in campos.items():
            setattr(sep, campo, valor)
    return separacoes
