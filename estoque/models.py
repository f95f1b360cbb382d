from decimal import Decimal
from typing import Any, ClassVar

from django.db import models, transaction
from django.db.models import F, Q

from core.historico import ComHistorico, Historico, HistoricoManager
from core.limites import texto_livre, validar_data_negocio
from core.templatetags.formatos import formatar_qtd
from estoque.fontes import FonteEstoque, FonteQuerySet
from estoque.projecao import ROTULOS_STATUS
from estoque.projecao import StatusEstoque as StatusProjecao

QTD: dict[str, Any] = {"max_digits": 15, "decimal_places": 3}


class CadastroPalletizacao(ComHistorico):
    """Product master (the catalog): name, units per pallet, gross weight, production line.

    It lives with the stock engine because the engine reads it (product names, "known
    product") and every domain app reads the engine, never the reverse.
    """

    cod_produto = models.CharField("código do produto", max_length=50, unique=True)
    nome_produto = models.CharField("nome do produto", max_length=255)
    palletizacao = models.DecimalField("palletização (un/pallet)", **QTD)
    peso_bruto = models.DecimalField("peso bruto (kg/un)", **QTD)
    categoria = models.CharField(max_length=100, blank=True, default="")
    subcategoria = models.CharField(max_length=100, blank=True, default="")
    linha_producao = models.CharField("linha de produção", max_length=100, blank=True, default="")
    ativo = models.BooleanField(default=True)

    objects = HistoricoManager()
    history = Historico(produto="cod_produto")

    class Meta:
        db_table = "producao_cadastropalletizacao"  # the table predates the move from producao
        verbose_name = "cadastro de palletização"
        verbose_name_plural = "cadastro de palletização"
        ordering = ["cod_produto"]
        # The production lines and categories the stock list offers as filters (a skip scan on PostgreSQL).
        indexes = [models.Index(fields=["linha_producao", "categoria"], name="cadastro_linha_categoria_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(palletizacao__gt=0),
                name="palletizacao_positiva",
                violation_error_message="A palletização deve ser maior que zero.",
            ),
            models.CheckConstraint(
                condition=Q(peso_bruto__gte=0),
                name="peso_bruto_nao_negativo",
                violation_error_message="O peso bruto não pode ser negativo.",
            ),
        ]

    def __str__(self):
        return f"{self.cod_produto} - {self.nome_produto}"

    def save(self, *args, **kwargs):
        from estoque.services.derivacao import atualizar_nome  # the engine imports these models

        using = kwargs.get("using") or "default"
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            atualizar_nome(self.cod_produto, self.nome_produto, using)

    save.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)


class TipoMovimentacao(models.TextChoices):
    ENTRADA = "ENTRADA", "Entrada"
    SAIDA = "SAIDA", "Saída"
    AJUSTE = "AJUSTE", "Ajuste"
    PRODUCAO = "PRODUCAO", "Produção"
    FATURAMENTO = "FATURAMENTO", "Faturamento"


# The sign rule: quantities are signed in the ledger; these types fix the sign.
TIPOS_ENTRADA = (TipoMovimentacao.ENTRADA, TipoMovimentacao.PRODUCAO)
TIPOS_SAIDA = (TipoMovimentacao.SAIDA, TipoMovimentacao.FATURAMENTO)
TIPOS_VALIDOS = frozenset(TipoMovimentacao.values)  # (Tipo.values builds its list on every access)


class MovimentacaoEstoqueQuerySet(FonteQuerySet):
    def ativas(self):
        """Movements that count in the stock (a cancelled one has ativo=False)."""
        return self.filter(ativo=True)


