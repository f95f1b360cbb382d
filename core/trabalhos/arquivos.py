"""Where job files live: a folder of their own under the data folder (settings.TRABALHOS_DIR),
never served directly (the download view checks who asks)."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class _Armazenamento(FileSystemStorage):
    # The folder is read from the settings at each use, so a test (or a deploy) can move it.
    @property
    def base_location(self):
        return str(settings.TRABALHOS_DIR)

    @property
    def location(self):
        return os.path.abspath(self.base_location)


_unico = _Armazenamento()


def armazenamento() -> FileSystemStorage:
    return _unico
