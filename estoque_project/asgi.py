"""ASGI entry point: `uvicorn estoque_project.asgi:application` (dev.py run and production).

ASGI because the live screens' Server-Sent Events streams are async views: an open stream
waits on the event loop, holding no thread and no database connection (core.sse, core.hub).
Static files are served by WhiteNoise's middleware, which works under ASGI too: its file
responses are sync iterators that Django reads in a thread, and it warns about that on
every such response; the warning is silenced here since that cost is known and small.

No persistent per-thread database connections under ASGI (Django's advice): a request's
sync code runs in a thread of its own that ends with the request. On PostgreSQL the process
keeps a pool instead (DB_POOL_MAX connections, default 4, shared by all its requests; see
settings.py); WSGI and the django-q2 cluster keep their persistent connections.
"""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "0")
os.environ.setdefault("DB_POOL_MAX", "4")
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
application = get_asgi_application()

from core.processo import pronto_para_servir  # noqa: E402 (after the settings are loaded)

pronto_para_servir()
