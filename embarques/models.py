import re
from typing import Any, ClassVar

from django.db import models

from core.historico import ComHistorico, Historico, HistoricoManager
from core.limites import validar_data_negocio
from estoque.fontes import FonteEstoque, FonteQuerySet


class Embarque(ComHistorico):
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

    objects = HistoricoManager()
    history = Historico()

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
    history = Historico(pedido="num_pedido", lote="separacao_lote_id")

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


# ---- Invoicing record: what each NF took from the stock and from the carteira, so a
# cancelled NF is reversed exactly. Not a stock source: it writes only through the sources
# (MovimentacaoEstoque, Separacao, EmbarqueItem), which keep the derived tables right.

QTD: dict[str, Any] = {"max_digits": 15, "decimal_places": 3}


class FaturamentoLote(models.Model):
    """One NF registered for a lote on an embarque (ATIVO) or its cancellation (CANCELADO)."""

    class Status(models.TextChoices):
        ATIVO = "ATIVO", "Ativo"
        CANCELADO = "CANCELADO", "Cancelado"

    item = models.ForeignKey(
        EmbarqueItem, on_delete=models.PROTECT, related_name="faturamentos", verbose_name="item de embarque"
    )
    separacao_lote_id = models.CharField("lote", max_length=50, db_index=True)
    num_pedido = models.CharField("pedido", max_length=50, blank=True, default="")
    nota_fiscal = models.CharField("nota fiscal", max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ATIVO)
    registrado_em = models.DateTimeField("registrado em", auto_now_add=True)
    registrado_por = models.CharField("registrado por", max_length=150, blank=True, default="")
    cancelado_em = models.DateTimeField("cancelado em", null=True, blank=True)
    cancelado_por = models.CharField("cancelado por", max_length=150, blank=True, default="")
    importacao = models.ForeignKey(
        "core.Importacao",
        verbose_name="importação",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="faturamentos",
    )

    class Meta:
        verbose_name = "faturamento de lote"
        verbose_name_plural = "faturamentos de lotes"
        ordering = ["-registrado_em", "-id"]
        constraints = [
            # One invoice in force per lote: the second of two concurrent registrations fails here.
            models.UniqueConstraint(
                fields=["separacao_lote_id"], condition=models.Q(status="ATIVO"), name="faturamento_um_ativo_por_lote"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["ATIVO", "CANCELADO"]), name="faturamento_status_valido"
            ),
            models.CheckConstraint(
                condition=models.Q(status="ATIVO", cancelado_em__isnull=True)
                | models.Q(status="CANCELADO", cancelado_em__isnull=False),
                name="faturamento_cancelado_com_data",
            ),
        ]

    def __str__(self):
        return f"NF {self.nota_fiscal} / lote {self.separacao_lote_id} ({self.get_status_display()})"


class FaturamentoItem(models.Model):
    """Per product of an invoiced lote: separated, invoiced, taken from the carteira line, and the movement."""

    faturamento = models.ForeignKey(FaturamentoLote, on_delete=models.CASCADE, related_name="itens")
    num_pedido = models.CharField("pedido", max_length=50)
    cod_produto = models.CharField("código do produto", max_length=50)
    qtd_separada = models.DecimalField("qtd separada", **QTD)
    qtd_faturada = models.DecimalField("qtd faturada", **QTD)
    qtd_baixada_carteira = models.DecimalField("qtd baixada da carteira", **QTD)
    movimentacao = models.OneToOneField(
        "estoque.MovimentacaoEstoque",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="faturamento_item",
        verbose_name="movimentação",
    )

    class Meta:
        verbose_name = "item faturado"
        verbose_name_plural = "itens faturados"
        ordering = ["faturamento", "cod_produto"]
        constraints = [
            models.UniqueConstraint(fields=["faturamento", "cod_produto"], name="faturamento_item_produto_unico"),
            models.CheckConstraint(
                condition=models.Q(qtd_faturada__gte=0)
                & models.Q(qtd_faturada__lte=models.F("qtd_separada"))
                & models.Q(qtd_baixada_carteira__gte=0)
                & models.Q(qtd_baixada_carteira__lte=models.F("qtd_faturada")),
                name="faturamento_item_qtds_validas",
            ),
        ]

    def __str__(self):
        return f"{self.cod_produto}: {self.qtd_faturada}"
