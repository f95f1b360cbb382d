"""The dependency rules of docs/arquitetura.md, read from the source (imports inside functions too).

core ← estoque ← producao ← carteira ← embarques ← relatorios, and demo beside relatorios; operacao (the
Operação page) reads estoque and carteira;
acesso (the roles and the login) above them all; no cycle between the project's packages, however late the import.
"""

import ast
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

RAIZ = Path(__file__).resolve().parents[1]
PACOTES = (
    "core",
    "estoque",
    "producao",
    "carteira",
    "embarques",
    "relatorios",
    "demo",
    "operacao",
    "acesso",
    "estoque_project",
)
# What each package may import (besides itself). Anything else is a violation.
PERMITIDOS = {
    "core": set(),
    "estoque": {"core"},
    "producao": {"core", "estoque"},
    "carteira": {"core", "estoque", "producao"},  # the ruptura analysis reads the production plan
    "embarques": {"core", "estoque", "producao", "carteira"},
    "relatorios": {"core", "estoque", "producao", "carteira", "embarques"},
    "demo": {"core", "estoque", "producao", "carteira", "embarques"},
    # The Operação page reads the reconciliation and the carteira sync runs.
    "operacao": {"core", "estoque", "carteira"},
    # The roles cite every app's permissions; the menu asks every page.
    "acesso": {"core", "estoque", "producao", "carteira", "embarques", "relatorios", "demo", "operacao"},
    "estoque_project": set(PACOTES) - {"estoque_project"},
}


def _importados(arquivo: Path) -> set[str]:
    """Top-level project packages a module imports, wherever the import statement is."""
    arvore = ast.parse(arquivo.read_text(encoding="utf-8"), filename=str(arquivo))
    nomes = set()
    for no in ast.walk(arvore):
        if isinstance(no, ast.Import):
            nomes |= {alias.name.split(".")[0] for alias in no.names}
        elif isinstance(no, ast.ImportFrom) and no.module and no.level == 0:
            nomes.add(no.module.split(".")[0])
    return nomes & set(PACOTES)


def grafo() -> dict[str, dict[str, list[str]]]:
    """package -> {imported package: [modules that import it]}."""
    arestas: dict[str, dict[str, list[str]]] = {p: {} for p in PACOTES}
    for pacote in PACOTES:
        pasta = RAIZ / pacote
        if not pasta.is_dir():
            continue
        for arquivo in sorted(pasta.rglob("*.py")):
            for importado in _importados(arquivo) - {pacote}:
                arestas[pacote].setdefault(importado, []).append(str(arquivo.relative_to(RAIZ)))
    return arestas


def _ciclos(arestas) -> list[list[str]]:
    ciclos, visitando, feitos = [], [], set()

    def visitar(no):
        if no in visitando:
            ciclos.append(visitando[visitando.index(no) :] + [no])
            return
        if no in feitos:
            return
        visitando.append(no)
        for vizinho in sorted(arestas.get(no, {})):
            visitar(vizinho)
        visitando.pop()
        feitos.add(no)

    for no in sorted(arestas):
        visitar(no)
    return ciclos


def test_nenhum_ciclo_de_importacao_entre_pacotes():
    assert _ciclos(grafo()) == []


def test_cada_pacote_importa_so_o_que_a_arquitetura_permite():
    violacoes = [
        f"{pacote} importa {importado} em {', '.join(modulos)}"
        for pacote, destinos in grafo().items()
        for importado, modulos in sorted(destinos.items())
        if importado not in PERMITIDOS[pacote]
    ]
    assert violacoes == []


def test_o_detector_de_ciclos_acha_um_ciclo():
    # The check above must be able to fail.
    assert _ciclos({"a": {"b": ["x"]}, "b": {"c": ["y"]}, "c": {"a": ["z"]}}) == [["a", "b", "c", "a"]]
    assert _ciclos({"a": {"b": ["x"]}, "b": {}}) == []


@pytest.mark.parametrize("sem", ["regra", "agregado"])
def test_fonte_sem_regra_ou_sem_agregado_falha_o_check(sem, monkeypatch):
    from estoque import registro
    from producao.models import ProgramacaoProducao

    fontes = dict(registro._fontes)
    if sem == "regra":
        del fontes[ProgramacaoProducao]
        esperado = "estoque.E001"
    else:
        regra = fontes[ProgramacaoProducao]
        fontes[ProgramacaoProducao] = registro.RegraFonte(regra.model, regra.campos, regra.contribuicao, None)
        esperado = "estoque.E002"
    monkeypatch.setattr(registro, "_fontes", fontes)
    with pytest.raises(SystemCheckError, match=esperado):
        call_command("check")


def test_check_passa_com_todas_as_fontes_registradas():
    call_command("check")
