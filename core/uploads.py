"""Upload size limit while the request streams in (settings.FILE_UPLOAD_HANDLERS, first).

Django keeps an upload of any size (in memory or in a temporary file). This handler counts
each file's bytes and, past ESTOQUE_UPLOAD_MAX_BYTES, stops passing them on: the disk never
holds more than the limit. The form then gets an empty stand-in that reports the size
received, and core.limites.validar_tamanho_arquivo refuses it with a pt-BR message.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from core.limites import max_bytes_upload


class ArquivoGrandeDemais(SimpleUploadedFile):
    """What the form receives for an oversized file: no content, the size that was sent."""

    def __init__(self, nome, content_type, tamanho):
        super().__init__(nome, b"", content_type)
        self.size = tamanho


class LimiteUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.recebidos = 0
        self.excedeu = False

    def receive_data_chunk(self, raw_data, start):
        self.recebidos += len(raw_data)
        if self.recebidos > max_bytes_upload():
            self.excedeu = True
            return None  # the handlers after this one (memory, temporary file) get no more
        return raw_data

    def file_complete(self, file_size):
        if self.excedeu:
            return ArquivoGrandeDemais(self.file_name, self.content_type, file_size)
        return None  # the next handler returns the file it kept
