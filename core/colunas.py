"""Finding a spreadsheet's header and its columns, as operators type them.

A column is recognised by its field name, its screen label or a synonym, compared by
`chave` (case, accents and punctuation ignored: "Código do Produto" == "codigo_do_produto").
The header is the first of the first non-empty rows in which every required column is
recognised, so title rows above it (a report exported by the system) are skipped.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Coluna:
    nome: str  # field name, e.g. "cod_produto"
    rotulo: str  # screen label, e.g. "Código do produto"
    obrigatoria: bool = False
    sinonimos: tuple[str, ...] = ()  # other accepted headers ("produto", "codigo")
    ajuda: str = ""  # one line for the template's notes sheet
    exemplo: object = None  # the template's example value


def chave(texto) -> str:
    """Case-, accent- and punctuation-insensitive key of a header text."""
    if texto is None:
        return ""
    sem_acento = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", sem_acento.lower()).strip("_")


@dataclass
class Cabecalho:
    linha: int  # 1-based line number of the header row
    indices: dict[str, int]  # Coluna.nome -> column index
    nao_reconhecidas: list[str] = field(default_factory=list)  # header texts (as typed) that matched no column


class ErroCabecalho(ValueError):
    """No header row with every required column; the message (pt-BR) says which are missing."""


def _por_chave(colunas: Sequence[Coluna]) -> dict[str, str]:
    por_chave: dict[str, str] = {}
    for coluna in colunas:
        for texto in (coluna.nome, coluna.rotulo, *coluna.sinonimos):
            por_chave.setdefault(chave(texto), coluna.nome)  # the first column to claim a text keeps it
    por_chave.pop("", None)
    return por_chave


def _ler_linha(linha: tuple, por_chave: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    indices: dict[str, int] = {}
    nao_reconhecidas: list[str] = []
    for indice, titulo in enumerate(linha):
        if titulo is None or str(titulo).strip() == "":
            continue
        texto = str(titulo).strip()
        nome = por_chave.get(chave(texto))
        if nome is None:
            nao_reconhecidas.append(texto)
        elif nome in indices:
            nao_reconhecidas.append(f"{texto} (repetida)")
        else:
            indices[nome] = indice
    return indices, nao_reconhecidas


def localizar_cabecalho(linhas: list[tuple], colunas: Sequence[Coluna], max_linhas_titulo: int = 20) -> Cabecalho:
    """The header row among the first `max_linhas_titulo` non-empty rows; ErroCabecalho if none has every required column."""
    por_chave = _por_chave(colunas)
    obrigatorias = [coluna for coluna in colunas if coluna.obrigatoria]
    melhor: tuple[int, list[str], list[Coluna]] | None = None  # (recognised, unrecognised, missing)
    vistas = 0
    for numero, linha in enumerate(linhas, start=1):
        if all(valor is None or str(valor).strip() == "" for valor in linha):
            continue
        vistas += 1
        if vistas > max_linhas_titulo:
            break
        indices, nao_reconhecidas = _ler_linha(linha, por_chave)
        faltando = [coluna for coluna in obrigatorias if coluna.nome not in indices]
        if not faltando and indices:
            return Cabecalho(linha=numero, indices=indices, nao_reconhecidas=nao_reconhecidas)
        if melhor is None or len(indices) > melhor[0]:
            melhor = (len(indices), nao_reconhecidas, faltando)
    if melhor is None:
        raise ErroCabecalho("A planilha está vazia: nenhuma linha de cabeçalho encontrada.")
    _, nao_reconhecidas, faltando = melhor
    if faltando:
        mensagem = (
            "Colunas obrigatórias não encontradas: " + ", ".join(f"{c.rotulo} ({c.nome})" for c in faltando) + "."
        )
    else:
        mensagem = (
            "Nenhuma coluna da planilha foi reconhecida; as colunas aceitas são: "
            + ", ".join(f"{c.rotulo} ({c.nome})" for c in colunas)
            + "."
        )
    if nao_reconhecidas:
        mensagem += " Colunas da planilha que não foram reconhecidas: "
        mensagem += ", ".join(f'"{texto}"' for texto in nao_reconhecidas) + "."
    raise ErroCabecalho(mensagem)


def valores(linha: tuple, cabecalho: Cabecalho) -> dict[str, object]:
    """{Coluna.nome: cell} of the recognised columns (an absent optional column is not in the dict)."""
    return {nome: (linha[indice] if indice < len(linha) else None) for nome, indice in cabecalho.indices.items()}
