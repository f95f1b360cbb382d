from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Base comum"

    def ready(self):
        from django_q.signals import post_execute

        from core import esquema  # noqa: F401  (drf-spectacular extensions register themselves)
        from core.logs import registrar_falha_de_tarefa

        post_execute.connect(registrar_falha_de_tarefa, dispatch_uid="core.logs.falha_de_tarefa")