class MovimentacaoEstoque(FonteEstoque):
    """A stock movement. Signed: entries > 0, exits < 0; cancelled when ativo=False."""

    Tipo = TipoMovimentacao
    ENTRADAS = TIPOS_ENTRADA
    SAIDAS = TIPOS_SAIDA

    # ClassVar as Model.objects is in django-stubs (overriding it unannotated is an error);
    # bare, so the manager type is still inferred from as_manager().
    objects: ClassVar = MovimentacaoEstoqueQuerySet.as_manager()

    cod_produto = models.CharField("código do produto", max_length=50)
    nome_produto = models.CharField("nome do produto", max_length=255, blank=True, default="")
    data_movimentacao = models.DateField("data", db_index=True, validators=[validar_data_negocio])
    tipo_movimentacao = models.CharField("tipo", max_length=20, choices=Tipo.choices)
    local_movimentacao = models.CharField("local", max_length=50, blank=True, default="")
    qtd_movimentacao = models.DecimalField("quantidade", **QTD)
    ativo = models.BooleanField(default=True)
    observacao = models.TextField("observação", blank=True, default="", **texto_livre())
    separacao_lote_id = models.CharField("lote de separação", max_length=50, blank=True, default="", db_index=True)
    numero_nf = models.CharField("número NF", max_length=20, blank=True, default="")
    num_pedido = models.CharField("pedido", max_length=50, blank=True, default="")
    criado_em = models.DateTimeField(auto_now_add=True)
    criado_por = models.CharField(max_length=100, blank=True, default="")
    atualizado_em = models.DateTimeField(auto_now=True)
    atualizado_por = models.CharField(max_length=100, blank=True, default="")
    importacao = models.ForeignKey(
        "core.Importacao",
        verbose_name="importação",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="movimentacoes",
    )
    history = Historico(produto="cod_produto", pedido="num_pedido", lote="separacao_lote_id")

    class Meta(FonteEstoque.Meta):
        verbose_name = "movimentação de estoque"
        verbose_name_plural = "movimentações de estoque"
        ordering = ["-data_movimentacao", "-id"]
        indexes = [
            # The stock of every product (whole-catalog verification and rebuild: SUM(qtd) GROUP BY
            # cod_produto over all active movements) and of a few (recomputation) as an index-only
            # scan in product order: at scale 100 (18.3M movements) 19 s -> 5.5 s, the heap is never
            # read. INCLUDE is PostgreSQL's; SQLite gets the partial index on cod_produto alone.
            models.Index(
                fields=["cod_produto"],
                include=["qtd_movimentacao"],
                condition=Q(ativo=True),
                name="mov_ativo_produto_qtd_idx",
            ),
            # The latest movements of a product (product page): a short index walk, however long its history.
            models.Index(fields=["cod_produto", "data_movimentacao", "id"], name="mov_produto_data_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(qtd_movimentacao=0),
                name="mov_qtd_nao_zero",
                violation_error_message="A quantidade da movimentação não pode ser zero.",
            ),
            models.CheckConstraint(
                condition=Q(tipo_movimentacao__in=[t.value for t in TipoMovimentacao]),
                name="mov_tipo_valido",
                violation_error_message="Tipo de movimentação inválido.",
            ),
            models.CheckConstraint(
                condition=~Q(tipo_movimentacao__in=[t.value for t in TIPOS_ENTRADA]) | Q(qtd_movimentacao__gt=0),
                name="mov_entrada_positiva",
                violation_error_message="Entradas (ENTRADA, PRODUCAO) têm quantidade positiva.",
            ),
            models.CheckConstraint(
                condition=~Q(tipo_movimentacao__in=[t.value for t in TIPOS_SAIDA]) | Q(qtd_movimentacao__lt=0),
                name="mov_saida_negativa",
                violation_error_message="Saídas (SAIDA, FATURAMENTO) têm quantidade negativa.",
            ),
        ]

    def __str__(self):
        return f"{self.get_tipo_movimentacao_display()} {self.cod_produto} {formatar_qtd(self.qtd_movimentacao)}"

    @classmethod
    def erros_de_quantidade(cls, tipo: str, qtd: Decimal) -> dict[str, str]:
        """The sign rule as field errors (the CHECK constraints above are its database twin)."""
        if tipo not in TIPOS_VALIDOS:
            return {"tipo_movimentacao": f"Tipo de movimentação desconhecido: '{tipo}'."}
        if qtd == 0:
            return {"qtd_movimentacao": "A quantidade não pode ser zero."}
        if tipo in cls.ENTRADAS and qtd < 0:
            return {"qtd_movimentacao": f"{cls.Tipo(tipo).label} exige quantidade positiva."}
        if tipo in cls.SAIDAS and qtd > 0:
            return {"qtd_movimentacao": f"{cls.Tipo(tipo).label} exige quantidade negativa."}
        return {}


