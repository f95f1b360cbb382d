import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from core.historico import ComHistorico, Historico, HistoricoQuerySet
from core.limites import texto_livre, validar_data_negocio
from estoque.fontes import FonteEstoque, FonteQuerySet
from estoque.models import LoteFaturado

QTD: dict[str, Any] = {"max_digits": 15, "decimal_places": 3}
VALOR: dict[str, Any] = {"max_digits": 15, "decimal_places": 2}


class CarteiraPrincipalQuerySet(HistoricoQuerySet):
    def abertas(self):
        return self.filter(ativo=True)

    def com_saldo_livre(self):
        """Annotates each line's `qtd_pre_separada` (active pré-separações), `qtd_separada` (separações
        not yet invoiced) and `qtd_livre` = qtd_saldo_produto_pedido minus both: the free-quantity rule
        of carteira.selectors.saldo_livre, set-based (the same two QuerySet rules, per (pedido, produto))."""
        linha = {"num_pedido": OuterRef("num_pedido"), "cod_produto": OuterRef("cod_produto")}
        pre = _soma_por_linha(PreSeparacaoItem.objects.ativas().filter(**linha), "qtd_selecionada_usuario")
        sep = _soma_por_linha(Separacao.objects.pendentes().filter(**linha), "qtd_saldo")
        return self.annotate(qtd_pre_separada=pre, qtd_separada=sep).annotate(
            qtd_livre=ExpressionWrapper(
                F("qtd_saldo_produto_pedido") - F("qtd_pre_separada") - F("qtd_separada"), output_field=_QTD_FIELD
            )
        )


_QTD_FIELD = models.DecimalField(max_digits=15, decimal_places=3)


def _soma_por_linha(qs, campo):
    soma = qs.order_by().values("num_pedido", "cod_produto").annotate(total=Sum(campo)).values("total")
    return Coalesce(Subquery(soma, output_field=_QTD_FIELD), Value(Decimal("0")), output_field=_QTD_FIELD)


