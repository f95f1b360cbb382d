from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Base comum"

    def ready(self):
        from core import esquema  # noqa: F401  (drf-spectacular extensions register themselves)
