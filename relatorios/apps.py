from django.apps import AppConfig


class RelatoriosConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "relatorios"
    verbose_name = "Relatórios"

    def ready(self):
        from relatorios import trabalhos

        trabalhos.registrar_tipos()  # the big exports run as background jobs (core.trabalhos)
