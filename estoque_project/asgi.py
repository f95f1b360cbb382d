"""ASGI entry point: `uvicorn estoque_project.asgi:application` (dev.py run and production).

ASGI because the live screens' Server-Sent Events streams are async views: an open stream
waits on the event loop, holding no thread and no database connection (core.sse, core.hub).
Static files are served by WhiteNoise's middleware, which works under ASGI too: its file
responses are sync iterators that Django reads in a thread, and it warns about that on
every such response; the warning is silenced here since that cost is known and small.
"""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")
application = get_asgi_application()
