import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
application = get_wsgi_application()

from core.processo import pronto_para_servir  # noqa: E402 (after the settings are loaded)

pronto_para_servir()
