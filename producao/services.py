"""Writes of the production schedule (forecast inflows): create, edit, delete.

The product must be known and the quantity positive; the forecast moves in the same
transaction through the engine (estoque.signals).
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.limites import exigir_datas_na_janela
from estoque.models import CadastroPalletizacao
from estoque.services.operacoes import exigir_produto
from producao.models import ProgramacaoProducao

CAMPOS_EDITAVEIS = (
    "cod_produto",
    "data_programacao",
    "qtd_programada",
    "linha_producao",
    "cliente_produto",
    "observacao_pcp",
)


def validar_programacao(prog: ProgramacaoProducao, conhecidos: set[str] | None = None):
    """The rules of a production line (positive quantity, business dates, known product), for every path."""
    if prog.qtd_programada <= 0:
        raise ValidationError({"qtd_programada": "A quantidade programada deve ser maior que zero."})
    exigir_datas_na_janela(prog)
    exigir_produto(prog.cod_produto, conhecidos=conhecidos)


_validar = validar_programacao


def _nome(cod: str) -> str:
    return CadastroPalletizacao.objects.filter(cod_produto=cod).values_list("nome_produto", flat=True).first() or ""


def _recusar_desconhecidos(dados: dict):
    desconhecidos = set(dados) - set(CAMPOS_EDITAVEIS)
    if desconhecidos:
        raise ValidationError(dict.fromkeys(sorted(desconhecidos), "Campo não editável."))


def criar_programacao(
    *, cod_produto: str, data_programacao: date, qtd_programada: Decimal, importacao=None, **extra
) -> ProgramacaoProducao:
    _recusar_desconhecidos(extra)
    prog = ProgramacaoProducao(
        cod_produto=cod_produto,
        data_programacao=data_programacao,
        qtd_programada=qtd_programada,
        importacao=importacao,
        **extra,
    )
    _validar(prog)
    prog.nome_produto = _nome(cod_produto)
    with transaction.atomic():
        prog.save()
    return prog


def editar_programacao(pk: int, dados: dict) -> ProgramacaoProducao:
    _recusar_desconhecidos(dados)
    with transaction.atomic():
        prog = ProgramacaoProducao.objects.select_for_update().get(pk=pk)
        for campo, valor in dados.items():
            setattr(prog, campo, valor)
        _validar(prog)
        if "cod_produto" in dados:
            prog.nome_produto = _nome(prog.cod_produto)
        prog.save()
    return prog


def excluir_programacao(pk: int):
    with transaction.atomic():
        ProgramacaoProducao.objects.select_for_update().get(pk=pk).delete()
