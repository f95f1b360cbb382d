"""Route ORM saves and deletes of source rows to the derivation engine. No logic here.

Source models' save()/delete() run in a transaction (estoque.fontes.FonteEstoque), so
the old state locked in pre_*, the write and the delta applied in post_* commit together.
"""
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver

from estoque.fontes import sinais_mudos
from estoque.services import derivacao
from estoque.services.contribuicoes import MODELOS_FONTE
from producao.models import CadastroPalletizacao


def _antes(sender, instance, using, **kwargs):
    if sinais_mudos(sender) or instance.pk is None:
        instance._estoque_antigos = []
        return
    instance._estoque_antigos = derivacao.estados_travados(sender, sender._base_manager.filter(pk=instance.pk), using)


def _depois_salvar(sender, instance, using, **kwargs):
    if sinais_mudos(sender):
        return
    # The new state is read back from the database: it is what was stored (rounded,
    # converted, only update_fields), not what the instance happens to hold.
    novos = derivacao.estados(sender, sender._base_manager.using(using).filter(pk=instance.pk))
    derivacao.aplicar_mudanca(sender, getattr(instance, "_estoque_antigos", []), novos, using)
    instance._estoque_antigos = []


def _depois_excluir(sender, instance, using, **kwargs):
    if sinais_mudos(sender):
        return
    derivacao.aplicar_mudanca(sender, getattr(instance, "_estoque_antigos", []), [], using)
    instance._estoque_antigos = []


for modelo in MODELOS_FONTE:
    receiver(pre_save, sender=modelo, dispatch_uid=f"estoque_pre_save_{modelo.__name__}")(_antes)
    receiver(post_save, sender=modelo, dispatch_uid=f"estoque_post_save_{modelo.__name__}")(_depois_salvar)
    receiver(pre_delete, sender=modelo, dispatch_uid=f"estoque_pre_delete_{modelo.__name__}")(_antes)
    receiver(post_delete, sender=modelo, dispatch_uid=f"estoque_post_delete_{modelo.__name__}")(_depois_excluir)


@receiver(post_save, sender=CadastroPalletizacao, dispatch_uid="estoque_nome_do_catalogo")
def _nome_do_catalogo(sender, instance, using, **kwargs):
    derivacao.atualizar_nome(instance.cod_produto, instance.nome_produto, using)
