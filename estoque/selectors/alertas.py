"""Reads of the ruptura alerts (estoque.services.alertas records them): the open ones and their count."""

from dataclasses import dataclass

from estoque.models import AlertaRuptura, CadastroPalletizacao, EstoqueTempoReal

LISTADOS = 200


@dataclass
class ListaAlertas:
    alertas: list[AlertaRuptura]  # each with .nome_produto
    total_abertos: int
    reconhecidos: list[AlertaRuptura]  # the latest acknowledged ones, for the record


def total_abertos() -> int:
    return AlertaRuptura.objects.filter(reconhecido=False).count()


def _com_nomes(alertas: list[AlertaRuptura]) -> list[AlertaRuptura]:
    codigos = {a.cod_produto for a in alertas}
    nomes = dict(EstoqueTempoReal.objects.filter(cod_produto__in=codigos).values_list("cod_produto", "nome_produto"))
    nomes.update(
        CadastroPalletizacao.objects.filter(cod_produto__in=codigos).values_list("cod_produto", "nome_produto")
    )
    for alerta in alertas:
        alerta.nome_produto = nomes.get(alerta.cod_produto, "")  # type: ignore[attr-defined]
    return alertas


def lista(limite: int = LISTADOS, reconhecidos: int = 20) -> ListaAlertas:
    """Open alerts (newest first, up to `limite`), their total, and the latest acknowledged ones."""
    abertos = list(AlertaRuptura.objects.filter(reconhecido=False).order_by("-criado_em", "-id")[:limite])
    vistos = list(AlertaRuptura.objects.filter(reconhecido=True).order_by("-reconhecido_em", "-id")[:reconhecidos])
    _com_nomes(abertos + vistos)
    return ListaAlertas(abertos, total_abertos(), vistos)
