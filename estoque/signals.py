"""Rows of a source table deleted by a cascade reach the engine here. No logic.

Django deletes cascaded rows (an Embarque taking its EmbarqueItem rows along) without
calling their Model.delete() or QuerySet.delete(): the pre/post_delete signals are the
only hook. Every other write goes through estoque.fontes explicitly, which suspends
these receivers for the rows it derives itself.
"""

from django.apps import apps
from django.db.models.signals import post_delete, pre_delete

from estoque.fontes import FonteEstoque, derivacao_suspensa
from estoque.services import derivacao


def _antes_da_cascata(sender, instance, using, **kwargs):
    if derivacao_suspensa(sender) or instance.pk is None:
        instance._estoque_antigos = []
        return
    instance._estoque_antigos = derivacao.estados_travados(sender, sender._base_manager.filter(pk=instance.pk), using)


def _depois_da_cascata(sender, instance, using, **kwargs):
    if derivacao_suspensa(sender):
        return
    derivacao.aplicar_mudanca(sender, getattr(instance, "_estoque_antigos", []), [], using)
    instance._estoque_antigos = []


def conectar():
    for modelo in apps.get_models():
        if issubclass(modelo, FonteEstoque):
            pre_delete.connect(
                _antes_da_cascata, sender=modelo, dispatch_uid=f"estoque_cascata_antes_{modelo._meta.label}"
            )
            post_delete.connect(
                _depois_da_cascata, sender=modelo, dispatch_uid=f"estoque_cascata_depois_{modelo._meta.label}"
            )
