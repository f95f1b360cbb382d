"""History of the rows operators and the sync write: who, from where, when, and each field from what to what.

The library is django-simple-history: one "histórico de ..." table per tracked model, written in the
same transaction as the row and on any database (the embedded SQLite of `dev.py run` records too;
django-pghistory's triggers are PostgreSQL-only). Its signals record save() and delete(), and so
also every row a QuerySet.delete() or a cascade removes (Django sends post_delete for each row of a
model with receivers). What signals never see — QuerySet.update(), bulk_create() and bulk_update()
(which runs update()) — HistoricoQuerySet records in bulk, in the statement's transaction.

Who and where come from core.autoria (set by the entry point: request, import, sync, command):
`history_user` (the User, or empty), `history_autor` (the text shown: "estoque", "estoque (importação
nº 3)", "sincronização Odoo nº 12") and `history_origem`.

A model opts in with `history = Historico(produto=..., pedido=..., lote=...)`: the fields that tie
its rows to a product, an order or a lote (a tuple when any of several does: a unification names two
products), which the product page and the order workspace filter on
(core.historico_leitura).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, models, router, transaction
from django.dispatch import receiver
from django.utils import timezone
from django.utils.text import format_lazy
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from core import autoria
from core.autoria import Origem

LOTE_PKS = 1000  # rows per statement when recording a bulk update

# model -> {"produto": field, "pedido": field, "lote": field} (the ones it has)
RASTREADOS: dict[type[models.Model], dict[str, str | tuple[str, ...]]] = {}

_suspenso: ContextVar[bool] = ContextVar("estoque_historico_suspenso", default=False)


class TipoHistorico:
    CRIADO, ALTERADO, EXCLUIDO = "+", "~", "-"
    CHOICES = [(CRIADO, "criado"), (ALTERADO, "alterado"), (EXCLUIDO, "excluído")]


class HistoricoBase(models.Model):
    """Fields every history row has besides the library's (history_date, history_user, history_type)."""

    # history_ as the library's own: a tracked model may have its own "origem" (CarteiraPrincipal has).
    history_origem = models.CharField("origem", max_length=15, choices=Origem.CHOICES, default=Origem.SISTEMA)
    history_autor = models.CharField("quem", max_length=200, blank=True, default="")

    class Meta:
        abstract = True


def _usuario(instance=None, request=None, **kwargs):
    return autoria.atual().usuario_atual()


class Historico(HistoricalRecords):
    """HistoricalRecords with this project's fields, names and indexes, and a registry entry."""

    def __init__(
        self, produto: str | tuple[str, ...] | None = None, pedido: str | None = None, lote: str | None = None, **kwargs
    ):
        kwargs.setdefault("bases", [HistoricoBase])
        kwargs.setdefault("get_user", _usuario)
        kwargs.setdefault("history_id_field", models.BigAutoField(primary_key=True))
        kwargs.setdefault("user_db_constraint", False)  # a user deleted later leaves its history readable
        super().__init__(**kwargs)
        self.campos = {
            chave: campo for chave, campo in (("produto", produto), ("pedido", pedido), ("lote", lote)) if campo
        }

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            RASTREADOS[sender] = self.campos

    def post_save(self, instance, created, using=None, **kwargs):
        if not _suspenso.get():
            super().post_save(instance, created, using=using, **kwargs)

    def post_delete(self, instance, using=None, **kwargs):
        if not _suspenso.get():
            super().post_delete(instance, using=using, **kwargs)

    def get_meta_options(self, model):
        opcoes = super().get_meta_options(model)
        opcoes["verbose_name"] = format_lazy("histórico de {}", model._meta.verbose_name)
        opcoes["verbose_name_plural"] = format_lazy("histórico de {}", model._meta.verbose_name_plural)
        opcoes["ordering"] = ("-history_date", "-history_id")
        # The screens read one product's, order's or lote's history, newest first.
        nome = model._meta.model_name[:14]
        opcoes["indexes"] = [
            models.Index(fields=[campo, "-history_date"], name=f"h_{nome}_{chave[:3]}")
            for chave, campo in self.campos.items()
            if isinstance(campo, str)
        ] + [
            models.Index(fields=[campo, "-history_date"], name=f"h_{nome}_{campo[:8]}")
            for campos in self.campos.values()
            if isinstance(campos, tuple)
            for campo in campos
        ]
        opcoes["indexes"].append(models.Index(fields=[model._meta.pk.attname, "-history_date"], name=f"h_{nome}_id"))
        return opcoes


@receiver(pre_create_historical_record, dispatch_uid="core.historico.autoria")
def _preencher_autoria(sender, history_instance, **kwargs):
    if isinstance(history_instance, HistoricoBase):
        atual = autoria.atual()
        history_instance.history_origem = atual.origem
        history_instance.history_autor = atual.autor()[:200]


def rastreado(model) -> bool:
    return model in RASTREADOS and not _suspenso.get()


