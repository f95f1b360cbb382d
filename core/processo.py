"""A web process once it is loaded: its startup heap out of the cyclic garbage collector's walks."""

import gc


def pronto_para_servir():
    """Load what the first request would (the URLconf and its views), then gc.freeze(): every
    object alive now (modules, models, URL patterns, ~120,000 objects) moves to a permanent
    generation the collector never walks again. A workspace read (consultar) allocates ~15,000
    objects; without this, every few requests paid a full collection over the whole startup heap
    (p99 above 100 ms in benchmarks.bench_api). Objects made later are collected as before.

    Called by the ASGI and WSGI entry points, and by benchmarks.bench_api, which measures the
    stack as those serve it."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module, as the first request would)
    gc.collect()
    gc.freeze()