class CarteiraPrincipal(ComHistorico):
    """The open order book: one row per (num_pedido, cod_produto)."""

    objects: ClassVar = CarteiraPrincipalQuerySet.as_manager()
    history = Historico(produto="cod_produto", pedido="num_pedido")

    class Origem(models.TextChoices):
        ODOO = "ODOO", "Odoo"
        MANUAL = "MANUAL", "Manual"

    num_pedido = models.CharField("pedido", max_length=50, db_index=True)
    pedido_cliente = models.CharField("pedido do cliente", max_length=100, blank=True, default="")
    data_pedido = models.DateField(
        "data do pedido", null=True, blank=True, db_index=True, validators=[validar_data_negocio]
    )
    status_pedido = models.CharField("status do pedido", max_length=50, blank=True, default="")
    cnpj_cpf = models.CharField("CNPJ/CPF", max_length=20, blank=True, default="")
    raz_social = models.CharField("razão social", max_length=255, blank=True, default="")
    raz_social_red = models.CharField("razão social reduzida", max_length=100, blank=True, default="")
    municipio = models.CharField("município", max_length=100, blank=True, default="")
    estado = models.CharField("UF", max_length=2, blank=True, default="")
    vendedor = models.CharField(max_length=100, blank=True, default="")
    equipe_vendas = models.CharField("equipe de vendas", max_length=100, blank=True, default="")
    cod_produto = models.CharField("código do produto", max_length=50, db_index=True)
    nome_produto = models.CharField("nome do produto", max_length=255, blank=True, default="")
    qtd_produto_pedido = models.DecimalField("qtd pedida", **QTD)
    qtd_saldo_produto_pedido = models.DecimalField("saldo do pedido", **QTD)
    qtd_cancelada_produto_pedido = models.DecimalField("qtd cancelada", default=Decimal("0"), **QTD)
    preco_produto_pedido = models.DecimalField("preço unitário", default=Decimal("0"), **VALOR)
    data_entrega_pedido = models.DateField("data de entrega", null=True, blank=True, validators=[validar_data_negocio])
    observ_ped_1 = models.TextField("observação do pedido", blank=True, default="", **texto_livre())
    # Delivery address
    cnpj_endereco_ent = models.CharField("CNPJ entrega", max_length=20, blank=True, default="")
    empresa_endereco_ent = models.CharField("empresa entrega", max_length=255, blank=True, default="")
    cep_endereco_ent = models.CharField("CEP entrega", max_length=10, blank=True, default="")
    nome_cidade = models.CharField("cidade entrega", max_length=100, blank=True, default="")
    cod_uf = models.CharField("UF entrega", max_length=2, blank=True, default="")
    bairro_endereco_ent = models.CharField("bairro entrega", max_length=100, blank=True, default="")
    rua_endereco_ent = models.CharField("rua entrega", max_length=255, blank=True, default="")
    endereco_ent = models.CharField("número entrega", max_length=20, blank=True, default="")
    telefone_endereco_ent = models.CharField("telefone entrega", max_length=50, blank=True, default="")
    ativo = models.BooleanField(default=True)
    origem = models.CharField(max_length=10, choices=Origem.choices, default=Origem.MANUAL)
    odoo_line_id = models.BigIntegerField("linha Odoo", null=True, blank=True, unique=True)
    criado_em = models.DateTimeField(auto_now_add=True)
    atualizado_em = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "item da carteira"
        verbose_name_plural = "carteira de pedidos"
        ordering = ["num_pedido", "cod_produto"]
        indexes = [
            # The stock list's "em carteira" of a page of products: an index-only read (PostgreSQL).
            models.Index(
                fields=["cod_produto", "num_pedido"],
                include=["qtd_saldo_produto_pedido"],
                condition=Q(ativo=True),
                name="carteira_aberta_produto_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["num_pedido", "cod_produto"], name="carteira_pedido_produto_unico"),
            models.CheckConstraint(condition=Q(qtd_produto_pedido__gte=0), name="carteira_qtd_nao_negativa"),
            models.CheckConstraint(condition=Q(qtd_saldo_produto_pedido__gte=0), name="carteira_saldo_nao_negativo"),
            models.CheckConstraint(
                condition=Q(qtd_cancelada_produto_pedido__gte=0), name="carteira_cancelada_nao_negativa"
            ),
            models.CheckConstraint(condition=Q(preco_produto_pedido__gte=0), name="carteira_preco_nao_negativo"),
            models.CheckConstraint(condition=Q(origem__in=["ODOO", "MANUAL"]), name="carteira_origem_valida"),
        ]

    def __str__(self):
        return f"{self.num_pedido}/{self.cod_produto}"


STATUS_PRE_SEPARACAO_ATIVOS = ("CRIADO", "RECOMPOSTO")
STATUS_PRE_SEPARACAO_CANCELADO = "CANCELADO"


class PreSeparacaoItemQuerySet(FonteQuerySet):
    def ativas(self):
        """Pré-separações still planned (a forecast outflow): CRIADO or RECOMPOSTO (never CANCELADO)."""
        return self.filter(status__in=STATUS_PRE_SEPARACAO_ATIVOS)


class PreSeparacaoItem(FonteEstoque):
    """A user's planned allocation of part of an order line to a ship date (forecast outflow)."""

    class Status(models.TextChoices):
        CRIADO = "CRIADO", "Criado"
        RECOMPOSTO = "RECOMPOSTO", "Recomposto"
        ENVIADO_SEPARACAO = "ENVIADO_SEPARACAO", "Enviado para separação"
        CANCELADO = STATUS_PRE_SEPARACAO_CANCELADO, "Cancelado pela sincronização"

    class TipoEnvio(models.TextChoices):
        TOTAL = "total", "Total"
        PARCIAL = "parcial", "Parcial"

    ATIVOS = STATUS_PRE_SEPARACAO_ATIVOS

    objects: ClassVar = PreSeparacaoItemQuerySet.as_manager()
    history = Historico(produto="cod_produto", pedido="num_pedido", lote="separacao_lote_id")

    num_pedido = models.CharField("pedido", max_length=50)
    cod_produto = models.CharField("código do produto", max_length=50, db_index=True)
    # The lote (several products of one order, carteira.montagem); "" for a single-item one.
    # Confirming the lote gives its separações this same id.
    separacao_lote_id = models.CharField("lote", max_length=50, blank=True, default="", db_default="", db_index=True)
    qtd_selecionada_usuario = models.DecimalField("quantidade", **QTD)
    data_expedicao_editada = models.DateField("expedição", validators=[validar_data_negocio])
    data_agendamento_editada = models.DateField("agendamento", null=True, blank=True, validators=[validar_data_negocio])
    protocolo_editado = models.CharField("protocolo", max_length=50, blank=True, default="")
    observacoes_usuario = models.TextField("observações", blank=True, default="", **texto_livre())
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CRIADO)
    tipo_envio = models.CharField("tipo de envio", max_length=10, choices=TipoEnvio.choices, default=TipoEnvio.TOTAL)
    criado_em = models.DateTimeField(auto_now_add=True)
    criado_por = models.CharField(max_length=100, blank=True, default="")
    # Set together with status CANCELADO by the carteira sync (never by hand): the row is
    # kept, counts for nothing, and says which run cancelled it.
    cancelado_em = models.DateTimeField("cancelada em", null=True, blank=True)
    cancelado_por_sincronizacao = models.ForeignKey(
        "carteira.SincronizacaoCarteira",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pre_separacoes_cancelamentos",
        verbose_name="cancelada pela sincronização",
    )

    class Meta(FonteEstoque.Meta):
        verbose_name = "pré-separação"
        verbose_name_plural = "pré-separações"
        ordering = ["num_pedido", "cod_produto", "-criado_em"]
        indexes = [
            models.Index(fields=["num_pedido", "cod_produto"], name="presep_pedido_produto_idx"),
            # The active ones per product (stock list, free quantity of the carteira): index-only on PostgreSQL.
            models.Index(
                fields=["cod_produto", "num_pedido"],
                include=["qtd_selecionada_usuario"],
                condition=Q(status__in=STATUS_PRE_SEPARACAO_ATIVOS),
                name="presep_ativa_produto_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(qtd_selecionada_usuario__gt=0), name="presep_qtd_positiva"),
            models.CheckConstraint(
                condition=Q(status__in=["CRIADO", "RECOMPOSTO", "ENVIADO_SEPARACAO", "CANCELADO"]),
                name="presep_status_valido",
            ),
            models.CheckConstraint(condition=Q(tipo_envio__in=["total", "parcial"]), name="presep_tipo_envio_valido"),
            # CANCELADO exactly when it has a cancellation time; the run only with a time.
            models.CheckConstraint(
                condition=Q(status="CANCELADO", cancelado_em__isnull=False)
                | (~Q(status="CANCELADO") & Q(cancelado_em__isnull=True)),
                name="presep_cancelada_com_data",
            ),
            models.CheckConstraint(
                condition=Q(cancelado_por_sincronizacao__isnull=True) | Q(cancelado_em__isnull=False),
                name="presep_cancelada_por_sinc_com_data",
            ),
        ]

    def __str__(self):
        return f"{self.num_pedido}/{self.cod_produto} {self.qtd_selecionada_usuario} em {self.data_expedicao_editada}"

    def clean(self):
        # The admin form: the database constraint above, said in words.
        if (self.status == self.Status.CANCELADO) != (self.cancelado_em is not None):
            raise ValidationError(
                {"status": "CANCELADO só pela sincronização da carteira, e uma pré-separação cancelada não volta."}
            )


STATUS_SEPARACAO_FATURADOS = ("FATURADO", "NF no CD")


STATUS_SEPARACAO_CANCELAVEIS = ("ABERTO", "COTADO")


def separacao_pendente(status: str, sincronizado_nf: bool, lote_faturado: bool, cancelado_em: datetime | None) -> bool:
    """Per row: still waiting to be invoiced and not cancelled (a forecast outflow).
    Twin of SeparacaoQuerySet.pendentes()."""
    if cancelado_em is not None:
        return False
    return not (sincronizado_nf or status in STATUS_SEPARACAO_FATURADOS or lote_faturado)


def data_prevista_separacao(expedicao: date | None, criado_em: datetime | None) -> date:
    """Per row: the day a separação leaves. Without expedição, its creation day in São Paulo
    (overdue, so it counts on D0). Twin of SeparacaoQuerySet.com_data_prevista()."""
    if expedicao:
        return expedicao
    if isinstance(criado_em, datetime):
        return timezone.localdate(criado_em) if timezone.is_aware(criado_em) else criado_em.date()
    return timezone.localdate()


class SeparacaoQuerySet(FonteQuerySet):
    def pendentes(self):
        """Separações still waiting to be invoiced: not cancelled, not FATURADO/NF no CD, NF not
        synchronised, and their lote not invoiced through an embarque (estoque.models.LoteFaturado,
        kept by the engine in the same transaction as the embarque items)."""
        faturado = LoteFaturado.objects.filter(separacao_lote_id=OuterRef("separacao_lote_id"))
        return (
            self.nao_canceladas()
            .filter(sincronizado_nf=False)
            .exclude(status__in=STATUS_SEPARACAO_FATURADOS)
            .exclude(Exists(faturado))
        )

    def nao_canceladas(self):
        """Every separação but the ones a carteira sync cancelled (kept for the record only)."""
        return self.filter(cancelado_em__isnull=True)

    def com_data_prevista(self):
        """Annotates `data_prevista` (see data_prevista_separacao; TruncDate uses São Paulo)."""
        return self.annotate(data_prevista=Coalesce("expedicao", TruncDate("criado_em")))


class Separacao(FonteEstoque):
    """A picking order line (lote separacao_lote_id): a forecast outflow until invoiced."""

    class Status(models.TextChoices):
        ABERTO = "ABERTO", "Aberto"
        COTADO = "COTADO", "Cotado"
        EMBARCADO = "EMBARCADO", "Embarcado"
        FATURADO = "FATURADO", "Faturado"
        NF_NO_CD = "NF no CD", "NF no CD"

    FATURADOS = STATUS_SEPARACAO_FATURADOS
    ORDEM_STATUS = ("ABERTO", "COTADO", "EMBARCADO", "FATURADO", "NF no CD")

    separacao_lote_id = models.CharField("lote", max_length=50, db_index=True)
    num_pedido = models.CharField("pedido", max_length=50)
    cod_produto = models.CharField("código do produto", max_length=50, db_index=True)
    qtd_saldo = models.DecimalField("quantidade", **QTD)
    valor_saldo = models.DecimalField("valor", default=Decimal("0"), **VALOR)
    peso = models.DecimalField("peso (kg)", default=Decimal("0"), **QTD)
    pallet = models.DecimalField("pallets", default=Decimal("0"), **QTD)
    expedicao = models.DateField("expedição", null=True, blank=True, validators=[validar_data_negocio])
    agendamento = models.DateField(null=True, blank=True, validators=[validar_data_negocio])
    protocolo = models.CharField(max_length=50, blank=True, default="")
    tipo_envio = models.CharField("tipo de envio", max_length=10, default="total")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ABERTO)
    numero_nf = models.CharField("número NF", max_length=20, blank=True, default="")
    sincronizado_nf = models.BooleanField("NF sincronizada", default=False)
    criado_em = models.DateTimeField(auto_now_add=True)
    # Set by the carteira sync when the order line no longer holds it (never by hand): the
    # row keeps its status and quantity for the record and counts for nothing.
    cancelado_em = models.DateTimeField("cancelada em", null=True, blank=True)
    cancelado_por_sincronizacao = models.ForeignKey(
        "carteira.SincronizacaoCarteira",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="separacoes_cancelamentos",
        verbose_name="cancelada pela sincronização",
    )

    objects: ClassVar = SeparacaoQuerySet.as_manager()
    history = Historico(produto="cod_produto", pedido="num_pedido", lote="separacao_lote_id")

    class Meta(FonteEstoque.Meta):
        verbose_name = "separação"
        verbose_name_plural = "separações"
        ordering = ["separacao_lote_id", "cod_produto"]
        indexes = [
            models.Index(fields=["num_pedido", "cod_produto"], name="sep_pedido_produto_idx"),
            # The not-yet-invoiced ones per product (pendentes() before its lote check): index-only on PostgreSQL.
            models.Index(
                fields=["cod_produto", "num_pedido"],
                include=["qtd_saldo", "separacao_lote_id"],
                condition=Q(sincronizado_nf=False) & ~Q(status__in=STATUS_SEPARACAO_FATURADOS),
                name="sep_pendente_produto_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(qtd_saldo__gte=0), name="sep_qtd_nao_negativa"),
            models.CheckConstraint(
                condition=Q(status__in=["ABERTO", "COTADO", "EMBARCADO", "FATURADO", "NF no CD"]),
                name="sep_status_valido",
            ),
            # Only a separação not yet shipped can be cancelled (the sync's rule); the run only with a time.
            models.CheckConstraint(
                condition=Q(cancelado_em__isnull=True) | Q(status__in=list(STATUS_SEPARACAO_CANCELAVEIS)),
                name="sep_cancelada_aberta_ou_cotada",
            ),
            models.CheckConstraint(
                condition=Q(cancelado_por_sincronizacao__isnull=True) | Q(cancelado_em__isnull=False),
                name="sep_cancelada_por_sinc_com_data",
            ),
        ]

    def __str__(self):
        return f"{self.separacao_lote_id} {self.cod_produto} {self.qtd_saldo}"

    def clean(self):
        # The admin form: CHECK sep_cancelada_aberta_ou_cotada, said in words.
        if self.cancelado_em is not None and self.status not in STATUS_SEPARACAO_CANCELAVEIS:
            raise ValidationError(
                {"status": "Separação cancelada pela sincronização da carteira: fica ABERTO ou COTADO, como estava."}
            )


class Pedido(models.Model):
    """One separação lote seen as a shipment. A database view over Separacao (never out of step).

    Status: the least advanced status among its separações not cancelled (ABERTO < COTADO <
    EMBARCADO < FATURADO < NF no CD), so a lote is FATURADO only when every line is; CANCELADO
    when a carteira sync cancelled every line. Items and totals count the lines not cancelled;
    qtd_itens_cancelados the others.
    """

    separacao_lote_id = models.CharField("lote", max_length=50, primary_key=True)
    num_pedido = models.CharField("pedido", max_length=50)
    status = models.CharField(max_length=20)
    expedicao = models.DateField("expedição", null=True)
    agendamento = models.DateField(null=True)
    protocolo = models.CharField(max_length=50)
    numero_nf = models.CharField("número NF", max_length=20)
    qtd_itens = models.IntegerField("itens")
    qtd_itens_cancelados = models.IntegerField("itens cancelados")
    valor_saldo_total = models.DecimalField("valor", **VALOR)
    peso_total = models.DecimalField("peso (kg)", **QTD)
    pallet_total = models.DecimalField("pallets", **QTD)

    class Meta:
        managed = False
        db_table = "carteira_pedido"
        verbose_name = "pedido (lote)"
        verbose_name_plural = "pedidos (lotes)"
        ordering = ["separacao_lote_id"]

    def __str__(self):
        return f"{self.separacao_lote_id} ({self.num_pedido}) {self.status}"


# ---- Carteira sync from Odoo (or a spreadsheet): run log and alerts on quoted separações.


class SincronizacaoCarteira(models.Model):
    """One run of the carteira sync: what changed, what it did to the allocations, or why it failed.

    A run that writes is on record from before its fetch (EM_ANDAMENTO, one at a time: it is
    also the sync lock on SQLite) and ends SUCESSO (in the sync transaction), FALHA (after
    the rollback, so a failed run stays on record) or AGUARDANDO_CONFIRMACAO (stopped before
    writing, its plan in `plano`). A confirmed run becomes CONFIRMADA and the run that applied
    it points to it (`confirmacao_de`); a waiting run left behind by a later applied one
    becomes SUPERADA. A dry-run is recorded at its end (SIMULACAO); a spreadsheet's dry-run keeps
    the file (`conteudo_planilha`) and may be applied later: it then becomes CONFIRMADA, or
    SUPERADA when another run applies first.
    """

    class Origem(models.TextChoices):
        ODOO = "ODOO", "Odoo"
        PLANILHA = "PLANILHA", "Planilha"

    class Status(models.TextChoices):
        EM_ANDAMENTO = "EM_ANDAMENTO", "Em andamento"
        SUCESSO = "SUCESSO", "Sucesso"
        FALHA = "FALHA", "Falha"
        SIMULACAO = "SIMULACAO", "Simulação (nada gravado)"
        AGUARDANDO_CONFIRMACAO = "AGUARDANDO_CONFIRMACAO", "Aguardando confirmação (nada gravado)"
        CONFIRMADA = "CONFIRMADA", "Confirmada (aplicada por outra execução)"
        SUPERADA = "SUPERADA", "Superada (nada gravado)"

    class Gatilho(models.TextChoices):
        COMANDO = "COMANDO", "Comando"
        AGENDAMENTO = "AGENDAMENTO", "Agendamento"
        ADMIN = "ADMIN", "Admin"

    iniciado_em = models.DateTimeField("iniciada em", db_index=True)
    finalizado_em = models.DateTimeField("finalizada em", null=True, blank=True)
    instantaneo_em = models.DateTimeField(
        "instantâneo lido em",
        null=True,
        blank=True,
        help_text="Quando começou a leitura da origem (relógio do banco), já com a trava da sincronização.",
    )
    origem = models.CharField(max_length=10, choices=Origem.choices)
    status = models.CharField(max_length=25, choices=Status.choices)
    gatilho = models.CharField("disparada por", max_length=15, choices=Gatilho.choices)
    usuario = models.CharField("usuário", max_length=150, blank=True, default="")
    arquivo = models.CharField("planilha", max_length=255, blank=True, default="")
    confirmacao_de = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="confirmacoes",
        verbose_name="confirma a execução",
    )
    linhas_recebidas = models.PositiveIntegerField("linhas recebidas", default=0)
    linhas_novas = models.PositiveIntegerField("novas", default=0)
    linhas_removidas = models.PositiveIntegerField("removidas", default=0)
    linhas_reduzidas = models.PositiveIntegerField("reduzidas", default=0)
    linhas_aumentadas = models.PositiveIntegerField("aumentadas", default=0)
    linhas_alteradas = models.PositiveIntegerField("outras alterações", default=0)
    linhas_manuais_ignoradas = models.PositiveIntegerField("ignoradas (linha manual)", default=0)
    pre_separacoes_reduzidas = models.PositiveIntegerField("pré-separações reduzidas", default=0)
    pre_separacoes_canceladas = models.PositiveIntegerField("pré-separações canceladas", default=0)
    separacoes_reduzidas = models.PositiveIntegerField("separações reduzidas", default=0)
    separacoes_canceladas = models.PositiveIntegerField("separações canceladas", default=0)
    alertas = models.PositiveIntegerField("alertas", default=0)
    plano = models.JSONField(
        "plano", default=dict, blank=True, help_text="O que exige confirmação: linhas removidas, separações afetadas."
    )
    relatorio = models.TextField("relatório", blank=True, default="")
    erro = models.TextField(blank=True, default="")
    # The spreadsheet a SIMULACAO or AGUARDANDO_CONFIRMACAO run read, so applying or confirming
    # it reads the same bytes again instead of a new upload (bounded by the upload limit).
    conteudo_planilha = models.BinaryField("conteúdo da planilha", null=True, editable=False)

    class Meta:
        verbose_name = "sincronização da carteira"
        verbose_name_plural = "sincronizações da carteira"
        ordering = ["-iniciado_em", "-id"]
        permissions = [("executar_sincronizacao", "Pode executar a sincronização da carteira")]
        constraints = [
            models.CheckConstraint(condition=Q(origem__in=["ODOO", "PLANILHA"]), name="sinc_origem_valida"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "EM_ANDAMENTO",
                        "SUCESSO",
                        "FALHA",
                        "SIMULACAO",
                        "AGUARDANDO_CONFIRMACAO",
                        "CONFIRMADA",
                        "SUPERADA",
                    ]
                ),
                name="sinc_status_valido",
            ),
            # One run writing at a time: on SQLite this row is the sync lock.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="EM_ANDAMENTO"), name="sinc_uma_em_andamento"
            ),
        ]

    def __str__(self):
        return (
            f"nº {self.pk} {self.get_origem_display()} {self.iniciado_em:%d/%m/%Y %H:%M:%S} {self.get_status_display()}"
        )


