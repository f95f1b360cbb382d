"""Dependencies point one way: core imports no app, estoque no domain app, and no domain
app imports relatorios. Read from the source (every import, also inside functions)."""
import ast
from pathlib import Path

import pytest

RAIZ = Path(__file__).resolve().parent.parent
APPS = {"core", "estoque", "carteira", "producao", "embarques", "relatorios", "demo"}
# Moving to its own demo/ app; until then it seeds every domain app's tables.
EXCECOES = {"estoque/services/demo.py"}


def importados(pacote: str) -> set[tuple[str, str]]:
    """(file, imported top-level project app) for every import in a package."""
    achados = set()
    for arquivo in (RAIZ / pacote).rglob("*.py"):
        relativo = arquivo.relative_to(RAIZ).as_posix()
        if relativo in EXCECOES:
            continue
        for no in ast.walk(ast.parse(arquivo.read_text(encoding="utf-8"))):
            if isinstance(no, ast.Import):
                nomes = [alias.name for alias in no.names]
            elif isinstance(no, ast.ImportFrom) and no.level == 0 and no.module:
                nomes = [no.module]
            else:
                continue
            achados |= {(relativo, nome.split(".")[0]) for nome in nomes if nome.split(".")[0] in APPS}
    return achados


@pytest.mark.parametrize(
    "pacote, proibidos",
    [
        ("core", APPS - {"core"}),
        ("estoque", APPS - {"core", "estoque"}),
        ("carteira", {"relatorios", "demo"}),
        ("producao", {"relatorios", "demo"}),
        ("embarques", {"relatorios", "demo"}),
    ],
)
def test_dependencias_em_um_sentido(pacote, proibidos):
    assert sorted((arquivo, app) for arquivo, app in importados(pacote) if app in proibidos) == []
