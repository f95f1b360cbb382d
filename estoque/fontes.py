"""Base classes for the source tables that feed the real-time stock.

Every write to a source row runs in one transaction with the delta it causes on the
derived tables, and the path is explicit:

- `FonteEstoque.save()` / `.delete()`: lock and read the row's old state, write, read
  the new state back, apply contribution(new) - contribution(old) (estoque.services.derivacao);
- `FonteQuerySet.update()` / `.delete()` / `.bulk_create()` / `.bulk_update()`: the same,
  set-based, for every row the statement touches;
- a row deleted by a cascade (a parent's delete) is the one write Django runs without
  calling either; estoque.signals routes those to the engine.

The engine is imported late: it imports the models, which import this base.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models, router

from core.historico import HistoricoQuerySet

# Models whose rows are written without the per-row derivation because a bulk path (or a
# benchmark measuring the bare write) has taken over for the rows it touches.
_sem_derivacao: ContextVar[frozenset] = ContextVar("estoque_sem_derivacao", default=frozenset())


def derivacao_suspensa(model) -> bool:
    return model in _sem_derivacao.get()


@contextmanager
def sem_derivacao(model) -> Iterator[None]:
    """Write rows of `model` without the per-row derivation (the caller owns the delta)."""
    token = _sem_derivacao.set(_sem_derivacao.get() | {model})
    try:
        yield
    finally:
        _sem_derivacao.reset(token)


def _motor():
    from estoque.services import derivacao

    return derivacao


def _transacao():
    from estoque.services import transacao

    return transacao


class FonteQuerySet(HistoricoQuerySet):
    """QuerySet whose bulk writes keep EstoqueTempoReal/MovimentacaoPrevista right."""

    def _base(self, pks):
        return self.model._base_manager.using(self.db).filter(pk__in=pks)

    def update(self, **kwargs):
        if derivacao_suspensa(self.model):
            # Inside a bulk path (bulk_update calls update()) that already owns the derivation.
            return super().update(**kwargs)
        motor = _motor()

        def atualizar():
            antigos = motor.estados_travados(self.model, self, using=self.db)
            if not antigos:
                return 0
            pks = [e["pk"] for e in antigos]
            # Exactly the locked rows: the filter run again would also catch a matching row
            # committed after the locked read, whose delta nobody would apply.
            with sem_derivacao(self.model):
                linhas = self._base(pks).update(**kwargs)
            novos = motor.estados(self.model, self._base(pks))
            motor.aplicar_mudanca(self.model, antigos, novos, using=self.db)
            return linhas

        return _transacao().executar(atualizar, using=self.db)

    update.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)

    def delete(self):
        if derivacao_suspensa(self.model):
            return super().delete()
        motor = _motor()

        def excluir():
            antigos = motor.estados_travados(self.model, self, using=self.db)
            with sem_derivacao(self.model):  # the locked rows only, as in update()
                resultado = self._base([e["pk"] for e in antigos]).delete()
            motor.aplicar_mudanca(self.model, antigos, [], using=self.db)
            return resultado

        return _transacao().executar(excluir, using=self.db)

    delete.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)
    delete.queryset_only = True  # type: ignore[attr-defined]  # likewise

    def bulk_create(
        self,
        objs,
        batch_size=None,
        ignore_conflicts=False,
        update_conflicts=False,
        update_fields=None,
        unique_fields=None,
    ):
        if ignore_conflicts or update_conflicts:
            raise ValueError(
                f"{self.model.__name__}.bulk_create com ignore_conflicts/update_conflicts não é permitido: "
                "as linhas ignoradas ou sobrescritas não teriam o estoque derivado ajustado. "
                "Grave-as uma a uma ou use update()."
            )
        objs = list(objs)
        estados_iniciais = [(obj.pk, obj._state.adding) for obj in objs]
        motor = _motor()

        def criar():
            with sem_derivacao(self.model):
                criados = super(FonteQuerySet, self).bulk_create(
                    objs, batch_size=batch_size, update_fields=update_fields, unique_fields=unique_fields
                )
            motor.aplicar_mudanca(self.model, [], motor.estados(self.model, criados), using=self.db)
            return criados

        def restaurar():
            for obj, (pk, adicionando) in zip(objs, estados_iniciais, strict=True):
                obj.pk, obj._state.adding = pk, adicionando

        return _transacao().executar(criar, using=self.db, antes_de_repetir=restaurar)

    bulk_create.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)

    def _insert(self, objs, fields, returning_fields=None, raw=False, using=None, **kwargs):
        """bulk_create's batches on PostgreSQL as one unnest() statement (estoque.services.massa):
        Django's VALUES list of 2,000 rows x 20 columns was compiled and parsed again by psycopg
        for every batch (about a third of a 10,000-row import's write)."""
        from estoque.services import massa

        if not raw and not any(kwargs.values()):
            linhas = massa.inserir(self.model, objs, fields, returning_fields, connections[using or self.db])
            if linhas is not None:
                return linhas
        return super()._insert(objs, fields, returning_fields=returning_fields, raw=raw, using=using, **kwargs)  # type: ignore[misc]  # a Django hook the stubs omit

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        if not objs:
            return 0
        motor = _motor()

        def atualizar_em_massa():
            pks = [obj.pk for obj in objs]
            antigos = motor.estados_travados(self.model, self._base(pks), using=self.db)
            with sem_derivacao(self.model):
                linhas = super(FonteQuerySet, self).bulk_update(objs, fields, batch_size=batch_size)
            motor.aplicar_mudanca(self.model, antigos, motor.estados(self.model, self._base(pks)), using=self.db)
            return linhas

        return _transacao().executar(atualizar_em_massa, using=self.db)

    bulk_update.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)