class AlertaSeparacaoCotada(models.Model):
    """A sync reduced a COTADO separação (its freight is quoted): operators must review it.

    One open (unacknowledged) alert per lote/pedido/produto: a later sync updates it.
    """

    class Tipo(models.TextChoices):
        REDUCAO = "REDUCAO", "Redução"
        REMOCAO = "REMOCAO", "Remoção"

    separacao_lote_id = models.CharField("lote", max_length=50, db_index=True)
    num_pedido = models.CharField("pedido", max_length=50)
    cod_produto = models.CharField("código do produto", max_length=50)
    tipo = models.CharField(max_length=10, choices=Tipo.choices)
    qtd_antes = models.DecimalField("qtd antes", **QTD)
    qtd_depois = models.DecimalField("qtd depois", **QTD)
    criado_em = models.DateTimeField("criado em", auto_now_add=True)
    atualizado_em = models.DateTimeField("atualizado em", auto_now=True)
    reconhecido = models.BooleanField(default=False)
    reconhecido_por = models.CharField("reconhecido por", max_length=150, blank=True, default="")
    reconhecido_em = models.DateTimeField("reconhecido em", null=True, blank=True)

    class Meta:
        verbose_name = "alerta de separação cotada"
        verbose_name_plural = "alertas de separações cotadas"
        ordering = ["reconhecido", "-atualizado_em"]
        constraints = [
            models.UniqueConstraint(
                fields=["separacao_lote_id", "num_pedido", "cod_produto"],
                condition=Q(reconhecido=False),
                name="alerta_cotada_aberto_unico",
            ),
            models.CheckConstraint(condition=Q(tipo__in=["REDUCAO", "REMOCAO"]), name="alerta_cotada_tipo_valido"),
        ]

    def __str__(self):
        return f"{self.separacao_lote_id} {self.num_pedido}/{self.cod_produto}: {self.qtd_antes} → {self.qtd_depois}"


