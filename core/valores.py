"""Spreadsheet cells as users type them, parsed into values; one rule per kind of value.

Each parser takes a cell as core.planilhas.ler_arquivo returns it (text, int, float,
datetime, bool or None) and raises ValueError with a pt-BR message quoting the value as
typed (`como_digitado`: a code is never shown as "4.263.755", nor a date as "29 de Novembro
de 2026 às 00:00"). An empty cell (None or blank text) is "" for texto, codigo and escolha,
None for numero, inteiro, data and sim_nao: whether it may be empty is the caller's rule.
"""

import functools
import math
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from core.limites import MENSAGEM_CONTROLE, tem_controle

MAX_NUMERO = Decimal(10) ** 15  # beyond any quantity or price the system stores
MAX_CARACTERES_NUMERO = 40
MILHARES = re.compile(r"-?\d{1,3}(\.\d{3})+")  # "1.234", "2.000": thousands, not decimals
COM_VIRGULA = re.compile(r"-?(\d{1,3}(\.\d{3})+|\d+),\d+")  # "1.234,500", "5,5"
COM_PONTO = re.compile(r"-?(\d+(\.\d*)?|\.\d+)")  # "1.5", "-5", "10."
DATA_BR = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})")
DATA_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DATA_TRACOS = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")
HORA = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a date exported with its (midnight) time
VERDADEIROS = {"1", "TRUE", "SIM", "S", "VERDADEIRO", "X"}
FALSOS = {"0", "FALSE", "NAO", "N", "FALSO"}


def _vazio(valor) -> bool:
    return valor is None or (isinstance(valor, str) and not valor.strip())


def _normalizar(texto) -> str:
    sem_acento = unicodedata.normalize("NFKD", str(texto)).encode("ascii", "ignore").decode()
    return sem_acento.strip().upper()


def _decimal_sem_zeros(numero: Decimal) -> str:
    texto = format(numero, "f")
    if "." in texto:
        texto = texto.rstrip("0").rstrip(".")
    return "0" if texto == "-0" else texto


def como_digitado(valor) -> str:
    """The cell as the user typed it: "4263755" (not 4263755.0), "1234,5", "29/11/2026"."""
    if valor is None:
        return ""
    if isinstance(valor, bool):
        return "sim" if valor else "não"
    if isinstance(valor, int):
        return str(valor)
    if isinstance(valor, float):
        if not math.isfinite(valor):
            return str(valor)
        return _decimal_sem_zeros(Decimal(f"{valor:.15g}")).replace(".", ",")
    if isinstance(valor, Decimal):
        return _decimal_sem_zeros(valor).replace(".", ",") if valor.is_finite() else str(valor)
    if isinstance(valor, datetime):
        if valor.time() == time(0, 0):
            return f"{valor:%d/%m/%Y}"
        return f"{valor:%d/%m/%Y %H:%M}"
    if isinstance(valor, date):
        return f"{valor:%d/%m/%Y}"
    if isinstance(valor, time):
        return f"{valor:%H:%M}"
    return str(valor)


def _citado(valor, maximo: int = 60) -> str:
    texto = como_digitado(valor)
    return f"“{texto if len(texto) <= maximo else texto[:maximo] + '…'}”"


def texto(valor, maximo: int | None = None) -> str:
    """Text stripped of blanks; a number or date cell as typed; control characters refused."""
    resultado = como_digitado(valor).strip()
    if tem_controle(resultado):
        raise ValueError(MENSAGEM_CONTROLE)
    if maximo is not None and len(resultado) > maximo:
        raise ValueError(f"{_citado(resultado, 30)} tem {len(resultado)} caracteres; o máximo é {maximo}.")
    return resultado


def codigo(valor) -> str:
    """A code typed as a number in Excel (4510156.0) is the text "4510156"."""
    if isinstance(valor, bool):
        raise ValueError(f"{_citado(valor)} não é um código.")
    return texto(valor)


def _numero_do_texto(original: str) -> Decimal:
    limpo = re.sub(r"[\s\u00a0\u202f]+", "", original).removeprefix("R$").removeprefix("+")
    if limpo.startswith("-R$"):
        limpo = "-" + limpo[3:]
    if len(limpo) > MAX_CARACTERES_NUMERO:
        raise ValueError(f"{_citado(original)} é grande demais.")
    if MILHARES.fullmatch(limpo):
        return Decimal(limpo.replace(".", ""))
    if COM_VIRGULA.fullmatch(limpo):
        return Decimal(limpo.replace(".", "").replace(",", "."))
    if COM_PONTO.fullmatch(limpo):
        return Decimal(limpo)
    raise ValueError(f"{_citado(original)} não é um número.")


