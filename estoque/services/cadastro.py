"""Writes of the product catalog (CadastroPalletizacao): include or update by product code.

The rules are the model's (its CHECK constraints and field limits, through full_clean), so
the admin's form, the spreadsheet import and any other path refuse the same values.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CheckConstraint

from core.importacao import campos_da_condicao
from estoque.models import CadastroPalletizacao

CAMPOS = (
    "cod_produto",
    "nome_produto",
    "palletizacao",
    "peso_bruto",
    "categoria",
    "subcategoria",
    "linha_producao",
    "ativo",
)


def validar_cadastro(dados: dict):
    """The catalog's rules on values, without reading the database (ValidationError by field)."""
    desconhecidos = set(dados) - set(CAMPOS)
    if desconhecidos:
        raise ValidationError(dict.fromkeys(sorted(desconhecidos), "Campo não editável."))
    produto = CadastroPalletizacao(**dados)
    erros: dict[str, list[str]] = {}
    try:
        produto.full_clean(exclude=["cod_produto"], validate_unique=False, validate_constraints=False)
    except ValidationError as erro:
        erros = erro.message_dict
    # Each CHECK constraint's violation on the field it reads (Django reports them for the whole row).
    for restricao in CadastroPalletizacao._meta.constraints:
        if not isinstance(restricao, CheckConstraint):
            continue
        campos = campos_da_condicao(restricao.condition)
        if set(campos) & set(erros):
            continue
        try:
            restricao.validate(CadastroPalletizacao, produto)
        except ValidationError as erro:
            erros.setdefault(campos[0], []).extend(erro.messages)
    if erros:
        raise ValidationError(erros)


def salvar_cadastro(dados: dict) -> tuple[CadastroPalletizacao, bool]:
    """(product, created): the code's row updated with `dados`, or a new one."""
    validar_cadastro(dados)
    with transaction.atomic():
        produto = CadastroPalletizacao.objects.select_for_update().filter(cod_produto=dados["cod_produto"]).first()
        criado = produto is None
        produto = produto or CadastroPalletizacao()
        for campo, valor in dados.items():
            setattr(produto, campo, valor)
        produto.full_clean()
        produto.save()
    return produto, criado
