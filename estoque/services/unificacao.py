"""Unification groups: connected components of the active UnificacaoCodigos pairs.

The principal code of a group is its smallest code (string order): deterministic, and
the same whichever code is asked. Derived rows live only under principal codes.
"""

from django.db.models import Q

from estoque.models import CodigoUnificado, UnificacaoCodigos
from estoque.services import alertas, eventos, recalculo, travas


def componentes(codigos, using="default") -> list[set[str]]:
    """The groups (connected components over active pairs) containing these codes."""
    pares = set()
    visitados = set(codigos)
    fronteira = set(codigos)
    while fronteira:
        novos_pares = set(
            UnificacaoCodigos.objects.using(using)
            .filter(ativo=True)
            .filter(Q(codigo_origem__in=fronteira) | Q(codigo_destino__in=fronteira))
            .values_list("codigo_origem", "codigo_destino")
        )
        pares |= novos_pares
        alcancados = {cod for par in novos_pares for cod in par}
        fronteira = alcancados - visitados
        visitados |= alcancados
    pai = {cod: cod for cod in visitados}

    def raiz(cod):
        while pai[cod] != cod:
            pai[cod] = pai[pai[cod]]
            cod = pai[cod]
        return cod

    for origem, destino in pares:
        a, b = raiz(origem), raiz(destino)
        if a != b:
            pai[max(a, b)] = min(a, b)
    grupos: dict[str, set[str]] = {}
    for cod in visitados:
        grupos.setdefault(raiz(cod), set()).add(cod)
    return list(grupos.values())


def aplicar_mudanca_pares(antigos: list[dict], novos: list[dict], using="default"):
    """Pairs changed: rebuild the mapping of the old and new groups and recompute them now."""
    travas.travar_unificacao(using, exclusivo=True)
    tocados = {e[campo] for e in antigos + novos for campo in ("codigo_origem", "codigo_destino")}
    mapa_antigo = dict(
        CodigoUnificado.objects.using(using).filter(cod_produto__in=tocados).values_list("cod_produto", "cod_principal")
    )
    principais_antigos = {mapa_antigo.get(cod, cod) for cod in tocados}
    membros_antigos = set(
        CodigoUnificado.objects.using(using)
        .filter(cod_principal__in=principais_antigos)
        .values_list("cod_produto", flat=True)
    )
    grupos_novos = componentes(tocados, using)
    principal_novo = {cod: min(grupo) for grupo in grupos_novos for cod in grupo}
    afetados = tocados | principais_antigos | membros_antigos | set(principal_novo)
    for cod in afetados - set(principal_novo):
        # A code that left its old group and is alone now: its own principal.
        principal_novo.update({membro: min(grupo) for grupo in componentes({cod}, using) for membro in grupo})

    CodigoUnificado.objects.using(using).filter(cod_produto__in=afetados).delete()
    tamanho: dict[str, int] = {}
    for principal in principal_novo.values():
        tamanho[principal] = tamanho.get(principal, 0) + 1
    CodigoUnificado.objects.using(using).bulk_create(
        [
            CodigoUnificado(cod_produto=cod, cod_principal=principal)
            for cod, principal in sorted(principal_novo.items())
            if tamanho[principal] > 1
        ]
    )
    afetados |= set(principal_novo)
    principais = sorted(set(principal_novo.values()))
    travas.travar_produtos(sorted(afetados), using)
    esperados = recalculo.calcular_esperado(principais, using)
    recalculo.gravar(esperados, remover=afetados - set(principais), using=using)
    eventos.publicar(sorted(afetados), using)
    alertas.agendar(afetados, using)


def reconstruir_mapa(using="default"):
    """Recompute the whole code -> principal mapping from the active pairs (rebuild command)."""
    pares = UnificacaoCodigos.objects.using(using).filter(ativo=True).values_list("codigo_origem", "codigo_destino")
    codigos = {cod for par in pares for cod in par}
    grupos = componentes(codigos, using) if codigos else []
    CodigoUnificado.objects.using(using).all().delete()
    CodigoUnificado.objects.using(using).bulk_create(
        [CodigoUnificado(cod_produto=cod, cod_principal=min(grupo)) for grupo in grupos for cod in sorted(grupo)]
    )


def resolver_principais(codigos, using="default") -> dict[str, str]:
    """code -> principal code of its unification group (itself when not unified)."""
    codigos = set(codigos)
    mapa = dict(
        CodigoUnificado.objects.using(using).filter(cod_produto__in=codigos).values_list("cod_produto", "cod_principal")
    )
    return {codigo: mapa.get(codigo, codigo) for codigo in codigos}
