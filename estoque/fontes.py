"""Base classes for the source tables that feed the real-time stock.

Every write to a source row (save, delete, QuerySet.update/delete, bulk_create,
bulk_update) runs in one transaction with the delta it causes on the derived
tables. Single-row writes reach the engine through signals (estoque/signals.py);
set-based writes go straight to it here, with the per-row signals muted so a
row is never counted twice.
"""
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models, router

# Models whose per-row signals are muted because a bulk path has taken over the
# derivation for the rows it touches (a cascade into another model still counts).
_sinais_mudos: ContextVar[frozenset] = ContextVar("estoque_sinais_mudos", default=frozenset())


def sinais_mudos(model) -> bool:
    return model in _sinais_mudos.get()


@contextmanager
def silenciar_sinais(model):
    token = _sinais_mudos.set(_sinais_mudos.get() | {model})
    try:
        yield
    finally:
        _sinais_mudos.reset(token)


def _transacao():
    from estoque.services import transacao

    return transacao


def _motor():
    from estoque.services import derivacao  # late import: models load before services

    return derivacao


class FonteQuerySet(models.QuerySet):
    """QuerySet whose bulk writes keep EstoqueTempoReal/MovimentacaoPrevista right."""

    def update(self, **kwargs):
        if sinais_mudos(self.model):
            # Inside a bulk path (bulk_update calls update()) that already owns the derivation.
            return super().update(**kwargs)

        def atualizar():
            antigos = _motor().estados_travados(self.model, self, using=self.db)
            if not antigos:
                return 0
            pks = [estado["pk"] for estado in antigos]
            with silenciar_sinais(self.model):
                linhas = super(FonteQuerySet, self).update(**kwargs)
            novos = _motor().estados(self.model, self.model._base_manager.using(self.db).filter(pk__in=pks))
            _motor().aplicar_mudanca(self.model, antigos, novos, using=self.db)
            return linhas

        return _transacao().executar(atualizar, using=self.db)

    update.alters_data = True

    def delete(self):
        if sinais_mudos(self.model):
            return super().delete()

        def excluir():
            antigos = _motor().estados_travados(self.model, self, using=self.db)
            with silenciar_sinais(self.model):
                resultado = super(FonteQuerySet, self).delete()
            _motor().aplicar_mudanca(self.model, antigos, [], using=self.db)
            return resultado

        return _transacao().executar(excluir, using=self.db)

    delete.alters_data = True
    delete.queryset_only = True

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, update_conflicts=False, **kwargs):
        if ignore_conflicts or update_conflicts:
            raise ValueError(
                f"{self.model.__name__}.bulk_create com ignore_conflicts/update_conflicts não é permitido: "
                "as linhas ignoradas ou sobrescritas não teriam o estoque derivado ajustado. "
                "Grave-as uma a uma ou use update()."
            )
        objs = list(objs)
        estados_iniciais = [(obj.pk, obj._state.adding) for obj in objs]

        def criar():
            with silenciar_sinais(self.model):
                criados = super(FonteQuerySet, self).bulk_create(objs, batch_size=batch_size, **kwargs)
            _motor().aplicar_mudanca(self.model, [], _motor().estados(self.model, criados), using=self.db)
            return criados

        def restaurar():
            for obj, (pk, adicionando) in zip(objs, estados_iniciais):
                obj.pk, obj._state.adding = pk, adicionando

        return _transacao().executar(criar, using=self.db, antes_de_repetir=restaurar)

    bulk_create.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        if not objs:
            return 0

        def atualizar_em_massa():
            pks = [obj.pk for obj in objs]
            base = self.model._base_manager.using(self.db).filter(pk__in=pks)
            antigos = _motor().estados_travados(self.model, base, using=self.db)
            with silenciar_sinais(self.model):
                linhas = super(FonteQuerySet, self).bulk_update(objs, fields, batch_size=batch_size)
            novos = _motor().estados(self.model, self.model._base_manager.using(self.db).filter(pk__in=pks))
            _motor().aplicar_mudanca(self.model, antigos, novos, using=self.db)
            return linhas

        return _transacao().executar(atualizar_em_massa, using=self.db)

    bulk_update.alters_data = True


FonteManager = models.Manager.from_queryset(FonteQuerySet)


class FonteEstoque(models.Model):
    """A source table of the real-time stock: save/delete are atomic with their delta."""

    objects = FonteManager()

    class Meta:
        abstract = True
        base_manager_name = "objects"

    def save(self, *args, **kwargs):
        # pre_save (locks and reads the old row), the write and post_save (applies the
        # delta) share one transaction, retried whole if it is a deadlock victim.
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        pk, adicionando = self.pk, self._state.adding

        def restaurar():
            self.pk, self._state.adding = pk, adicionando

        _transacao().executar(lambda: super(FonteEstoque, self).save(*args, **kwargs), using=using, antes_de_repetir=restaurar)

    def delete(self, *args, **kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        return _transacao().executar(lambda: super(FonteEstoque, self).delete(*args, **kwargs), using=using)
