"""Bounds on what users and integrations may write: one rule per kind of input.

- **Business dates**: every date a user or an integration writes (movements, production
  schedule, pré-separações, separações, carteira lines, embarques) lies in a window around
  today in São Paulo (settings ESTOQUE_DATAS_ANOS_ANTES / ESTOQUE_DATAS_ANOS_DEPOIS;
  default five years back, two years ahead). `validar_data_negocio` is the rule: model
  fields list it as a validator (admin forms, imports and DRF model serializers run it),
  core.serializers.DataField and the carteira sync call it, report periods call it.
- **Control characters** (NUL and the other C0 controls but tab, line feed and carriage
  return; DEL): no text input may carry them. `CONTROLE` is the rule; core.middleware
  applies it to every request's path, query and form fields, core.serializers.TextoField to
  every text of an API body (naming the field), the importers to every text cell.
- **Uploads and spreadsheets**: a file of at most ESTOQUE_UPLOAD_MAX_BYTES, at most
  ESTOQUE_PLANILHA_MAX_LINHAS data rows (core.planilhas reads them).
- **Free text**: observation fields hold at most MAX_TEXTO_LIVRE characters.
"""

import functools
import re
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.formatos import formatar_data

MAX_TEXTO_LIVRE = 2000

# C0 controls but \t \n \r, and DEL. Written with escapes only, so the same text is a valid
# Python and ECMAScript (OpenAPI `pattern`) character class.
CLASSE_CONTROLE = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
CONTROLE = re.compile(f"[{CLASSE_CONTROLE}]")
MENSAGEM_CONTROLE = "Caracteres de controle (como NUL) não são permitidos."


# ---------------------------------------------------------------- business dates


def _anos_antes(dia: date, anos: int) -> date:
    try:
        return dia.replace(year=dia.year - anos)
    except ValueError:  # 29/02 in a year that has none
        return dia.replace(year=dia.year - anos, day=28)


def janela_de_datas(hoje: date | None = None) -> tuple[date, date]:
    """(first, last) business date accepted today, both inclusive."""
    hoje = hoje or timezone.localdate()
    return (
        _anos_antes(hoje, settings.ESTOQUE_DATAS_ANOS_ANTES),
        _anos_antes(hoje, -settings.ESTOQUE_DATAS_ANOS_DEPOIS),
    )


def texto_da_janela(hoje: date | None = None) -> str:
    inicio, fim = janela_de_datas(hoje)
    return f"de {formatar_data(inicio)} a {formatar_data(fim)}"


def erro_de_data(valor: date | None, hoje: date | None = None) -> str | None:
    """Why the date is refused (pt-BR), or None when it is inside the window (or empty)."""
    if valor is None:
        return None
    inicio, fim = janela_de_datas(hoje)
    if inicio <= valor <= fim:
        return None
    return f"Data {formatar_data(valor)} fora do período aceito ({texto_da_janela(hoje)})."


def _alternativas(de: int, ate: int, largura: int) -> str:
    return "(?:" + "|".join(f"{n:0{largura}d}" for n in range(de, ate + 1)) + ")"


def _datas_do_ano(ano: int, de: date, ate: date) -> list[str]:
    """Regex alternatives for the aaaa-mm-dd dates from `de` to `ate` (same year), days up to 31."""
    if de.month == ate.month:
        return [f"{ano}-{de.month:02d}-{_alternativas(de.day, ate.day, 2)}"]
    partes = [f"{ano}-{de.month:02d}-{_alternativas(de.day, 31, 2)}"]
    if ate.month - de.month > 1:
        partes.append(f"{ano}-{_alternativas(de.month + 1, ate.month - 1, 2)}-{_alternativas(1, 31, 2)}")
    partes.append(f"{ano}-{ate.month:02d}-{_alternativas(1, ate.day, 2)}")
    return partes


def padrao_da_janela(hoje: date | None = None) -> str:
    """The window as a regex over aaaa-mm-dd text, for the OpenAPI `pattern` of date fields.

    Calendar validity (no 30/02) is the `format: date` beside it; this only bounds the range."""
    inicio, fim = janela_de_datas(hoje)
    if inicio.year == fim.year:
        partes = _datas_do_ano(inicio.year, inicio, fim)
    else:
        partes = _datas_do_ano(inicio.year, inicio, date(inicio.year, 12, 31))
        if fim.year - inicio.year > 1:
            anos = _alternativas(inicio.year + 1, fim.year - 1, 4)
            partes.append(f"{anos}-{_alternativas(1, 12, 2)}-{_alternativas(1, 31, 2)}")
        partes += _datas_do_ano(fim.year, date(fim.year, 1, 1), fim)
    return "^(?:" + "|".join(partes) + ")$"


def validar_data_negocio(valor: date | None):
    """Model field validator (and the rule every other layer calls): the date is in the window."""
    mensagem = erro_de_data(valor)
    if mensagem:
        raise ValidationError(mensagem, code="data_fora_do_periodo")


@functools.cache
def _campos_com_janela(opcoes) -> tuple:
    """The model's date fields that carry the rule (read once per model: a 10,000-row import asks
    for every row, and comparing each field's validators cost more than the check)."""
    return tuple(campo for campo in opcoes.concrete_fields if any(v is validar_data_negocio for v in campo.validators))


def exigir_datas_na_janela(instancia, campos: tuple[str, ...] | None = None):
    """For services that build a model instance: each date field carrying the rule is checked,
    errors keyed by field name (ValidationError({campo: mensagem}))."""
    erros = {}
    for campo in _campos_com_janela(instancia._meta):
        if campos is not None and campo.name not in campos:
            continue
        mensagem = erro_de_data(getattr(instancia, campo.attname))
        if mensagem:
            erros[campo.name] = mensagem
    if erros:
        raise ValidationError(erros)


# ---------------------------------------------------------------- text


def tem_controle(texto: str) -> bool:
    return CONTROLE.search(texto) is not None


def validar_sem_controle(texto):
    if isinstance(texto, str) and tem_controle(texto):
        raise ValidationError(MENSAGEM_CONTROLE, code="caractere_de_controle")


# ---------------------------------------------------------------- files


def max_bytes_upload() -> int:
    return settings.ESTOQUE_UPLOAD_MAX_BYTES


def max_linhas_planilha() -> int:
    return settings.ESTOQUE_PLANILHA_MAX_LINHAS


def formatar_bytes(quantidade: int) -> str:
    if quantidade >= 1024 * 1024:
        return f"{quantidade / (1024 * 1024):.1f} MB".replace(".", ",")
    return f"{max(quantidade // 1024, 1)} KB"


def erro_de_tamanho(tamanho: int | None) -> str | None:
    if tamanho is not None and tamanho > max_bytes_upload():
        return (
            f"Arquivo grande demais ({formatar_bytes(tamanho)}): o limite é {formatar_bytes(max_bytes_upload())}. "
            "Divida a planilha em partes menores."
        )
    return None


def validar_tamanho_arquivo(arquivo):
    """Form-field check of an uploaded file's size (UploadedFile.size is the size received)."""
    mensagem = erro_de_tamanho(getattr(arquivo, "size", None))
    if mensagem:
        raise ValidationError(mensagem, code="arquivo_grande")


# ---------------------------------------------------------------- model field kwargs


def texto_livre() -> dict:
    """kwargs of an observation TextField: bounded in forms, imports (full_clean) and the API.

    A validator, not max_length: the column stays `text`, and SQLite would rebuild the table
    for a max_length change."""
    from django.core.validators import MaxLengthValidator

    return {"validators": [MaxLengthValidator(MAX_TEXTO_LIVRE)]}
