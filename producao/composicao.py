"""What the stock screens read of the production plan (registered in estoque.registro).

The production rows behind each forecast inflow day: every ProgramacaoProducao row, as its
contribution counts them (estoque.projecao drops the ones dated before today).
"""

from estoque.registro import ENTRADA, Composicao, LinhaComposicao, registrar_composicao
from producao.models import ProgramacaoProducao


def linhas_producao(codigos, ate, using):
    qs = (
        ProgramacaoProducao.objects.using(using)
        .filter(cod_produto__in=list(codigos), data_programacao__lte=ate)
        .order_by("data_programacao", "linha_producao", "id")
    )
    for prog in qs.values("cod_produto", "data_programacao", "qtd_programada", "linha_producao", "cliente_produto"):
        yield LinhaComposicao(
            "producao",
            prog["cod_produto"],
            prog["data_programacao"],
            prog["qtd_programada"],
            {"linha": prog["linha_producao"], "cliente": prog["cliente_produto"]},
        )


def registrar():
    registrar_composicao(
        Composicao(
            "producao",
            "Produção",
            ENTRADA,
            "producao.view_programacaoproducao",
            (("linha", "Linha de produção"), ("cliente", "Cliente")),
            linhas_producao,
        )
    )