class UnificacaoCodigos(FonteEstoque):
    """Two codes that are the same product. Groups are connected components of active pairs."""

    codigo_origem = models.CharField("código de origem", max_length=50)
    codigo_destino = models.CharField("código de destino", max_length=50)
    ativo = models.BooleanField(default=True)
    observacao = models.TextField("observação", blank=True, default="", **texto_livre())
    criado_em = models.DateTimeField(auto_now_add=True)
    history = Historico(produto=("codigo_origem", "codigo_destino"))  # on both products' history

    class Meta(FonteEstoque.Meta):
        verbose_name = "unificação de códigos"
        verbose_name_plural = "unificação de códigos"
        ordering = ["codigo_origem", "codigo_destino"]
        constraints = [
            models.UniqueConstraint(
                fields=["codigo_origem", "codigo_destino"],
                name="unificacao_par_unico",
                violation_error_message="Este par de códigos já está unificado.",
            ),
            models.CheckConstraint(
                condition=~Q(codigo_origem=F("codigo_destino")),
                name="unificacao_nao_consigo",
                violation_error_message="Um código não pode ser unificado com ele mesmo.",
            ),
        ]
        indexes = [models.Index(fields=["codigo_destino"], name="unificacao_destino_idx")]

    def __str__(self):
        return f"{self.codigo_origem} → {self.codigo_destino}"


# ---- Derived tables: written only by estoque.services; equal to a pure function of the sources.


class StatusEstoque(models.TextChoices):
    """estoque.projecao.status_projecao's values, with their labels on screen."""

    CRITICO = StatusProjecao.CRITICO, ROTULOS_STATUS[StatusProjecao.CRITICO]
    ATENCAO = StatusProjecao.ATENCAO, ROTULOS_STATUS[StatusProjecao.ATENCAO]
    OK = StatusProjecao.OK, ROTULOS_STATUS[StatusProjecao.OK]


class CodigoUnificado(models.Model):
    """Resolution of a code to the principal code of its unification group (non-trivial groups only)."""

    cod_produto = models.CharField(max_length=50, primary_key=True)
    cod_principal = models.CharField(max_length=50, db_index=True)

    class Meta:
        verbose_name = "código unificado (resolução)"
        verbose_name_plural = "códigos unificados (resolução)"
        ordering = ["cod_principal", "cod_produto"]

    def __str__(self):
        return f"{self.cod_produto} → {self.cod_principal}"


class EstoqueTempoReal(models.Model):
    """Stock now and D+7 figures per principal code (group of unified codes)."""

    cod_produto = models.CharField("código principal", max_length=50, primary_key=True)
    nome_produto = models.CharField("nome do produto", max_length=255, blank=True, default="")
    saldo_atual = models.DecimalField("saldo atual", default=Decimal("0"), **QTD)
    menor_estoque_d7 = models.DecimalField("menor estoque D+7", null=True, blank=True, **QTD)
    dia_ruptura = models.DateField("dia de ruptura", null=True, blank=True, db_index=True)
    # The rest of the D0..D28 projection's summary (estoque.projecao.resumir), stored so the
    # stock screens filter and sort the whole catalog by status, ruptura day and "disponível".
    menor_estoque_d28 = models.DecimalField("disponível (menor estoque D+28)", default=Decimal("0"), **QTD)
    dia_ruptura_d28 = models.DateField("dia de ruptura até D+28", null=True, blank=True)
    status = models.CharField(max_length=10, choices=StatusEstoque.choices, default=StatusEstoque.OK)
    atualizado_em = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "estoque em tempo real"
        verbose_name_plural = "estoque em tempo real"
        ordering = ["cod_produto"]
        indexes = [
            # Severity then ruptura day is dia_ruptura_d28 ascending, nulls (OK) last: an index walk.
            models.Index(fields=["dia_ruptura_d28", "cod_produto"], name="etr_ruptura_d28_idx"),
            models.Index(fields=["status", "dia_ruptura_d28", "cod_produto"], name="etr_status_ruptura_idx"),
        ]

    def __str__(self):
        return f"{self.cod_produto}: {self.saldo_atual}"


