"""Date ranges as pages and reports take them: ISO or dd/mm/aaaa, either end open, each end
inside the business date window (core.limites)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils.dateparse import parse_date

from core.limites import erro_de_data


@dataclass(frozen=True)
class Periodo:
    """An inclusive date range; either end may be open."""

    de: date | None = None
    ate: date | None = None

    @property
    def vazio(self) -> bool:
        return self.de is None and self.ate is None

    def filtrar(self, qs, campo: str):
        if self.de:
            qs = qs.filter(**{f"{campo}__gte": self.de})
        if self.ate:
            qs = qs.filter(**{f"{campo}__lte": self.ate})
        return qs


class DataInvalida(ValueError):
    pass


def ler_data(texto: str | None, nome: str) -> date | None:
    """ISO (the value of an <input type="date">) or dd/mm/aaaa; empty means no limit."""
    texto = (texto or "").strip()
    if not texto:
        return None
    try:
        valor = parse_date(texto)
        if valor is None:
            valor = datetime.strptime(texto, "%d/%m/%Y").date()
    except ValueError:
        raise DataInvalida(f"Data '{nome}' inválida: '{texto}'. Use aaaa-mm-dd ou dd/mm/aaaa.") from None
    mensagem = erro_de_data(valor)
    if mensagem:
        raise DataInvalida(f"'{nome}': {mensagem}")
    return valor


def ler_periodo(parametros) -> Periodo:
    """The `de` and `ate` query parameters; DataInvalida when one is malformed or they are reversed."""
    periodo = Periodo(ler_data(parametros.get("de"), "de"), ler_data(parametros.get("ate"), "até"))
    if periodo.de and periodo.ate and periodo.de > periodo.ate:
        raise DataInvalida("A data 'de' é posterior à data 'até'.")
    return periodo
