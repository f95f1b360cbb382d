"""Validation of the incoming carteira (from Odoo or a spreadsheet) before anything is written.

A record is a dict of CarteiraPrincipal field names. Refused (the whole sync, nothing
written): no order number, no product code, a negative quantity or price, a value that does
not fit its field, a date outside the business window or text with control characters
(core.limites, the rules every input obeys), an unknown product (neither in the catalog nor
in a unification group).
Lines with nothing left to deliver (saldo 0) are not open carteira and are dropped. Two
lines of one order with the same product become one carteira line (quantities summed),
since the carteira keeps one row per (num_pedido, cod_produto).
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.validators import MaxLengthValidator
from django.db import models

from carteira.models import CarteiraPrincipal
from core.limites import MENSAGEM_CONTROLE, erro_de_data, tem_controle
from core.valores import como_digitado
from estoque.selectors import codigos_conhecidos

MAX_BIGINT = 2**63 - 1

ZERO = Decimal("0")
MAX_PROBLEMAS = 50
NAO_SINCRONIZADOS = {"id", "origem", "ativo", "criado_em", "atualizado_em"}
CAMPOS = {campo.name: campo for campo in CarteiraPrincipal._meta.concrete_fields if campo.name not in NAO_SINCRONIZADOS}
SOMADOS = ("qtd_produto_pedido", "qtd_saldo_produto_pedido", "qtd_cancelada_produto_pedido")
NAO_NEGATIVOS = SOMADOS + ("preco_produto_pedido",)


class ErroSincronizacao(Exception):
    """The sync failed and wrote nothing but its log row (`execucao`, when there is one)."""

    def __init__(self, mensagem: str, execucao=None):
        super().__init__(mensagem)
        self.execucao = execucao


def _converter(campo: models.Field, valor):
    """The value as the database stores it, or ValueError with the reason."""
    if isinstance(campo, models.DecimalField):
        if valor in (None, ""):
            return None
        try:
            numero = Decimal(str(valor)) if not isinstance(valor, Decimal) else valor
        except (InvalidOperation, ValueError):
            raise ValueError(f"“{valor}” não é um número") from None
        if not numero.is_finite():
            raise ValueError(f"“{valor}” não é um número")
        try:
            numero = numero.quantize(Decimal(1).scaleb(-campo.decimal_places), rounding=ROUND_HALF_UP)
        except InvalidOperation:  # more digits than the decimal context holds
            raise ValueError(f"{valor} é grande demais") from None
        if len(numero.as_tuple().digits) > campo.max_digits:
            raise ValueError(f"{valor} é grande demais")
        return numero
    if isinstance(campo, models.DateField):
        if valor in (None, "", False):
            return None
        if isinstance(valor, datetime):
            valor = valor.date()
        if not isinstance(valor, date):
            raise ValueError(f"“{valor}” não é uma data")
        mensagem = erro_de_data(valor)
        if mensagem:
            raise ValueError(mensagem)
        return valor
    if isinstance(campo, models.BigIntegerField):
        if valor in (None, "", False):
            return None
        try:
            inteiro = int(valor)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(f"“{valor}” não é um número inteiro") from None
        if abs(inteiro) > MAX_BIGINT:
            raise ValueError(f"{valor} é grande demais")
        return inteiro
    texto = "" if valor in (None, False) else str(valor).strip()
    if tem_controle(texto):
        raise ValueError(MENSAGEM_CONTROLE)
    limite = _comprimento_maximo(campo)
    return texto[:limite] if limite else texto


def _comprimento_maximo(campo: models.Field) -> int | None:
    """max_length, or the MaxLengthValidator of a bounded TextField (core.limites.texto_livre)."""
    limites = [v.limit_value for v in campo.validators if isinstance(v, MaxLengthValidator)]
    return min(limites, default=None)


def _registro(bruto: dict) -> tuple[dict, list[str]]:
    registro, erros = {}, []
    for nome, valor in bruto.items():
        if nome.startswith("_"):
            continue
        campo = CAMPOS.get(nome)
        if campo is None:
            erros.append(f"campo desconhecido “{nome}”")
            continue
        try:
            registro[nome] = _converter(campo, valor)
        except ValueError as erro:
            erros.append(f"{campo.verbose_name}: {erro}")
    if not registro.get("num_pedido"):
        erros.append("sem número do pedido")
    if not registro.get("cod_produto"):
        erros.append("sem código do produto")
    if registro.get("qtd_saldo_produto_pedido") is None:
        erros.append("sem saldo do pedido")
    if registro.get("qtd_produto_pedido") is None:
        registro["qtd_produto_pedido"] = registro.get("qtd_saldo_produto_pedido")
    for nome in NAO_NEGATIVOS:
        if nome in registro and registro[nome] is None:
            registro[nome] = ZERO
        if (registro.get(nome) or ZERO) < 0:
            erros.append(f"{CAMPOS[nome].verbose_name}: valor negativo ({como_digitado(registro[nome])})")
    return registro, erros


def _juntar(existente: dict, registro: dict):
    for nome in SOMADOS:
        existente[nome] = (existente.get(nome) or ZERO) + (registro.get(nome) or ZERO)
    ids = [i for i in (existente.get("odoo_line_id"), registro.get("odoo_line_id")) if i is not None]
    if ids:
        existente["odoo_line_id"] = min(ids)


def normalizar(registros: list[dict]) -> tuple[dict, list[str]]:
    """{(num_pedido, cod_produto): record} of the open lines, and warnings; ErroSincronizacao if any is malformed."""
    problemas, validos = [], []
    for indice, bruto in enumerate(registros, start=1):
        referencia = bruto.get("_referencia") or f"registro {indice}"
        registro, erros = _registro(bruto)
        if erros:
            problemas.append(f"{referencia}: {'; '.join(erros)}")
        else:
            validos.append((referencia, registro))
    desconhecidos = {r["cod_produto"] for _, r in validos} - codigos_conhecidos({r["cod_produto"] for _, r in validos})
    for referencia, registro in validos:
        if registro["cod_produto"] in desconhecidos:
            problemas.append(
                f"{referencia}: produto “{registro['cod_produto']}” não cadastrado (palletização ou unificação de códigos)"
            )
    if problemas:
        listados = "\n".join(f"  - {p}" for p in problemas[:MAX_PROBLEMAS])
        resto = f"\n  ... e mais {len(problemas) - MAX_PROBLEMAS}" if len(problemas) > MAX_PROBLEMAS else ""
        raise ErroSincronizacao(
            f"Sincronização recusada: {len(problemas)} registro(s) inválido(s); nada foi gravado.\n{listados}{resto}"
        )
    novos: dict[tuple[str, str], dict] = {}
    avisos: list[str] = []
    repetidos: dict[tuple[str, str], int] = {}
    for _, registro in validos:
        chave = (registro["num_pedido"], registro["cod_produto"])
        if chave in novos:
            _juntar(novos[chave], registro)
            repetidos[chave] = repetidos.get(chave, 1) + 1
        else:
            novos[chave] = registro
    for chave, vezes in sorted(repetidos.items()):
        avisos.append(f"{chave[0]}/{chave[1]}: {vezes} linhas do mesmo produto no pedido; quantidades somadas.")
    sem_saldo = [chave for chave, registro in novos.items() if registro["qtd_saldo_produto_pedido"] == 0]
    for chave in sem_saldo:
        del novos[chave]
    if sem_saldo:
        avisos.append(f"{len(sem_saldo)} linha(s) sem saldo a entregar ignorada(s) (não estão em carteira).")
    return novos, avisos
