"""Writes of stock movements: create, edit, cancel. The engine follows through the ORM.

Each write validates the business rules first (known product, quantity sign by type) and
raises ValidationError naming the field, so a bad request writes nothing. The derived
tables move in the same transaction (estoque.signals), so the next read sees the change.
criar_movimentacoes is the set-based twin of criar_movimentacao (a spreadsheet of thousands
of rows): the same instance and the same rules per row, the catalog read once, one
bulk_create per chunk (estoque.fontes derives the stock and core.historico records the
history of each chunk in one pass).
"""

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.limites import exigir_datas_na_janela
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque
from estoque.selectors import codigos_conhecidos

Tipo = MovimentacaoEstoque.Tipo
LOTE_CRIACAO = 2000  # rows per bulk_create in criar_movimentacoes (and per progress step)
LOTE_LEITURA = 1000  # codes per IN (...) when reading the catalog

CAMPOS_EDITAVEIS = (
    "cod_produto",
    "data_movimentacao",
    "tipo_movimentacao",
    "qtd_movimentacao",
    "local_movimentacao",
    "observacao",
    "separacao_lote_id",
    "numero_nf",
    "num_pedido",
)


# Movements another app writes as part of its own operation (an invoiced lote's exit, recorded by
# embarques): the generic edit/cancel/reactivate refuses them and that app's service reverses
# them. Each app registers a function: movement pks -> {pk: why (pt-BR)}; the engine imports no app.
Vinculo = Callable[[Iterable[int]], dict[int, str]]
_vinculos: list[Vinculo] = []


def registrar_vinculo(funcao: Vinculo) -> Vinculo:
    if funcao not in _vinculos:
        _vinculos.append(funcao)
    return funcao


def motivos_vinculo(pks: Iterable[int]) -> dict[int, str]:
    pks = list(pks)
    motivos: dict[int, str] = {}
    for funcao in _vinculos:
        motivos.update(funcao(pks))
    return motivos


def exigir_sem_vinculo(pk: int):
    motivo = motivos_vinculo([pk]).get(pk)
    if motivo:
        raise ValidationError({"ativo": motivo})


def mensagem_produto_desconhecido(cod: str) -> str:
    return f"Produto '{cod}' não encontrado: cadastre-o na palletização ou em uma unificação de códigos."


def exigir_produto(cod: str, campo: str = "cod_produto", conhecidos: set[str] | None = None):
    """The known-product rule of every write; `conhecidos`: the codes a set-based caller already read."""
    if cod not in (codigos_conhecidos([cod]) if conhecidos is None else conhecidos):
        raise ValidationError({campo: mensagem_produto_desconhecido(cod)})


def validar_movimentacao(mov: MovimentacaoEstoque, conhecidos: set[str] | None = None):
    """The rules of a movement (sign by type, business dates, known product), for every path."""
    erros = MovimentacaoEstoque.erros_de_quantidade(mov.tipo_movimentacao, mov.qtd_movimentacao)
    if erros:
        raise ValidationError(erros)
    exigir_datas_na_janela(mov)
    exigir_produto(mov.cod_produto, conhecidos=conhecidos)


_validar = validar_movimentacao


def _nomes(codigos) -> dict[str, str]:
    """Catalog names by code, one query per LOTE_LEITURA codes."""
    lista = sorted(set(codigos))
    nomes: dict[str, str] = {}
    for inicio in range(0, len(lista), LOTE_LEITURA):
        nomes.update(
            CadastroPalletizacao.objects.filter(cod_produto__in=lista[inicio : inicio + LOTE_LEITURA]).values_list(
                "cod_produto", "nome_produto"
            )
        )
    return nomes


def _nome(cod: str) -> str:
    return _nomes([cod]).get(cod, "")


def _nova(
    *,
    cod_produto: str,
    tipo_movimentacao: str,
    qtd_movimentacao: Decimal,
    data_movimentacao: date | None = None,
    usuario: str = "",
    importacao=None,
    **extra,
) -> MovimentacaoEstoque:
    """The unsaved movement a create writes: editable fields only, who, the import."""
    desconhecidos = set(extra) - set(CAMPOS_EDITAVEIS)
    if desconhecidos:
        raise ValidationError(dict.fromkeys(sorted(desconhecidos), "Campo não editável."))
    return MovimentacaoEstoque(
        cod_produto=cod_produto,
        tipo_movimentacao=tipo_movimentacao,
        qtd_movimentacao=qtd_movimentacao,
        data_movimentacao=data_movimentacao or timezone.localdate(),
        criado_por=usuario,
        atualizado_por=usuario,
        importacao=importacao,
        **extra,
    )


