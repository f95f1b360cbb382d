from django.apps import AppConfig


class EmbarquesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "embarques"
    verbose_name = "Embarques"

    def ready(self):
        from embarques import contribuicoes

        contribuicoes.registrar_regras()
