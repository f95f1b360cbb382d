"""The carteira from a spreadsheet (xlsx, ods, xls or csv), for when Odoo is out of reach.

The sheet stands in for Odoo: it is the whole open carteira, and goes through the same
diff-and-hierarchy sync (servico.sincronizar). Read by core.planilhas.ler_arquivo (format
told by the content, bounded); the header is found by core.colunas.localizar_cabecalho,
under title rows if any, a column recognised by its CarteiraPrincipal field name, its label
or the header of the carteira report (relatorios: /relatorios/carteira.xlsx can be fed back),
accents and case ignored. Required: num_pedido, cod_produto, qtd_saldo_produto_pedido.
Unknown columns are ignored; missing optional columns keep what the line has. Numbers and
dates go through core.valores ("1.234,5"; "2.000" is two thousand; dd/mm/aaaa); a value
that does not parse is passed as typed, and the sync's validation reports it with its line.
"""

from pathlib import Path

from django.utils.text import capfirst

from carteira.sincronizacao.registros import CAMPOS
from core import colunas, planilhas, valores
from core.limites import erro_de_tamanho, max_bytes_upload

OBRIGATORIAS = ("num_pedido", "cod_produto", "qtd_saldo_produto_pedido")
# The reports prefix text that would start a formula with an apostrophe (relatorios.excel.neutralizar).
INICIO_FORMULA = ("=", "+", "-", "@", "\t", "\r")

# Headers of the carteira report (relatorios.exportacoes.COLUNAS_CARTEIRA) that are neither a
# field name nor a label; relatorios reads carteira, never the reverse, so they are listed
# here, and tests/carteira/test_sincronizacao.py feeds the report back to keep them in step.
SINONIMOS = {
    "num_pedido": ("Pedido",),
    "pedido_cliente": ("Pedido cliente",),
    "data_pedido": ("Data pedido",),
    "status_pedido": ("Status",),
    "raz_social_red": ("Cliente (reduzido)",),
    "cod_produto": ("Cód. produto",),
    "nome_produto": ("Produto",),
    "qtd_saldo_produto_pedido": ("Qtd saldo",),
    "data_entrega_pedido": ("Data entrega",),
    "observ_ped_1": ("Observação",),
}


class ErroPlanilha(Exception):
    """The file cannot be read as a carteira; the message says why, in Portuguese."""


COLUNAS = [
    colunas.Coluna(
        nome=nome,
        rotulo=capfirst(str(campo.verbose_name)),
        obrigatoria=nome in OBRIGATORIAS,
        sinonimos=SINONIMOS.get(nome, ()),
    )
    for nome, campo in CAMPOS.items()
]


def _converter(nome: str, valor):
    """Numbers and dates parsed (core.valores); what does not parse goes as typed, for the validation."""
    tipo = CAMPOS[nome].get_internal_type()
    try:
        if tipo == "DecimalField":
            return valores.numero(valor, casas=10)
        if tipo == "DateField":
            return valores.data(valor)
        if tipo == "BigIntegerField":
            return valores.inteiro(valor)
        texto = valores.como_digitado(valor)  # a code typed as a number (4510156.0) is "4510156"
        return texto[1:] if texto.startswith("'") and texto[1:2] in INICIO_FORMULA else texto
    except ValueError:
        return valor


def _conteudo(arquivo) -> bytes:
    """The file's bytes, refused unread when it is larger than the upload limit."""
    if isinstance(arquivo, (str, Path)):
        try:
            tamanho = Path(arquivo).stat().st_size
            mensagem = erro_de_tamanho(tamanho)
            if mensagem:
                raise ErroPlanilha(mensagem)
            return Path(arquivo).read_bytes()
        except OSError as erro:
            raise ErroPlanilha(f"Não foi possível ler a planilha {arquivo}: {erro.strerror or erro}") from None
    conteudo = arquivo.read(max_bytes_upload() + 1)  # one byte past the limit tells it was passed
    mensagem = erro_de_tamanho(max(len(conteudo), getattr(arquivo, "size", None) or 0))
    if mensagem:
        raise ErroPlanilha(mensagem)
    return conteudo


def ler_planilha(arquivo, nome: str = "") -> list[dict]:
    """CarteiraPrincipal-shaped records from a spreadsheet (path or binary file object)."""
    if isinstance(arquivo, (str, Path)):
        nome = nome or str(arquivo)
    conteudo = _conteudo(arquivo)
    try:
        linhas = planilhas.ler_arquivo(conteudo, nome)
    except planilhas.ErroPlanilha as erro:
        raise ErroPlanilha(str(erro)) from None
    if all(planilhas.vazia(linha) for linha in linhas):
        raise ErroPlanilha("A planilha está vazia.")
    try:
        cabecalho = colunas.localizar_cabecalho(linhas, COLUNAS)
    except colunas.ErroCabecalho as erro:
        raise ErroPlanilha(str(erro)) from None
    registros = []
    for numero, linha in enumerate(linhas[cabecalho.linha :], start=cabecalho.linha + 1):
        if planilhas.vazia(linha):
            continue
        registro: dict = {"_referencia": f"linha {numero} da planilha"}
        for nome_campo, valor in colunas.valores(linha, cabecalho).items():
            registro[nome_campo] = _converter(nome_campo, valor)
        registros.append(registro)
    return registros