@contextmanager
def sem_historico() -> Iterator[None]:
    """Write without history rows: the demo generator's starting data only."""
    token = _suspenso.set(True)
    try:
        yield
    finally:
        _suspenso.reset(token)


def registrar_em_massa(model, objetos, tipo: str, using=None) -> None:
    """History rows for `objetos` (instances as stored) written by a bulk statement."""
    objetos = list(objetos)
    if not objetos or not rastreado(model):
        return
    atual = autoria.atual()
    if _por_sql(model, objetos, using):
        _registrar_por_sql(model, [obj.pk for obj in objetos], tipo, atual, using)
        return
    model.history.bulk_history_create(  # the default database: the project has one
        objetos,
        update=tipo == TipoHistorico.ALTERADO,
        default_user=atual.usuario_atual(),
        custom_historical_attrs={"history_origem": atual.origem, "history_autor": atual.autor()[:200]},
        batch_size=500,
    )


def _por_sql(model, objetos, using=None) -> bool:
    """Whether the rows' history can be copied from the table in SQL: what bulk_history_create
    would write, with no per-instance author, reason or date (the project sets none; core.autoria
    names the author) and no extra relation of the library. PostgreSQL only: on SQLite (the demo)
    the property tests' history oracle found copied records out of step with their rows (the
    cause was not pinned down: SQLite keeps a raw datetime parameter in another text form than
    the ORM does), and SQLite is not where large imports run."""
    if connections[using or router.db_for_write(model)].vendor != "postgresql":
        return False
    historico = model.history.model
    return not hasattr(historico, "history_relation") and not any(
        hasattr(obj, atributo) for obj in objetos for atributo in ("_history_user", "_change_reason", "_history_date")
    )


def _registrar_por_sql(model, pks: list, tipo: str, atual, using=None) -> None:
    """bulk_history_create as one INSERT ... SELECT per part: the tracked columns copied from the
    rows as stored (no model instance per row: a 10,000-row import spent most of its history
    time building them), one history_date for the statement, ordered by pk (history ids follow)."""
    historico = model.history.model
    rastreados = historico.tracked_fields
    destino = [historico._meta.get_field(campo.name).column for campo in rastreados]
    origem = [campo.column for campo in rastreados]
    usuario = atual.usuario_atual()
    extras = {
        "history_date": timezone.now(),
        "history_user_id": getattr(usuario, "pk", None),
        "history_change_reason": "",
        "history_type": tipo,
        "history_origem": atual.origem,
        "history_autor": atual.autor()[:200],
    }
    colunas = [historico._meta.get_field(nome).column for nome in extras]
    conexao = connections[using or router.db_for_write(model)]
    q = conexao.ops.quote_name
    pk = q(model._meta.pk.column)
    with conexao.cursor() as cursor:
        for parte in _em_partes(pks):
            cursor.execute(
                f"INSERT INTO {q(historico._meta.db_table)} ({', '.join(q(c) for c in [*destino, *colunas])}) "
                f"SELECT {', '.join(q(c) for c in origem)}, {', '.join(['%s'] * len(extras))} "
                f"FROM {q(model._meta.db_table)} WHERE {pk} IN ({', '.join(['%s'] * len(parte))}) ORDER BY {pk}",
                [*extras.values(), *parte],
            )


def _em_partes(valores, tamanho=LOTE_PKS):
    for inicio in range(0, len(valores), tamanho):
        yield valores[inicio : inicio + tamanho]


class HistoricoQuerySet(models.QuerySet):
    """QuerySet whose bulk writes leave a history row per row they touch (signals see none of them)."""

    def update(self, **kwargs):
        if not rastreado(self.model):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            # Lock the rows first and update exactly those: the history names every row changed.
            pks = list(self.select_for_update(of=("self",)).values_list("pk", flat=True))
            linhas = 0
            base = self.model._base_manager.using(self.db)
            for parte in _em_partes(pks):
                linhas += super(HistoricoQuerySet, self.filter(pk__in=parte)).update(**kwargs)
                registrar_em_massa(self.model, base.filter(pk__in=parte), TipoHistorico.ALTERADO, using=self.db)
            return linhas

    update.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)

    def bulk_create(self, objs, *args, **kwargs):
        if not rastreado(self.model):
            return super().bulk_create(objs, *args, **kwargs)
        if kwargs.get("ignore_conflicts") or kwargs.get("update_conflicts"):
            raise ValueError(
                f"{self.model.__name__}.bulk_create com ignore_conflicts/update_conflicts não é permitido: "
                "o histórico não saberia quais linhas foram criadas ou sobrescritas."
            )
        with transaction.atomic(using=self.db):
            criados = super().bulk_create(objs, *args, **kwargs)
            registrar_em_massa(self.model, criados, TipoHistorico.CRIADO, using=self.db)
            return criados

    bulk_create.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)


HistoricoManager = models.Manager.from_queryset(HistoricoQuerySet)


class ComHistorico(models.Model):
    """A tracked model that is not a stock source: its save/delete and their history row are one transaction."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)

    save.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            return super().delete(*args, **kwargs)

    delete.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)
