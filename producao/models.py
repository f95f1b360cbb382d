
from django.db import models
from django.db.models import Q

from estoque.fontes import FonteEstoque

QTD = {"max_digits": 15, "decimal_places": 3}


class CadastroPalletizacao(models.Model):
    """Product master: units per pallet and gross weight, used for weight/pallet figures."""

    cod_produto = models.CharField("código do produto", max_length=50, unique=True)
    nome_produto = models.CharField("nome do produto", max_length=255)
    palletizacao = models.DecimalField("palletização (un/pallet)", **QTD)
    peso_bruto = models.DecimalField("peso bruto (kg/un)", **QTD)
    categoria = models.CharField(max_length=100, blank=True, default="")
    subcategoria = models.CharField(max_length=100, blank=True, default="")
    linha_producao = models.CharField("linha de produção", max_length=100, blank=True, default="")
    ativo = models.BooleanField(default=True)

    class Meta:
        verbose_name = "cadastro de palletização"
        verbose_name_plural = "cadastro de palletização"
        ordering = ["cod_produto"]
        constraints = [
            models.CheckConstraint(condition=Q(palletizacao__gt=0), name="palletizacao_positiva", violation_error_message="A palletização deve ser maior que zero."),
            models.CheckConstraint(condition=Q(peso_bruto__gte=0), name="peso_bruto_nao_negativo", violation_error_message="O peso bruto não pode ser negativo."),
        ]

    def __str__(self):
        return f"{self.cod_produto} - {self.nome_produto}"


class ProgramacaoProducao(FonteEstoque):
    """Planned production: a forecast inflow of qtd_programada on data_programacao."""

    data_programacao = models.DateField("data programada", db_index=True)
    cod_produto = models.CharField("código do produto", max_length=50, db_index=True)
    nome_produto = models.CharField("nome do produto", max_length=255, blank=True, default="")
    qtd_programada = models.DecimalField("quantidade programada", **QTD)
    linha_producao = models.CharField("linha de produção", max_length=100, blank=True, default="")
    cliente_produto = models.CharField("cliente", max_length=100, blank=True, default="")
    observacao_pcp = models.TextField("observação PCP", blank=True, default="")

    class Meta(FonteEstoque.Meta):
        verbose_name = "programação de produção"
        verbose_name_plural = "programação de produção"
        ordering = ["data_programacao", "cod_produto"]
        constraints = [
            models.CheckConstraint(condition=Q(qtd_programada__gt=0), name="qtd_programada_positiva", violation_error_message="A quantidade programada deve ser maior que zero."),
        ]

    def __str__(self):
        return f"{self.data_programacao:%d/%m/%Y} {self.cod_produto} {self.qtd_programada}"
