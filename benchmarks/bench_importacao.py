"""Benchmark (not a test): previewing and applying a movements spreadsheet, on PostgreSQL.

.venv/bin/python -m benchmarks.bench_importacao [--linhas 1000 5000] [--servidor postgres://postgres@127.0.0.1:5432]

For each size, in one run: "antes" is the preview the admin did with django-import-export (every
row saved through the engine and rolled back: import_data(dry_run=True) with the old resource's
options; without its per-row constraint queries, so a lower bound of what it cost); "prévia" is
core.importacoes.servico.previsualizar (read, convert, the services' rules, one query for the
unknown products, totals); "gravar" is servico.aplicar (every row through
operacoes.criar_movimentacao and the engine, one transaction). Each measurement runs inside a
transaction rolled back afterwards, so the database is the same for all of them.
Database bench_importacao (created and migrated when missing) with 500 products.
"""

import argparse
import io
import os
import random
import time

PRODUTOS = 500


class Desfazer(Exception):
    pass


def preparar(servidor: str):
    url = f"{servidor}/bench_importacao"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "estoque_project.settings")
    from benchmarks.bench_api import _criar_banco

    _criar_banco(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from estoque.models import CadastroPalletizacao

    if CadastroPalletizacao.objects.count() < PRODUTOS:
        CadastroPalletizacao.objects.bulk_create(
            [
                CadastroPalletizacao(
                    cod_produto=f"B{n:05d}", nome_produto=f"PRODUTO {n}", palletizacao=100, peso_bruto=1
                )
                for n in range(PRODUTOS)
            ],
            ignore_conflicts=True,
        )


def planilha(linhas: int) -> bytes:
    import openpyxl
    from django.utils import timezone

    hoje = timezone.localdate()
    aleatorio = random.Random(linhas)
    livro = openpyxl.Workbook()
    livro.active.append(["cod_produto", "data_movimentacao", "tipo_movimentacao", "qtd_movimentacao", "observacao"])
    for _ in range(linhas):
        qtd = aleatorio.randint(1, 500)
        tipo = aleatorio.choice(["ENTRADA", "SAIDA"])
        livro.active.append(
            [f"B{aleatorio.randrange(PRODUTOS):05d}", hoje, tipo, qtd if tipo == "ENTRADA" else -qtd, "bench"]
        )
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()


def cronometrar(funcao) -> float:
    from django.db import transaction

    inicio = time.perf_counter()
    try:
        with transaction.atomic():
            funcao()
            decorrido = time.perf_counter() - inicio
            raise Desfazer
    except Desfazer:
        pass
    return decorrido


def medir(linhas: int) -> dict[str, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings
    from import_export.formats.base_formats import XLSX

    from core.importacoes import servico
    from core.models import Importacao
    from estoque.resources import MovimentacaoEstoqueResource

    conteudo = planilha(linhas)
    tempos = {}

    class Antiga(MovimentacaoEstoqueResource):
        class Meta(MovimentacaoEstoqueResource.Meta):
            use_transactions = True
            clean_model_instances = True
            use_bulk = False

    def antes():
        dataset = XLSX().create_dataset(conteudo)
        resultado = Antiga().import_data(dataset, dry_run=True)
        assert not resultado.has_errors() and not resultado.has_validation_errors()

    tempos["antes"] = cronometrar(antes)
    with override_settings(ESTOQUE_IMPORTACAO_BYTES_FUNDO=10**12):

        def previa():
            importacao = servico.receber(SimpleUploadedFile("bench.xlsx", conteudo), "movimentacoes", "bench")
            assert importacao.status == Importacao.Status.PREVIA, importacao.erros[:3]

        tempos["previa"] = cronometrar(previa)

        def gravar():
            importacao = servico.receber(SimpleUploadedFile("bench.xlsx", conteudo), "movimentacoes", "bench")
            inicio = time.perf_counter()
            servico.aplicar(importacao.pk, "bench")
            tempos["gravar"] = time.perf_counter() - inicio

        cronometrar(gravar)
    return tempos


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--linhas", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--servidor", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    preparar(args.servidor)
    print(
        f"{'linhas':>7}  {'antes (import-export, prévia)':>30}  {'prévia nova':>12}  {'razão':>7}  {'gravar':>9}  {'gravar/linha':>13}"
    )
    for linhas in args.linhas:
        t = medir(linhas)
        print(
            f"{linhas:>7}  {t['antes']:>28.2f} s  {t['previa']:>10.2f} s  {t['antes'] / t['previa']:>6.1f}x"
            f"  {t['gravar']:>7.2f} s  {1000 * t['gravar'] / linhas:>10.2f} ms"
        )


if __name__ == "__main__":
    main()