def numero(valor, casas: int = 3) -> Decimal | None:
    """Decimal from a number cell (exact) or pt-BR text: "1.234,500", "5,5", "1.234" (thousands), "1.5"."""
    if _vazio(valor):
        return None
    if isinstance(valor, bool):
        raise ValueError(f"{_citado(valor)} não é um número.")
    try:
        if isinstance(valor, float):
            if not math.isfinite(valor):
                raise ValueError(f"{_citado(valor)} não é um número.")
            resultado = Decimal(f"{valor:.15g}")  # Excel keeps 15 significant digits: 0.1+0.2 is 0.3
        elif isinstance(valor, (int, Decimal)):
            resultado = Decimal(valor)
        else:
            resultado = _numero_do_texto(str(valor).strip())
    except InvalidOperation:
        raise ValueError(f"{_citado(valor)} não é um número.") from None
    if not resultado.is_finite():
        raise ValueError(f"{_citado(valor)} não é um número.")
    if abs(resultado) >= MAX_NUMERO:
        raise ValueError(f"{_citado(valor)} é grande demais.")
    try:
        exato = resultado == resultado.quantize(Decimal(1).scaleb(-casas))
    except InvalidOperation:  # more digits than the context holds: surely too many decimals
        exato = False
    if not exato:
        raise ValueError(f"{_citado(valor)} tem mais de {casas} casas decimais.")
    return resultado


def inteiro(valor) -> int | None:
    """A whole number: "1,5" is an error, not a silent 1; "1.234" is 1234."""
    try:
        resultado = numero(valor, casas=10)
    except ValueError as erro:
        if "casas decimais" not in str(erro):
            raise
        resultado = Decimal("0.5")  # not whole: the message below
    if resultado is None:
        return None
    if resultado != resultado.to_integral_value():
        raise ValueError(f"{_citado(valor)} não é um número inteiro.")
    return int(resultado)


def _ano(texto: str) -> int:
    ano = int(texto)
    if len(texto) == 2:
        ano += 2000 if ano < 69 else 1900  # as strptime's %y
    return ano


def data(valor) -> date | None:
    """A date cell, or text dd/mm/aaaa, dd/mm/aa, aaaa-mm-dd or dd-mm-aaaa (never month first)."""
    if _vazio(valor):
        return None
    if isinstance(valor, datetime):
        return valor.date()
    if isinstance(valor, date):
        return valor
    texto_data = str(valor).strip() if isinstance(valor, str) else None
    partes = None
    if texto_data is not None:
        if encontrado := re.fullmatch(DATA_BR.pattern + HORA, texto_data):
            dia, mes, ano = encontrado.groups()
            partes = (_ano(ano), int(mes), int(dia))
        elif encontrado := re.fullmatch(DATA_ISO.pattern + HORA, texto_data):
            ano, mes, dia = encontrado.groups()
            partes = (int(ano), int(mes), int(dia))
        elif encontrado := re.fullmatch(DATA_TRACOS.pattern + HORA, texto_data):
            dia, mes, ano = encontrado.groups()
            partes = (int(ano), int(mes), int(dia))
    if partes is None:
        raise ValueError(f"{_citado(valor)} não é uma data: use dd/mm/aaaa.")
    try:
        return date(*partes)
    except ValueError:
        raise ValueError(f"{_citado(valor)} não existe no calendário.") from None


def sim_nao(valor) -> bool | None:
    """sim/não, s/n, 1/0, x, true/false, verdadeiro/falso; an unknown word is an error, not a silent False."""
    if _vazio(valor):
        return None
    if isinstance(valor, bool):
        return valor
    if isinstance(valor, (int, float)) and valor in (0, 1):
        return bool(valor)
    normalizado = _normalizar(valor)
    if normalizado in VERDADEIROS:
        return True
    if normalizado in FALSOS:
        return False
    raise ValueError(f"{_citado(valor)} não é sim/não.")


@functools.lru_cache(maxsize=64)
def _por_texto(choices: tuple) -> dict[str, str]:
    """Normalized code and label -> code (built once per list of choices: an import asks per row)."""
    por_texto: dict[str, str] = {}
    for codigo_escolha, rotulo in choices:
        por_texto.setdefault(_normalizar(codigo_escolha), codigo_escolha)
        por_texto.setdefault(_normalizar(rotulo), codigo_escolha)
    return por_texto


def escolha(valor, choices) -> str:
    """A choice's code, typed as its code or its label, any case or accent ("Saída" -> "SAIDA")."""
    if _vazio(valor):
        return ""
    choices = list(choices)
    encontrado = _por_texto(tuple((codigo, str(rotulo)) for codigo, rotulo in choices)).get(
        _normalizar(como_digitado(valor))
    )
    if encontrado is None:
        codigos = [str(c) for c, _ in choices]
        lista = ", ".join(codigos[:-1]) + " ou " + codigos[-1] if len(codigos) > 1 else "".join(codigos)
        raise ValueError(f"{_citado(valor)} não é uma opção válida: use {lista}.")
    return encontrado
