import re
from typing import ClassVar

from django.db import models

from core.limites import validar_data_negocio
from estoque.fontes import FonteEstoque, FonteQuerySet


class Embarque(models.Model):
    """A truck load."""

    class Status(models.TextChoices):
        ATIVO = "ATIVO", "Ativo"
        CANCELADO = "CANCELADO", "Cancelado"

    numero = models.PositiveIntegerField("número", unique=True)
    data_prevista_embarque = models.DateField(
        "embarque previsto", null=True, blank=True, validators=[validar_data_negocio]
    )
    data_embarque = models.DateField("data do embarque", null=True, blank=True, validators=[validar_data_negocio])
    transportadora = models.CharField(max_length=255, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ATIVO)
    criado_em = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "embarque"
        verbose_name_plural = "embarques"
        ordering = ["-numero"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["ATIVO", "CANCELADO"]),
                name="embarque_status_valido",
                violation_error_message="Status de embarque inválido.",
            ),
        ]

    def __str__(self):
        return f"Embarque {self.numero}"


ERRO_NF_PENDENTE = "NF_PENDENTE_FATURAMENTO"
STATUS_ITEM_ATIVO = "ATIVO"
# erro_validacao "empty" (the invoice was imported and matched): NULL, "" or only ASCII
# blanks. Spelled out, not \s: PostgreSQL's \s depends on the locale, Python's on Unicode.
SEM_ERRO = r"^[ \t\n\r\f\v]*$"


def item_faturado(status: str, erro_validacao: str | None) -> bool:
    """Per row: an active item whose invoice was matched. Twin of EmbarqueItemQuerySet.faturados()."""
    return status == STATUS_ITEM_ATIVO and (
        erro_validacao is None or re.fullmatch(SEM_ERRO, erro_validacao) is not None
    )


class EmbarqueItemQuerySet(FonteQuerySet):
    def faturados(self):
        """Active items whose invoice was matched: their lote is invoiced (stock left for real)."""
        return self.filter(status=STATUS_ITEM_ATIVO).filter(
            models.Q(erro_validacao__isnull=True) | models.Q(erro_validacao__regex=SEM_ERRO)
        )


class EmbarqueItem(FonteEstoque):
    """A lote on a truck. erro_validacao empty = its invoice was matched (the lote is billed)."""

    class Status(models.TextChoices):
        ATIVO = "ATIVO", "Ativo"
        CANCELADO = "CANCELADO", "Cancelado"

    embarque = models.ForeignKey(Embarque, on_delete=models.CASCADE, related_name="itens")
    separacao_lote_id = models.CharField("lote", max_length=50, db_index=True)
    num_pedido = models.CharField("pedido", max_length=50, blank=True, default="")
    cliente = models.CharField(max_length=255, blank=True, default="")
    nota_fiscal = models.CharField("nota fiscal", max_length=20, blank=True, default="")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ATIVO)
    objects: ClassVar = EmbarqueItemQuerySet.as_manager()

    # Starts pending; the billing import clears it when the invoice is matched to the lote.
    erro_validacao = models.CharField(
        "erro de validação", max_length=500, null=True, blank=True, default=ERRO_NF_PENDENTE
    )

    class Meta(FonteEstoque.Meta):
        verbose_name = "item de embarque"
        verbose_name_plural = "itens de embarque"
        ordering = ["embarque", "separacao_lote_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["ATIVO", "CANCELADO"]),
                name="embarque_item_status_valido",
                violation_error_message="Status de item de embarque inválido.",
            ),
        ]

    def __str__(self):
        return f"{self.embarque} / {self.separacao_lote_id}"

    @property
    def faturamento_vinculado(self) -> bool:
        return item_faturado(self.status, self.erro_validacao)
