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

        from core.importacoes import servico as importacoes
        from core.trabalhos import Tipo, registrar

        # A large import's apply runs as a background job of the confirming user (core.trabalhos).
        registrar(
            Tipo(
                importacoes.TRABALHO_APLICAR, "Aplicar uma importação de planilha", importacoes.aplicar_em_segundo_plano
            )
        )
