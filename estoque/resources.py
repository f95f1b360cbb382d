"""Spreadsheet import/export (django-import-export) of estoque's sources and catalog.

The base (all-or-nothing, errors by line and field, pt-BR widgets) is core.importacao.
Rows are saved one at a time through Model.save(), so the derivation engine sees every
source row, exactly as when an operator saves it by hand.
"""

from django.core.exceptions import ValidationError
from import_export import fields

from core.importacao import ImportacaoResource
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque
from estoque.services import operacoes

# What an import could change in a movement another app owns (estoque.services.operacoes.registrar_vinculo).
CAMPOS_VINCULADOS = (
    "cod_produto",
    "data_movimentacao",
    "tipo_movimentacao",
    "local_movimentacao",
    "qtd_movimentacao",
    "ativo",
    "observacao",
    "separacao_lote_id",
    "numero_nf",
    "num_pedido",
)


class MovimentacaoEstoqueResource(ImportacaoResource):
    # Who imported is set from the logged-in user, not read from the file.
    criado_por = fields.Field(attribute="criado_por", column_name="criado_por", readonly=True)
    atualizado_por = fields.Field(attribute="atualizado_por", column_name="atualizado_por", readonly=True)

    restricoes = {
        "mov_qtd_nao_zero": ("qtd_movimentacao", "A quantidade não pode ser zero."),
        "mov_entrada_positiva": ("qtd_movimentacao", "Entradas (ENTRADA, PRODUCAO) têm quantidade positiva."),
        "mov_saida_negativa": ("qtd_movimentacao", "Saídas (SAIDA, FATURAMENTO) têm quantidade negativa."),
        "mov_tipo_valido": ("tipo_movimentacao", "Tipo inválido: use ENTRADA, SAIDA, AJUSTE, PRODUCAO ou FATURAMENTO."),
    }

    class Meta(ImportacaoResource.Meta):
        model = MovimentacaoEstoque
        name = "Movimentações de estoque"
        import_id_fields = ["id"]
        fields = (
            "id",
            "cod_produto",
            "nome_produto",
            "data_movimentacao",
            "tipo_movimentacao",
            "local_movimentacao",
            "qtd_movimentacao",
            "ativo",
            "observacao",
            "separacao_lote_id",
            "numero_nf",
            "num_pedido",
            "criado_por",
            "atualizado_por",
        )

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # A movement an invoice owns is changed only by cancelling the NF; the same row fed back
        # unchanged (an export re-imported) passes.
        if instance.pk is not None:
            motivo = operacoes.motivos_vinculo([instance.pk]).get(instance.pk)
            guardado = MovimentacaoEstoque.objects.filter(pk=instance.pk).values(*CAMPOS_VINCULADOS).first()
            if motivo and guardado and any(getattr(instance, c) != guardado[c] for c in CAMPOS_VINCULADOS):
                raise ValidationError({"id": motivo})
        super().validate_instance(instance, import_validation_errors, validate_unique)

    def before_save_instance(self, instance, row, **kwargs):
        usuario = kwargs.get("user")
        if usuario is None:
            return
        nome = usuario.get_username()
        if instance.pk is None:
            instance.criado_por = nome
        instance.atualizado_por = nome


class CadastroPalletizacaoResource(ImportacaoResource):
    restricoes = {
        "palletizacao_positiva": ("palletizacao", "A palletização deve ser maior que zero."),
        "peso_bruto_nao_negativo": ("peso_bruto", "O peso bruto não pode ser negativo."),
    }

    class Meta(ImportacaoResource.Meta):
        model = CadastroPalletizacao
        name = "Cadastro de palletização"
        # The product code is the key: re-importing the master updates, never duplicates.
        import_id_fields = ["cod_produto"]
        fields = (
            "cod_produto",
            "nome_produto",
            "palletizacao",
            "peso_bruto",
            "categoria",
            "subcategoria",
            "linha_producao",
            "ativo",
        )
