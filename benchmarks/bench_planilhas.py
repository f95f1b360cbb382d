"""Benchmark (not a test): reading an xlsx whose declared dimension lies, before and after core.planilhas.

.venv/bin/python -m benchmarks.bench_planilhas [--linhas 2000 10000 40000]

"antes" is the reading the carteira sync did (openpyxl read-only, every row as openpyxl
yields it, padded to the declared dimension, then its emptiness test on every cell);
"depois" is core.planilhas.ler_xlsx.
The file is a header and one data row declaring A1:XFD<linhas>, with an empty row element at
the declared last row (what makes openpyxl yield every row up to it, each 16,384 cells wide).
"""

import argparse
import io
import os
import re
import time
import zipfile

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
django.setup()

import openpyxl

from core.planilhas import ler_xlsx


def planilha_mentirosa(linhas: int) -> bytes:
    livro = openpyxl.Workbook()
    livro.active.append(["num_pedido", "cod_produto", "qtd_saldo_produto_pedido"])
    livro.active.append(["P1", "A", 1])
    original = io.BytesIO()
    livro.save(original)
    entrada = zipfile.ZipFile(io.BytesIO(original.getvalue()))
    saida = io.BytesIO()
    with zipfile.ZipFile(saida, "w", zipfile.ZIP_DEFLATED) as destino:
        for info in entrada.infolist():
            dados = entrada.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                dados = re.sub(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:XFD{linhas}"/>'.encode(), dados)
                dados = dados.replace(b"</sheetData>", f'<row r="{linhas}"/></sheetData>'.encode())
            destino.writestr(info.filename, dados)
    return saida.getvalue()


def _vazia_antiga(linha) -> bool:
    return all(valor is None or str(valor).strip() == "" for valor in linha)


def leitura_antiga(conteudo: bytes) -> int:
    livro = openpyxl.load_workbook(io.BytesIO(conteudo), read_only=True, data_only=True)
    try:
        linhas = [tuple(linha) for linha in livro.worksheets[0].iter_rows(values_only=True)]
    finally:
        livro.close()
    return len([linha for linha in linhas if not _vazia_antiga(linha)])


def medir(funcao, conteudo) -> tuple[float, int]:
    inicio = time.perf_counter()
    linhas = funcao(conteudo)
    return time.perf_counter() - inicio, len(linhas) if isinstance(linhas, list) else linhas


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--linhas", type=int, nargs="+", default=[2000, 10000, 40000])
    args = parser.parse_args()
    for linhas in args.linhas:
        conteudo = planilha_mentirosa(linhas)
        antes, lidas_antes = medir(leitura_antiga, conteudo)
        depois, lidas_depois = medir(ler_xlsx, conteudo)
        print(
            f"{len(conteudo)} bytes declarando A1:XFD{linhas}: antes {antes:.3f} s, "
            f"depois {depois * 1000:.1f} ms ({lidas_antes} e {lidas_depois} linhas não vazias); "
            f"{antes / depois:.0f}x"
        )


if __name__ == "__main__":
    main()