class MovimentacaoPrevista(models.Model):
    """Forecast inflows/outflows per principal code and day (sum of every source)."""

    cod_produto = models.CharField("código principal", max_length=50)
    data_prevista = models.DateField("data prevista")
    entrada_prevista = models.DecimalField("entrada prevista", default=Decimal("0"), **QTD)
    saida_prevista = models.DecimalField("saída prevista", default=Decimal("0"), **QTD)

    class Meta:
        verbose_name = "movimentação prevista"
        verbose_name_plural = "movimentações previstas"
        ordering = ["cod_produto", "data_prevista"]
        constraints = [
            models.UniqueConstraint(fields=["cod_produto", "data_prevista"], name="prevista_produto_data_unica"),
        ]

    def __str__(self):
        return f"{self.cod_produto} {self.data_prevista}: +{self.entrada_prevista} -{self.saida_prevista}"


class ReconciliacaoExecucao(models.Model):
    """One run of the reconciliation sweep (schedule, command or API)."""

    class Origem(models.TextChoices):
        AGENDAMENTO = "AGENDAMENTO", "Agendamento"
        COMANDO = "COMANDO", "Comando"
        API = "API", "API"
        ADMIN = "ADMIN", "Admin"
        VIRADA = "VIRADA", "Virada do dia"

    iniciado_em = models.DateTimeField("iniciada em", auto_now_add=True)
    finalizado_em = models.DateTimeField("finalizada em", null=True, blank=True)
    origem = models.CharField(max_length=20, choices=Origem.choices)
    produtos_verificados = models.PositiveIntegerField("produtos verificados", default=0)
    produtos_corrigidos = models.PositiveIntegerField("produtos corrigidos", default=0)
    cursor_inicio = models.CharField("cursor (início)", max_length=50, blank=True, default="")
    cursor_fim = models.CharField("cursor (fim)", max_length=50, blank=True, default="")
    simulacao = models.BooleanField("simulação (sem corrigir)", default=False)
    # The whole catalog in one snapshot, or a batch of the cursor cycle; `observacao` says why.
    catalogo_inteiro = models.BooleanField("catálogo inteiro", default=False)
    observacao = models.TextField("observação", blank=True, default="")
    erro = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "execução de reconciliação"
        verbose_name_plural = "execuções de reconciliação"
        ordering = ["-iniciado_em"]

    def __str__(self):
        return f"{self.iniciado_em:%d/%m/%Y %H:%M:%S} ({self.produtos_corrigidos} corrigidos)"

    @property
    def duracao_s(self) -> float | None:
        if self.finalizado_em is None or self.iniciado_em is None:
            return None
        return (self.finalizado_em - self.iniciado_em).total_seconds()


class ReparoEstoque(models.Model):
    """One drift the reconciliation found and fixed: what differed, before and after."""

    execucao = models.ForeignKey(
        ReconciliacaoExecucao, on_delete=models.CASCADE, related_name="reparos", verbose_name="execução"
    )
    cod_produto = models.CharField("código principal", max_length=50, db_index=True)
    campo = models.CharField(max_length=60)
    antes = models.TextField(blank=True, default="")
    depois = models.TextField(blank=True, default="")
    criado_em = models.DateTimeField("registrado em", auto_now_add=True)

    class Meta:
        verbose_name = "reparo de estoque"
        verbose_name_plural = "reparos de estoque"
        ordering = ["-criado_em"]

    def __str__(self):
        return f"{self.cod_produto} {self.campo}: {self.antes} → {self.depois}"