class AnaliseRuptura(models.Model):
    """One background stock-out analysis of many orders, processed in lots by django-q2."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    criado_em = models.DateTimeField("criada em", auto_now_add=True)
    criado_por = models.CharField("criada por", max_length=150, blank=True, default="")
    total_pedidos = models.PositiveIntegerField("pedidos", default=0)
    total_lotes = models.PositiveIntegerField("lotes", default=0)
    # sha256 of the sorted order numbers: a second request for the same set reuses this one.
    chave = models.CharField("conjunto de pedidos", max_length=64, blank=True, default="", db_index=True)

    class Meta:
        verbose_name = "análise de ruptura"
        verbose_name_plural = "análises de ruptura"
        ordering = ["-criado_em"]
        permissions = [("analisar_ruptura", "Pode analisar ruptura de pedidos")]

    def __str__(self):
        return f"{self.criado_em:%d/%m/%Y %H:%M} ({self.total_pedidos} pedidos)"


class AnaliseRupturaLote(models.Model):
    """A lot of an analysis (lots growing from 20 to 640 orders); resultados filled by the worker that ran it."""

    analise = models.ForeignKey(AnaliseRuptura, on_delete=models.CASCADE, related_name="lotes", verbose_name="análise")
    indice = models.PositiveIntegerField("lote")
    pedidos = models.JSONField(default=list)
    resultados = models.JSONField(null=True, blank=True)
    erro = models.TextField(blank=True, default="")
    concluido_em = models.DateTimeField("concluído em", null=True, blank=True)

    class Meta:
        verbose_name = "lote da análise de ruptura"
        verbose_name_plural = "lotes da análise de ruptura"
        ordering = ["analise", "indice"]
        constraints = [models.UniqueConstraint(fields=["analise", "indice"], name="ruptura_lote_unico")]

    def __str__(self):
        return f"{self.analise_id} #{self.indice}"
