"""Records every app shares: the spreadsheet imports (core.importacoes), the background jobs (core.trabalhos)."""

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q


class Importacao(models.Model):
    """One uploaded file of one kind, from its preview to its application (and reversal).

    The file's bytes are kept: the confirmation applies exactly the previewed file, never a
    new upload, and a background worker reads it. `impressao_digital` (SHA-256 of the bytes)
    finds a file imported before; the rows an import created point back here (reversal).
    """

    class Status(models.TextChoices):
        RECEBIDA = "RECEBIDA", "Na fila para leitura"
        LENDO = "LENDO", "Lendo o arquivo"
        PREVIA = "PREVIA", "Prévia pronta"
        RECUSADA = "RECUSADA", "Recusada (erros)"
        NA_FILA = "NA_FILA", "Na fila para aplicar"
        APLICANDO = "APLICANDO", "Aplicando"
        APLICADA = "APLICADA", "Aplicada"
        FALHOU = "FALHOU", "Falhou (nada gravado)"
        DESCARTADA = "DESCARTADA", "Descartada"
        DESFEITA = "DESFEITA", "Desfeita"

    tipo = models.CharField(max_length=30, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEBIDA)
    arquivo_nome = models.CharField("arquivo", max_length=255)
    impressao_digital = models.CharField("impressão digital (SHA-256)", max_length=64, db_index=True)
    tamanho = models.PositiveIntegerField("tamanho (bytes)", default=0)
    conteudo = models.BinaryField(null=True, editable=False)
    usuario = models.CharField("usuário", max_length=150)
    criado_em = models.DateTimeField("enviada em", auto_now_add=True)
    linhas = models.PositiveIntegerField("linhas de dados", default=0)
    erros = models.JSONField(default=list, blank=True)  # [{"linha", "coluna", "valor", "mensagem"}]
    avisos = models.JSONField(default=list, blank=True)  # [str]
    totais = models.JSONField(default=dict, blank=True)  # what the preview showed (core.importacoes.Totais)
    repete = models.ForeignKey(
        "self", verbose_name="mesmo arquivo que", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmou_repeticao = models.BooleanField("importada de novo de propósito", default=False)
    aplicada_em = models.DateTimeField(null=True, blank=True)
    aplicada_por = models.CharField(max_length=150, blank=True, default="")
    desfeita_em = models.DateTimeField(null=True, blank=True)
    desfeita_por = models.CharField(max_length=150, blank=True, default="")
    resultado = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "importação de planilha"
        verbose_name_plural = "importações de planilhas"
        ordering = ["-criado_em", "-id"]
        constraints = [
            # The same file applied twice only when the second was confirmed on purpose:
            # two confirmations racing each other cannot both pass the check.
            models.UniqueConstraint(
                fields=["tipo", "impressao_digital"],
                condition=Q(status="APLICADA", confirmou_repeticao=False),
                name="importacao_arquivo_aplicado_uma_vez",
            ),
        ]

    def __str__(self):
        return f"Importação nº {self.pk} ({self.arquivo_nome})"


def _armazenamento_trabalhos():
    from core.trabalhos.arquivos import armazenamento

    return armazenamento()


class Trabalho(models.Model):
    """One piece of long work run by the django-q2 cluster (core.trabalhos): a big export, a
    carteira sync, a large import's apply, a rebuild or reconciliation started from the admin.

    Progress is kept here and, while the work holds a transaction, in the shared cache
    (core.trabalhos.servico.Progresso). At most one job per user and kind is waiting or running.
    """

    class Status(models.TextChoices):
        PENDENTE = "PENDENTE", "Na fila"
        EXECUTANDO = "EXECUTANDO", "Executando"
        CONCLUIDO = "CONCLUIDO", "Concluído"
        FALHOU = "FALHOU", "Falhou"

    EM_ANDAMENTO = (Status.PENDENTE, Status.EXECUTANDO)

    tipo = models.CharField(max_length=60, db_index=True)
    titulo = models.CharField("título", max_length=200)
    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="usuário", on_delete=models.CASCADE, related_name="trabalhos"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDENTE)
    progresso = models.PositiveSmallIntegerField("progresso (%)", default=0)
    etapa = models.CharField(max_length=200, blank=True, default="")
    linhas_feitas = models.PositiveBigIntegerField(default=0)
    linhas_total = models.PositiveBigIntegerField(default=0)
    criado_em = models.DateTimeField("criado em", auto_now_add=True)
    iniciado_em = models.DateTimeField("iniciado em", null=True, blank=True)
    finalizado_em = models.DateTimeField("finalizado em", null=True, blank=True)
    atualizado_em = models.DateTimeField("último progresso", null=True, blank=True)
    parametros = models.JSONField("parâmetros", default=dict, blank=True)
    arquivo = models.FileField(storage=_armazenamento_trabalhos, upload_to="%Y/%m/%d", max_length=300, blank=True)
    arquivo_nome = models.CharField("nome do arquivo", max_length=255, blank=True, default="")
    arquivo_expirado = models.BooleanField(default=False)
    resumo = models.TextField("resultado", blank=True, default="")
    link = models.CharField("ver também", max_length=300, blank=True, default="")
    erro = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = "trabalho em segundo plano"
        verbose_name_plural = "trabalhos em segundo plano"
        ordering = ["-criado_em", "-id"]
        constraints = [
            # A double click, or two tabs, cannot start the same long work twice for one user.
            models.UniqueConstraint(
                fields=["usuario", "tipo"],
                condition=Q(status__in=["PENDENTE", "EXECUTANDO"]),
                name="trabalho_um_em_andamento_por_usuario_e_tipo",
            ),
        ]
        indexes = [models.Index(fields=["status", "finalizado_em"], name="trabalho_status_fim")]

    def __str__(self):
        return f"Trabalho nº {self.pk} ({self.titulo})"

    @property
    def em_andamento(self) -> bool:
        return self.status in self.EM_ANDAMENTO


class Sessao(AbstractBaseSession):
    """A login session (core.sessoes): Django's session row plus the user it belongs to, so a
    request reads its session and its user (with the user's permissions) in one statement.
    Kept by the session store on every save; no database constraint (a session saved while its
    user is deleted must not fail), but deleting a user through Django deletes its sessions."""

    usuario = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        db_constraint=False,
        related_name="+",
    )

    @classmethod
    def get_session_store_class(cls):
        from core.sessoes import SessionStore

        return SessionStore

    class Meta:
        verbose_name = "sessão"
        verbose_name_plural = "sessões"