class CursorReconciliacao(models.Model):
    """Where the batched reconciliation walk resumes (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    ultimo_codigo = models.CharField(max_length=50, blank=True, default="")

    class Meta:
        verbose_name = "cursor da reconciliação"
        verbose_name_plural = "cursor da reconciliação"

    def __str__(self):
        return f"depois de {self.ultimo_codigo or '(início)'}"


class LoteFaturado(models.Model):
    """Separação lotes the derived tables treat as invoiced through an EmbarqueItem.

    Derived from EmbarqueItem (a matched, active item exists for the lote). Kept so that
    each EmbarqueItem change compares the flag the forecast currently assumes with the
    flag the items give now: right however many items of a lote change in one go
    (a cascade delete of an Embarque removes them one signal at a time).
    """

    separacao_lote_id = models.CharField("lote", max_length=50, primary_key=True)

    class Meta:
        verbose_name = "lote faturado (derivado)"
        verbose_name_plural = "lotes faturados (derivado)"
        ordering = ["separacao_lote_id"]

    def __str__(self):
        return self.separacao_lote_id


# ---- Ruptura alerts: history, not derived (never recomputed from the sources).


class EstadoRuptura(models.Model):
    """The last ruptura day (D0..D7) the alert detection saw for a principal code.

    Not on EstoqueTempoReal: that table is a cache equal to a function of the sources (rebuilt,
    replaced and reconciled), while this is history: what was already announced. The detection
    locks this row before comparing, so a transition is recorded by exactly one detector.
    """

    cod_produto = models.CharField("código principal", max_length=50, primary_key=True)
    dia_ruptura = models.DateField("dia de ruptura conhecido", null=True, blank=True)
    atualizado_em = models.DateTimeField("atualizado em", auto_now=True)

    class Meta:
        verbose_name = "estado de ruptura (alertas)"
        verbose_name_plural = "estados de ruptura (alertas)"
        ordering = ["cod_produto"]

    def __str__(self):
        return f"{self.cod_produto}: {self.dia_ruptura or '—'}"


class AlertaRuptura(models.Model):
    """A product entered CRÍTICO (ruptura within D+7) or its ruptura day moved earlier."""

    class Tipo(models.TextChoices):
        ENTROU_EM_RUPTURA = "ENTROU_EM_RUPTURA", "Entrou em ruptura"
        RUPTURA_ANTECIPADA = "RUPTURA_ANTECIPADA", "Ruptura antecipada"

    cod_produto = models.CharField("código principal", max_length=50, db_index=True)
    tipo = models.CharField(max_length=20, choices=Tipo.choices)
    dia_ruptura = models.DateField("dia de ruptura")
    dia_ruptura_anterior = models.DateField("dia de ruptura anterior", null=True, blank=True)
    menor_estoque_d7 = models.DecimalField("menor estoque D+7", **QTD)
    criado_em = models.DateTimeField("criado em", auto_now_add=True, db_index=True)
    reconhecido = models.BooleanField(default=False)
    reconhecido_por = models.CharField("reconhecido por", max_length=150, blank=True, default="")
    reconhecido_em = models.DateTimeField("reconhecido em", null=True, blank=True)

    class Meta:
        verbose_name = "alerta de ruptura"
        verbose_name_plural = "alertas de ruptura"
        ordering = ["reconhecido", "-criado_em", "-id"]
        permissions = [("reconhecer_alertaruptura", "Pode reconhecer alertas de ruptura")]
        indexes = [models.Index(fields=["reconhecido", "-criado_em"], name="alerta_ruptura_aberto_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(tipo__in=["ENTROU_EM_RUPTURA", "RUPTURA_ANTECIPADA"]), name="alerta_ruptura_tipo_valido"
            ),
        ]

    def __str__(self):
        return f"{self.cod_produto} {self.get_tipo_display()} {self.dia_ruptura:%d/%m/%Y}"
