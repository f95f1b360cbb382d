from typing import Any

from django.db import models
from django.db.models import Q

from core.historico import Historico
from core.limites import texto_livre, validar_data_negocio
from estoque.fontes import FonteEstoque

QTD: dict[str, Any] = {"max_digits": 15, "decimal_places": 3}


class ProgramacaoProducao(FonteEstoque):
    """Planned production: a forecast inflow of qtd_programada on data_programacao."""

    data_programacao = models.DateField("data programada", db_index=True, validators=[validar_data_negocio])
    cod_produto = models.CharField("código do produto", max_length=50, db_index=True)
    nome_produto = models.CharField("nome do produto", max_length=255, blank=True, default="")
    qtd_programada = models.DecimalField("quantidade programada", **QTD)
    linha_producao = models.CharField("linha de produção", max_length=100, blank=True, default="")
    cliente_produto = models.CharField("cliente", max_length=100, blank=True, default="")
    observacao_pcp = models.TextField("observação PCP", blank=True, default="", **texto_livre())
    importacao = models.ForeignKey(
        "core.Importacao",
        verbose_name="importação",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="programacoes",
    )
    history = Historico(produto="cod_produto")

    class Meta(FonteEstoque.Meta):
        verbose_name = "programação de produção"
        verbose_name_plural = "programação de produção"
        ordering = ["data_programacao", "cod_produto"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qtd_programada__gt=0),
                name="qtd_programada_positiva",
                violation_error_message="A quantidade programada deve ser maior que zero.",
            ),
        ]

    def __str__(self):
        return f"{self.data_programacao:%d/%m/%Y} {self.cod_produto} {self.qtd_programada}"