FonteManager = models.Manager.from_queryset(FonteQuerySet)


def _campos_retornaveis(model, using) -> list | None:
    """The engine's fields of `model` as INSERT ... RETURNING can give them back (plain local
    columns), or None (then the new row is read back after the insert)."""
    if not connections[using].features.can_return_columns_from_insert:
        return None
    campos = []
    for nome in _motor().registro.campos(model):
        try:
            campo = model._meta.get_field(nome)
        except FieldDoesNotExist:
            return None
        if not campo.concrete or campo.is_relation or campo.model is not model or campo.attname != nome:
            return None
        campos.append(campo)
    return campos


class FonteEstoque(models.Model):
    """A source table of the real-time stock: save/delete are atomic with their delta."""

    objects = FonteManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        model = type(self)
        using = kwargs.get("using") or router.db_for_write(model, instance=self)
        if derivacao_suspensa(model):
            return super().save(*args, **kwargs)
        motor = _motor()
        pk, adicionando = self.pk, self._state.adding

        def gravar():
            # Old state under the row lock, the write, the stored new state (rounded,
            # converted, only update_fields: what the database holds, not the instance)
            # and the delta: one transaction, retried whole if it is a deadlock victim.
            if self.pk is None and (retornados := _campos_retornaveis(model, using)) is not None:
                # A new row: its stored state comes back from the INSERT itself (RETURNING).
                self._estoque_retornar = retornados
                try:
                    super(FonteEstoque, self).save(*args, **kwargs)
                finally:
                    del self._estoque_retornar
                motor.aplicar_mudanca(model, [], motor.estados(model, [self]), using)
                return
            antigos = (
                [] if self.pk is None else motor.estados_travados(model, model._base_manager.filter(pk=self.pk), using)
            )
            super(FonteEstoque, self).save(*args, **kwargs)
            novos = motor.estados(model, model._base_manager.using(using).filter(pk=self.pk))
            motor.aplicar_mudanca(model, antigos, novos, using)

        def restaurar():
            self.pk, self._state.adding = pk, adicionando

        _transacao().executar(gravar, using=using, antes_de_repetir=restaurar)

    save.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        extras = getattr(self, "_estoque_retornar", None)
        if not extras or manager.model is not type(self):
            return super()._do_insert(manager, using, fields, returning_fields, raw)  # type: ignore[misc]  # a Django hook the stubs omit
        extras = [campo for campo in extras if campo not in returning_fields]
        resultados = super()._do_insert(manager, using, fields, [*returning_fields, *extras], raw)  # type: ignore[misc]
        if resultados:
            # Django sets the returning fields it asked for (the pk); these are the stored values of the rest.
            for valor, campo in zip(resultados[0][len(returning_fields) :], extras):
                setattr(self, campo.attname, valor)
        return resultados

    def delete(self, *args, **kwargs):
        model = type(self)
        using = kwargs.get("using") or router.db_for_write(model, instance=self)
        if derivacao_suspensa(model):
            return super().delete(*args, **kwargs)
        motor = _motor()

        def excluir():
            antigos = motor.estados_travados(model, model._base_manager.filter(pk=self.pk), using)
            # This row's delta is applied here; rows of other sources its delete cascades
            # to still reach the engine through estoque.signals.
            with sem_derivacao(model):
                resultado = super(FonteEstoque, self).delete(*args, **kwargs)
            motor.aplicar_mudanca(model, antigos, [], using)
            return resultado

        return _transacao().executar(excluir, using=using)

    delete.alters_data = True  # type: ignore[attr-defined]  # Django's flag on a method (mypy: no function attributes)
