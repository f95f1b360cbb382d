"""NFs from a spreadsheet (xlsx or csv; columns NF, lote, produto, qtd): all or nothing.

Each lote's rows are one NF (the sheet lists what the NF invoiced): a product of the lote
missing from the sheet was not invoiced (0). Every row goes through the same service as the
page and the API (embarques.faturamento.registrar_faturamento), all in one transaction:
any refused line rolls everything back, and every refusal names its line.
An NF already registered for its lote changes nothing and is reported as such.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from carteira.models import Separacao
from core import planilhas
from core.limites import erro_de_tamanho, max_bytes_upload, tem_controle
from embarques import faturamento

COLUNAS = {"nf": "nf", "nota_fiscal": "nf", "lote": "lote", "separacao_lote_id": "lote", "produto": "produto"}
COLUNAS |= {"cod_produto": "produto", "qtd": "qtd", "quantidade": "qtd", "qtd_faturada": "qtd"}
OBRIGATORIAS = ("nf", "lote", "produto", "qtd")


class ErroImportacao(ValueError):
    """The sheet was refused; `erros` lists each reason (pt-BR, with the line)."""

    def __init__(self, erros: list[str]):
        super().__init__("; ".join(erros))
        self.erros = erros


@dataclass
class ResultadoImportacao:
    registradas: list[str] = field(default_factory=list)  # "NF x (lote y)"
    repetidas: list[str] = field(default_factory=list)


def _chave(texto) -> str:
    sem_acento = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", sem_acento.lower()).strip("_")


def _texto(valor) -> str:
    if isinstance(valor, float) and valor.is_integer():
        valor = int(valor)
    return "" if valor is None else str(valor).strip()


def _qtd(valor) -> Decimal:
    if isinstance(valor, bool):
        raise InvalidOperation
    if isinstance(valor, (int, float)):
        return Decimal(str(valor))
    texto = _texto(valor).replace(" ", "")
    if "," in texto:
        texto = texto.replace(".", "").replace(",", ".")
    return Decimal(texto)


def _linhas(conteudo: bytes, nome: str) -> list[tuple]:
    extensao = Path(nome).suffix.lower()
    try:
        if extensao == ".xlsx":
            return planilhas.ler_xlsx(conteudo)
        if extensao == ".csv":
            return planilhas.ler_csv(planilhas.decodificar(conteudo))
    except planilhas.ErroPlanilha as erro:
        raise ErroImportacao([str(erro)]) from None
    raise ErroImportacao([f"Formato de planilha não suportado: “{nome}”. Use .xlsx ou .csv."])


def ler(arquivo, nome: str) -> dict[str, dict]:
    """lote -> {"nf", "linhas", "quantidades"}; ErroImportacao with every line's problem."""
    conteudo = arquivo.read(max_bytes_upload() + 1)
    mensagem = erro_de_tamanho(max(len(conteudo), getattr(arquivo, "size", None) or 0))
    if mensagem:
        raise ErroImportacao([mensagem])
    linhas = [(n, linha) for n, linha in enumerate(_linhas(conteudo, nome), start=1) if not planilhas.vazia(linha)]
    if not linhas:
        raise ErroImportacao(["A planilha está vazia."])
    numero_cabecalho, cabecalho = linhas[0]
    colunas: dict[str, int] = {}
    for indice, titulo in enumerate(cabecalho):
        nome_coluna = COLUNAS.get(_chave(titulo)) if titulo is not None else None
        if nome_coluna and nome_coluna not in colunas:
            colunas[nome_coluna] = indice
    faltando = [c.upper() if c == "nf" else c for c in OBRIGATORIAS if c not in colunas]
    if faltando:
        raise ErroImportacao([f"Linha {numero_cabecalho}: colunas obrigatórias ausentes: {', '.join(faltando)}."])
    erros: list[str] = []
    lotes: dict[str, dict] = {}
    for numero, linha in linhas[1:]:
        nf, lote, produto = (_texto(linha[colunas[c]]) for c in ("nf", "lote", "produto"))
        problemas = [f"{c} vazio" for c, v in (("NF", nf), ("lote", lote), ("produto", produto)) if not v]
        for rotulo, valor, maximo in (("NF", nf, 20), ("lote", lote, 50), ("produto", produto, 50)):
            if len(valor) > maximo:
                problemas.append(f"{rotulo} com mais de {maximo} caracteres")
            if tem_controle(valor):
                problemas.append(f"{rotulo} com caracteres de controle")
        try:
            qtd = _qtd(linha[colunas["qtd"]])
            if not qtd.is_finite() or qtd < 0 or qtd != qtd.quantize(Decimal("0.001")) or qtd >= 10**12:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            problemas.append(f"qtd inválida ({_texto(linha[colunas['qtd']]) or 'vazia'})")
            qtd = None
        if problemas:
            erros.append(f"Linha {numero}: {'; '.join(problemas)}.")
            continue
        grupo = lotes.setdefault(lote, {"nf": nf, "linhas": [], "quantidades": {}})
        if grupo["nf"] != nf:
            erros.append(f"Linha {numero}: o lote {lote} aparece com as NFs {grupo['nf']} e {nf}.")
            continue
        if produto in grupo["quantidades"]:
            erros.append(f"Linha {numero}: o produto {produto} aparece de novo para o lote {lote}.")
            continue
        grupo["linhas"].append(numero)
        grupo["quantidades"][produto] = qtd
    if erros:
        raise ErroImportacao(erros)
    return lotes


def _mensagens(erro: ValidationError) -> list[str]:
    return (
        [m for mensagens in erro.message_dict.values() for m in mensagens]
        if hasattr(erro, "error_dict")
        else erro.messages
    )


def importar(arquivo, nome: str, usuario: str = "") -> ResultadoImportacao:
    lotes = ler(arquivo, nome)
    resultado = ResultadoImportacao()
    erros: list[str] = []
    with transaction.atomic():
        for lote, grupo in lotes.items():
            linhas = ", ".join(str(n) for n in grupo["linhas"])
            produtos_do_lote = set(
                Separacao.objects.nao_canceladas().filter(separacao_lote_id=lote).values_list("cod_produto", flat=True)
            )
            # The sheet is the NF: a product of the lote not on it was not invoiced.
            quantidades = dict.fromkeys(produtos_do_lote, Decimal("0")) | grupo["quantidades"]
            try:
                with transaction.atomic():
                    r = faturamento.registrar_faturamento(
                        separacao_lote_id=lote, nota_fiscal=grupo["nf"], quantidades=quantidades, usuario=usuario
                    )
            except ValidationError as erro:
                erros.extend(f"Linha(s) {linhas} (lote {lote}): {m}" for m in _mensagens(erro))
                continue
            (resultado.registradas if r.criado else resultado.repetidas).append(f"NF {grupo['nf']} (lote {lote})")
        if erros:
            transaction.set_rollback(True)
    if erros:
        raise ErroImportacao(erros)
    return resultado
