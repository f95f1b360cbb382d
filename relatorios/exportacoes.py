"""The five Excel workbooks: four from the carteira dashboard, one from the production dashboard.

Each builder streams rows from relatorios.selectors into a write-only workbook and returns
an Exportacao (file name with the date, the rewound temporary file, the data row count).
Weight = qtd x peso_bruto and pallets = qtd / palletizacao, from CadastroPalletizacao;
values of pré-separações and of the carteira are at the order line's price.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import IO

from django.utils import timezone

from core.formatos import formatar_data, formatar_momento
from core.periodo import Periodo
from estoque.projecao import DIAS_MAX, ROTULOS_STATUS, projetar, resumo_d7, status_projecao
from relatorios import excel, selectors
from relatorios.excel import Estilo, data, datahora, inteiro, qtd, texto, valor

ZERO = Decimal("0")
CENTAVO = Decimal("0.01")
MILESIMO = Decimal("0.001")

ROTULO_STATUS = ROTULOS_STATUS  # the labels on screen (estoque.projecao), with their accents
TIPO_PEDIDO, TIPO_PRE, TIPO_SEP = "Pedido", "Pré-separação", "Separação"
ESTILOS_DETALHADA = {
    TIPO_PEDIDO: Estilo(cor="DDEBF7", negrito=True),
    TIPO_PRE: Estilo(cor="FFF2CC", italico=True),
    TIPO_SEP: Estilo(cor="E2EFDA"),
}
ESTILOS_STATUS = {"CRÍTICO": Estilo(cor="F8CBAD", negrito=True), "ATENÇÃO": Estilo(cor="FFE699")}


@dataclass
class Exportacao:
    nome_arquivo: str
    arquivo: IO[bytes]
    linhas: int


@dataclass(frozen=True)
class Relatorio:
    titulo: str
    prefixo_arquivo: str
    construir: Callable
    permissoes: tuple[str, ...]
    campo_data: str | None  # what the date range filters; None: no date filter


# ---------------------------------------------------------------- shared pieces


def medidas(quantidade: Decimal | None, preco: Decimal | None, cadastro) -> tuple:
    """(valor, peso, pallets) of a quantity; None where the price or the catalog is missing."""
    if quantidade is None:
        return None, None, None
    valor_total = (quantidade * preco).quantize(CENTAVO) if preco is not None else None
    peso = (
        (quantidade * cadastro.peso_bruto).quantize(MILESIMO) if cadastro and cadastro.peso_bruto is not None else None
    )
    pallets = (quantidade / cadastro.palletizacao).quantize(MILESIMO) if cadastro and cadastro.palletizacao else None
    return valor_total, peso, pallets


def texto_periodo(periodo: Periodo, campo_data: str | None) -> str:
    if campo_data is None:
        return "Período: sem filtro de data (todos os registros)"
    if periodo.vazio:
        return f"Período ({campo_data}): sem filtro de data (todos os registros)"
    de = f"de {formatar_data(periodo.de)}" if periodo.de else "desde o início"
    ate = f"até {formatar_data(periodo.ate)}" if periodo.ate else "sem data final"
    return f"Período ({campo_data}): {de} {ate}"


def texto_gerado(agora: datetime) -> str:
    return f"Gerado em {formatar_momento(agora)} (horário de Brasília)"


def _nome_arquivo(prefixo: str, agora: datetime) -> str:
    return f"{prefixo}_{timezone.localtime(agora):%Y-%m-%d}.xlsx"


def _metadados(relatorio: Relatorio, periodo: Periodo, agora: datetime, nota: str = "") -> list[str]:
    return [texto_periodo(periodo, relatorio.campo_data), texto_gerado(agora), nota]


def _nome_produto(linha: dict | None, cadastro) -> str:
    if linha and linha.get("nome_produto"):
        return linha["nome_produto"]
    return cadastro.nome_produto if cadastro else ""


def _cliente(item: dict, campo: str) -> str:
    cliente = item.get("cliente")
    return cliente[campo] if cliente else ""


def _sim_nao(valor_booleano: bool) -> str:
    return "Sim" if valor_booleano else "Não"


def _gerar(
    relatorio: Relatorio,
    periodo: Periodo,
    escrever: Callable,
    agora: datetime | None = None,
    avancar: Callable[[int], None] | None = None,
) -> Exportacao:
    agora = agora or timezone.now()
    livro = excel.novo_livro()
    livro.avancar = avancar
    with selectors.leitura_consistente():
        linhas = escrever(livro, relatorio, periodo, agora)
    return Exportacao(_nome_arquivo(relatorio.prefixo_arquivo, agora), excel.salvar(livro), linhas)


# ---------------------------------------------------------------- 1. pré-separações

COLUNAS_PRE = [
    texto("Pedido", 14),
    texto("Pedido cliente", 14),
    texto("CNPJ/CPF", 19),
    texto("Razão social", 34),
    texto("Cliente (reduzido)", 22),
    texto("Município", 18),
    texto("UF", 5),
    texto("Vendedor", 18),
    texto("Equipe de vendas", 16),
    texto("Cód. produto", 13),
    texto("Produto", 36),
    qtd("Qtd"),
    valor("Preço unitário"),
    valor("Valor"),
    qtd("Peso (kg)"),
    qtd("Pallets"),
    data("Expedição"),
    data("Agendamento"),
    texto("Protocolo", 12),
    texto("Status", 13),
    texto("Tipo de envio", 11),
    texto("Observações", 40),
    datahora("Criado em"),
    texto("Criado por", 14),
]


def _escrever_pre_separacoes(livro, relatorio, periodo, agora) -> int:
    aba = excel.Planilha(livro, "Pré-separações", COLUNAS_PRE, relatorio.titulo, _metadados(relatorio, periodo, agora))
    for pre in selectors.pre_separacoes(periodo):
        linha, cad = pre["linha"], pre["cadastro"]
        preco = linha["preco_produto_pedido"] if linha else None
        valor_total, peso, pallets = medidas(pre["qtd_selecionada_usuario"], preco, cad)
        aba.linha(
            [
                pre["num_pedido"],
                linha["pedido_cliente"] if linha else _cliente(pre, "pedido_cliente"),
                _cliente(pre, "cnpj_cpf"),
                _cliente(pre, "raz_social"),
                _cliente(pre, "raz_social_red"),
                _cliente(pre, "municipio"),
                _cliente(pre, "estado"),
                _cliente(pre, "vendedor"),
                _cliente(pre, "equipe_vendas"),
                pre["cod_produto"],
                _nome_produto(linha, cad),
                pre["qtd_selecionada_usuario"],
                preco,
                valor_total,
                peso,
                pallets,
                pre["data_expedicao_editada"],
                pre["data_agendamento_editada"],
                pre["protocolo_editado"],
                pre["status"],
                pre["tipo_envio"],
                pre["observacoes_usuario"],
                pre["criado_em"],
                pre["criado_por"],
            ]
        )
    aba.fechar()
    return aba.linhas_dados


# ---------------------------------------------------------------- 2. separações (with the Pedido status)

COLUNAS_SEP = [
    texto("Lote", 24),
    texto("Pedido", 14),
    texto("Status do pedido", 14),
    texto("Status da separação", 14),
    texto("Pedido cliente", 14),
    texto("CNPJ/CPF", 19),
    texto("Razão social", 34),
    texto("Cliente (reduzido)", 22),
    texto("Município", 18),
    texto("UF", 5),
    texto("Vendedor", 18),
    texto("Cód. produto", 13),
    texto("Produto", 36),
    qtd("Qtd"),
    valor("Valor"),
    qtd("Peso (kg)"),
    qtd("Pallets"),
    data("Expedição"),
    data("Agendamento"),
    texto("Protocolo", 12),
    texto("Tipo de envio", 11),
    texto("NF", 11),
    texto("NF sincronizada", 10),
    datahora("Criado em"),
]


def _escrever_separacoes(livro, relatorio, periodo, agora) -> int:
    nota = "Status do pedido: o do lote (Pedido), o menos avançado entre as suas separações."
    aba = excel.Planilha(
        livro, "Separações", COLUNAS_SEP, relatorio.titulo, _metadados(relatorio, periodo, agora, nota)
    )
    for sep in selectors.separacoes(periodo):
        linha, cad = sep["linha"], sep["cadastro"]
        _, peso, pallets = medidas(sep["qtd_saldo"], None, cad)
        aba.linha(
            [
                sep["separacao_lote_id"],
                sep["num_pedido"],
                sep["status_pedido"],
                sep["status"],
                linha["pedido_cliente"] if linha else _cliente(sep, "pedido_cliente"),
                _cliente(sep, "cnpj_cpf"),
                _cliente(sep, "raz_social"),
                _cliente(sep, "raz_social_red"),
                _cliente(sep, "municipio"),
                _cliente(sep, "estado"),
                _cliente(sep, "vendedor"),
                sep["cod_produto"],
                _nome_produto(linha, cad),
                sep["qtd_saldo"],
                sep["valor_saldo"],
                peso,
                pallets,
                sep["expedicao"],
                sep["agendamento"],
                sep["protocolo"],
                sep["tipo_envio"],
                sep["numero_nf"],
                _sim_nao(sep["sincronizado_nf"]),
                sep["criado_em"],
            ]
        )
    aba.fechar()
    return aba.linhas_dados


# ---------------------------------------------------------------- 3. carteira

COLUNAS_CARTEIRA = [
    texto("Pedido", 14),
    texto("Pedido cliente", 14),
    data("Data pedido"),
    texto("Status", 14),
    texto("CNPJ/CPF", 19),
    texto("Razão social", 34),
    texto("Cliente (reduzido)", 22),
    texto("Município", 18),
    texto("UF", 5),
    texto("Vendedor", 18),
    texto("Equipe de vendas", 16),
    texto("Cód. produto", 13),
    texto("Produto", 36),
    qtd("Qtd pedida"),
    qtd("Qtd cancelada"),
    qtd("Qtd saldo"),
    valor("Preço unitário"),
    valor("Valor saldo"),
    qtd("Peso saldo (kg)"),
    qtd("Pallets saldo"),
    data("Data entrega"),
    texto("Observação", 40),
    texto("CNPJ entrega", 19),
    texto("Empresa entrega", 30),
    texto("CEP entrega", 10),
    texto("Cidade entrega", 18),
    texto("UF entrega", 6),
    texto("Bairro entrega", 18),
    texto("Rua entrega", 30),
    texto("Número entrega", 8),
    texto("Telefone entrega", 16),
    texto("Origem", 8),
    datahora("Atualizado em"),
]


def _escrever_carteira(livro, relatorio, periodo, agora) -> int:
    aba = excel.Planilha(livro, "Carteira", COLUNAS_CARTEIRA, relatorio.titulo, _metadados(relatorio, periodo, agora))
    for linha in selectors.carteira(periodo):
        cad = linha["cadastro"]
        valor_total, peso, pallets = medidas(linha["qtd_saldo_produto_pedido"], linha["preco_produto_pedido"], cad)
        aba.linha(
            [
                linha["num_pedido"],
                linha["pedido_cliente"],
                linha["data_pedido"],
                linha["status_pedido"],
                linha["cnpj_cpf"],
                linha["raz_social"],
                linha["raz_social_red"],
                linha["municipio"],
                linha["estado"],
                linha["vendedor"],
                linha["equipe_vendas"],
                linha["cod_produto"],
                _nome_produto(linha, cad),
                linha["qtd_produto_pedido"],
                linha["qtd_cancelada_produto_pedido"],
                linha["qtd_saldo_produto_pedido"],
                linha["preco_produto_pedido"],
                valor_total,
                peso,
                pallets,
                linha["data_entrega_pedido"],
                linha["observ_ped_1"],
                linha["cnpj_endereco_ent"],
                linha["empresa_endereco_ent"],
                linha["cep_endereco_ent"],
                linha["nome_cidade"],
                linha["cod_uf"],
                linha["bairro_endereco_ent"],
                linha["rua_endereco_ent"],
                linha["endereco_ent"],
                linha["telefone_endereco_ent"],
                linha["origem"],
                linha["atualizado_em"],
            ]
        )
    aba.fechar()
    return aba.linhas_dados


# ---------------------------------------------------------------- 4. carteira detalhada

COLUNAS_DETALHADA = [
    texto("Tipo", 14),
    texto("Pedido", 14),
    texto("Pedido cliente", 14),
    data("Data pedido"),
    texto("Status", 14),
    texto("CNPJ/CPF", 19),
    texto("Razão social", 34),
    texto("Cliente (reduzido)", 22),
    texto("Município", 18),
    texto("UF", 5),
    texto("Vendedor", 18),
    texto("Equipe de vendas", 16),
    texto("Cód. produto", 13),
    texto("Produto", 36),
    valor("Preço unitário"),
    data("Data entrega"),
    qtd("Qtd pedida"),
    qtd("Qtd cancelada"),
    qtd("Pedido: qtd"),
    valor("Pedido: valor"),
    qtd("Pedido: peso (kg)"),
    qtd("Pedido: pallets"),
    qtd("Saldo: qtd"),
    valor("Saldo: valor"),
    qtd("Saldo: peso (kg)"),
    qtd("Saldo: pallets"),
    data("Expedição"),
    data("Agendamento"),
    texto("Protocolo", 12),
    texto("Lote", 24),
    texto("Tipo de envio", 11),
    texto("NF", 11),
    texto("Observação", 40),
    texto("Origem", 8),
    datahora("Criado em"),
    texto("Criado por", 14),
]
NOTA_DETALHADA = (
    "Linhas: Pedido (azul) = saldo da linha na carteira (colunas Pedido) e saldo após abater as pré-separações e "
    "separações pendentes (colunas Saldo); Pré-separação (amarelo, CRIADO/RECOMPOSTO) e Separação (verde, não "
    "faturada) com a sua qtd, valor, peso e pallets nas colunas Saldo. Botões 1/2 à esquerda: recolher/expandir."
)


def _linha_base(linha: dict, tipo: str, status: str) -> list:
    """The columns every row repeats: order, customer, product, price, dates (the 'no holes' part)."""
    return [
        tipo,
        linha["num_pedido"],
        linha["pedido_cliente"],
        linha["data_pedido"],
        status,
        linha["cnpj_cpf"],
        linha["raz_social"],
        linha["raz_social_red"],
        linha["municipio"],
        linha["estado"],
        linha["vendedor"],
        linha["equipe_vendas"],
        linha["cod_produto"],
        _nome_produto(linha, linha["cadastro"]),
        linha["preco_produto_pedido"],
        linha["data_entrega_pedido"],
    ]


def _escrever_detalhada(livro, relatorio, periodo, agora) -> int:
    aba = excel.Planilha(
        livro,
        "Carteira detalhada",
        COLUNAS_DETALHADA,
        relatorio.titulo,
        _metadados(relatorio, periodo, agora, NOTA_DETALHADA),
        destaques=ESTILOS_DETALHADA,
        agrupar=True,
    )
    vazio_pedido = [None] * 6  # qtd pedida/cancelada and the Pedido block: order rows only
    for linha, pres, seps in selectors.carteira_detalhada(periodo):
        preco, cad = linha["preco_produto_pedido"], linha["cadastro"]
        saldo = linha["qtd_saldo_produto_pedido"]
        liquido = (
            saldo - sum((p["qtd_selecionada_usuario"] for p in pres), ZERO) - sum((s["qtd_saldo"] for s in seps), ZERO)
        )
        aba.linha(
            _linha_base(linha, TIPO_PEDIDO, linha["status_pedido"])
            + [linha["qtd_produto_pedido"], linha["qtd_cancelada_produto_pedido"], saldo, *medidas(saldo, preco, cad)]
            + [liquido, *medidas(liquido, preco, cad)]
            + [None, None, None, None, None, None, linha["observ_ped_1"], linha["origem"], linha["criado_em"], None]
        )
        for pre in pres:
            quantidade = pre["qtd_selecionada_usuario"]
            aba.linha(
                _linha_base(linha, TIPO_PRE, pre["status"])
                + vazio_pedido
                + [quantidade, *medidas(quantidade, preco, cad)]
                + [
                    pre["data_expedicao_editada"],
                    pre["data_agendamento_editada"],
                    pre["protocolo_editado"],
                    None,
                    pre["tipo_envio"],
                    None,
                    pre["observacoes_usuario"],
                    None,
                    pre["criado_em"],
                    pre["criado_por"],
                ],
                nivel=1,
            )
        for sep in seps:
            quantidade = sep["qtd_saldo"]
            aba.linha(
                _linha_base(linha, TIPO_SEP, sep["status_pedido"])
                + vazio_pedido
                + [quantidade, *medidas(quantidade, preco, cad)]
                + [
                    sep["expedicao"],
                    sep["agendamento"],
                    sep["protocolo"],
                    sep["separacao_lote_id"],
                    sep["tipo_envio"],
                    sep["numero_nf"],
                    None,
                    None,
                    sep["criado_em"],
                    None,
                ],
                nivel=1,
            )
    aba.fechar()
    return aba.linhas_dados


# ---------------------------------------------------------------- 5. production workbook

COLUNAS_ESTOQUE = [
    texto("Código", 13),
    texto("Produto", 40),
    texto("Códigos unificados", 24),
    qtd("Saldo atual", 14),
    qtd("Menor estoque D+7", 14),
    data("Dia de ruptura"),
    texto("Status", 10),
    qtd("Peso bruto (kg)"),
    qtd("Palletização"),
    texto("Categoria", 18),
    datahora("Atualizado em"),
]
COLUNAS_PREVISTAS = [
    texto("Código", 13),
    texto("Produto", 40),
    data("Data"),
    inteiro("D+"),
    qtd("Entrada prevista", 14),
    qtd("Saída prevista", 14),
    qtd("Saldo projetado", 14),
    texto("Observação", 36),
]


def _observacao_prevista(dia, entrada, saida, hoje) -> str:
    if dia > hoje + timedelta(days=DIAS_MAX):
        return f"depois de D+{DIAS_MAX}: fora da projeção"
    if dia >= hoje:
        return ""
    notas = []
    if saida:
        notas.append("saída atrasada: conta em D0")
    if entrada:
        notas.append("produção atrasada: não conta")
    return "; ".join(notas)


def _escrever_producao(livro, relatorio, periodo, agora) -> int:
    hoje = timezone.localdate(agora)
    nota = (
        f"D0 = {hoje:%d/%m/%Y}. Códigos principais dos grupos de unificação. Status pela projeção D0..D{DIAS_MAX}: "
        "CRÍTICO = abaixo de zero até D+7; ATENÇÃO = de D+8 a D+28; OK = nenhum dia abaixo de zero."
    )
    metadados = _metadados(relatorio, periodo, agora, nota)
    estoque = excel.Planilha(
        livro, "Estoque", COLUNAS_ESTOQUE, "Estoque atualizado", metadados, destaques=ESTILOS_STATUS, coluna_destaque=6
    )
    movimentos = excel.Planilha(
        livro, "Movimentações Previstas", COLUNAS_PREVISTAS, "Movimentações previstas", metadados
    )
    for produto, grupo, cad, previstas in selectors.estoque_e_previstas():
        cod, saldo = produto["cod_produto"], produto["saldo_atual"]
        projecao = projetar(saldo, previstas, hoje, DIAS_MAX)
        menor, ruptura = resumo_d7(projecao)
        status = status_projecao(projecao)
        nome = cad.nome_produto if cad else produto["nome_produto"]
        estoque.linha(
            [
                cod,
                nome,
                ", ".join(grupo),
                saldo,
                menor,
                ruptura,
                ROTULO_STATUS[status],
                cad.peso_bruto if cad else None,
                cad.palletizacao if cad else None,
                cad.categoria if cad else "",
                produto["atualizado_em"],
            ]
        )
        saldo_no_dia = {dia.data: dia.saldo_final for dia in projecao}
        for dia, entrada, saida in previstas:
            movimentos.linha(
                [
                    cod,
                    nome,
                    dia,
                    (dia - hoje).days,
                    entrada,
                    saida,
                    saldo_no_dia.get(max(dia, hoje)),  # none after D+28: outside the projection
                    _observacao_prevista(dia, entrada, saida, hoje),
                ]
            )
    estoque.fechar()
    movimentos.fechar()
    return estoque.linhas_dados + movimentos.linhas_dados


# ---------------------------------------------------------------- registry (what the views offer)

PERMISSOES_CARTEIRA = ("carteira.view_carteiraprincipal",)
PERMISSOES_PRE = ("carteira.view_preseparacaoitem",)
PERMISSOES_SEP = ("carteira.view_separacao",)
PERMISSOES_ESTOQUE = ("estoque.view_estoquetemporeal", "estoque.view_movimentacaoprevista")

RELATORIOS = {
    "pre-separacoes": Relatorio(
        "Pré-separações (CRIADO e RECOMPOSTO)",
        "pre_separacoes",
        _escrever_pre_separacoes,
        PERMISSOES_PRE,
        "data de expedição",
    ),
    "separacoes": Relatorio(
        "Separações com o status do pedido", "separacoes", _escrever_separacoes, PERMISSOES_SEP, "data de expedição"
    ),
    "carteira": Relatorio("Carteira de pedidos", "carteira", _escrever_carteira, PERMISSOES_CARTEIRA, "data do pedido"),
    "carteira-detalhada": Relatorio(
        "Carteira detalhada: pedido, pré-separações e separações",
        "carteira_detalhada",
        _escrever_detalhada,
        PERMISSOES_CARTEIRA + PERMISSOES_PRE + PERMISSOES_SEP,
        "data do pedido",
    ),
    "producao": Relatorio("Relatórios Produção", "relatorio_producao", _escrever_producao, PERMISSOES_ESTOQUE, None),
}


def gerar(
    chave: str,
    periodo: Periodo | None = None,
    agora: datetime | None = None,
    avancar: Callable[[int], None] | None = None,
) -> Exportacao:
    """The workbook; `avancar(rows written)` is called as it grows (a background export's progress)."""
    relatorio = RELATORIOS[chave]
    return _gerar(relatorio, periodo or Periodo(), relatorio.construir, agora, avancar)


def contar(chave: str, periodo: Periodo | None = None) -> int:
    """How many data rows the workbook will have (COUNT queries): whether it runs as a background
    job, and its progress total."""
    return selectors.contagens[chave](periodo or Periodo())