def criar_movimentacao(
    *,
    cod_produto: str,
    tipo_movimentacao: str,
    qtd_movimentacao: Decimal,
    data_movimentacao: date | None = None,
    usuario: str = "",
    importacao=None,
    **extra,
) -> MovimentacaoEstoque:
    mov = _nova(
        cod_produto=cod_produto,
        tipo_movimentacao=tipo_movimentacao,
        qtd_movimentacao=qtd_movimentacao,
        data_movimentacao=data_movimentacao,
        usuario=usuario,
        importacao=importacao,
        **extra,
    )
    _validar(mov)
    mov.nome_produto = _nome(cod_produto)
    with transaction.atomic():
        mov.save()
    return mov


class MovimentacaoRecusada(ValidationError):
    """A batch refused by its first bad row: `indice` is that row's position in `dados`."""

    def __init__(self, indice: int, erro: ValidationError):
        super().__init__(erro)
        self.indice = indice


def criar_movimentacoes(
    dados: list[dict],
    usuario: str = "",
    importacao=None,
    avancar: Callable[[int, int], None] | None = None,
    lote: int | None = None,
) -> list[MovimentacaoEstoque]:
    """criar_movimentacao for many rows, set-based: every row is built and checked by the same
    rules first (the known codes read once), so a refused row (MovimentacaoRecusada) writes
    nothing; then one bulk_create per `lote` rows in one transaction, `avancar(feitas, total)`
    after each."""
    conhecidos = codigos_conhecidos({d["cod_produto"] for d in dados if isinstance(d.get("cod_produto"), str)})
    movs = []
    for indice, campos in enumerate(dados):
        try:
            mov = _nova(**campos, usuario=usuario, importacao=importacao)
            _validar(mov, conhecidos)
        except ValidationError as erro:
            raise MovimentacaoRecusada(indice, erro) from None
        movs.append(mov)
    nomes = _nomes(mov.cod_produto for mov in movs)
    for mov in movs:
        mov.nome_produto = nomes.get(mov.cod_produto, "")
    lote = lote or LOTE_CRIACAO
    criados: list[MovimentacaoEstoque] = []
    with transaction.atomic():
        for inicio in range(0, len(movs), lote):
            criados += MovimentacaoEstoque.objects.bulk_create(movs[inicio : inicio + lote])
            if avancar:
                avancar(len(criados), len(movs))
    return criados


def editar_movimentacao(pk: int, dados: dict, usuario: str = "") -> MovimentacaoEstoque:
    desconhecidos = set(dados) - set(CAMPOS_EDITAVEIS)
    if desconhecidos:
        raise ValidationError(dict.fromkeys(sorted(desconhecidos), "Campo não editável."))
    with transaction.atomic():
        mov = MovimentacaoEstoque.objects.select_for_update().get(pk=pk)
        if not mov.ativo:
            raise ValidationError({"ativo": "Movimentação cancelada não pode ser editada."})
        exigir_sem_vinculo(pk)
        for campo, valor in dados.items():
            setattr(mov, campo, valor)
        _validar(mov)
        if "cod_produto" in dados:
            mov.nome_produto = _nome(mov.cod_produto)
        mov.atualizado_por = usuario
        mov.save()
    return mov


def cancelar_movimentacao(pk: int, usuario: str = "", *, pelo_dono: bool = False) -> MovimentacaoEstoque:
    """ativo=False: the movement stops counting at once (idempotent). Never deleted.
    A movement another app owns (registrar_vinculo) is cancelled only by that app (pelo_dono)."""
    with transaction.atomic():
        mov = MovimentacaoEstoque.objects.select_for_update().get(pk=pk)
        if mov.ativo and not pelo_dono:
            exigir_sem_vinculo(pk)
        if mov.ativo:
            mov.ativo = False
            mov.atualizado_por = usuario
            mov.save(update_fields=["ativo", "atualizado_por", "atualizado_em"])
    return mov


def reativar_movimentacao(pk: int, usuario: str = "") -> MovimentacaoEstoque:
    """ativo=True again (idempotent); refused for a movement another app owns."""
    with transaction.atomic():
        mov = MovimentacaoEstoque.objects.select_for_update().get(pk=pk)
        if not mov.ativo:
            exigir_sem_vinculo(pk)
            mov.ativo = True
            mov.atualizado_por = usuario
            mov.save(update_fields=["ativo", "atualizado_por", "atualizado_em"])
    return mov
