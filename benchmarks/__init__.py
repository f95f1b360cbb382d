"""Benchmarks (not CI): `python -m benchmarks.<nome>` from the project root.

They run with the local environment of `python3 dev.py run` (its SECRET_KEY in data/, plain http
on 127.0.0.1), so they start on a developer's machine as the system does; variables already set win.
"""

from dev import ambiente_local

ambiente_local()
