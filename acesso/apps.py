from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


def sincronizar_papeis(sender, using, apps=global_apps, **kwargs):
    """After every migrate: the groups equal acesso/papeis.py again (strict: unknown codenames fail)."""
    from acesso import sincronizacao

    sincronizacao.criar_permissoes(apps, using)
    sincronizacao.aplicar(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"), estrito=True)


class AcessoConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "acesso"
    verbose_name = "Acesso"

    def ready(self):
        from django.contrib import admin

        from acesso.formularios import EntradaAdminForm

        post_migrate.connect(sincronizar_papeis, sender=self, dispatch_uid="acesso.sincronizar_papeis")
        admin.site.login_form = EntradaAdminForm  # the login throttle on /admin/login/ too
