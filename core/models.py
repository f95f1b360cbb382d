"""Records every app shares: the spreadsheet imports (core.importacoes)."""

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
