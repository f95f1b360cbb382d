"""Deterministic demo data at the users' volumes times an escala (manage.py gerar_dados_demo).

Escala 1 is the users' own numbers (seeds/000, "600 produtos"): 600 products, ~20 unification
pairs (a chain A->B->C and non-numeric codes among them), one year of stock movements at ~500
a day, an open carteira of ~300 orders, 50 active pré-separações and 50 active separação lotes
of ~15 items, invoiced lotes on embarques, four weeks of production. Every volume scales
linearly. Same escala + semente on the same day = the same rows.

Rows go straight to the tables (binary COPY on PostgreSQL, executemany on SQLite), generated as
a stream in constant memory: the models' bulk_create would run every row through the derivation
engine. The derived tables are then rebuilt once, set-based, by estoque.services.reconstrucao.
"""
import random
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from embarques.models import ERRO_NF_PENDENTE, Embarque, EmbarqueItem
from estoque.models import (
    CodigoUnificado,
    EstoqueTempoReal,
    MovimentacaoEstoque,
    MovimentacaoPrevista,
    UnificacaoCodigos,
)
from estoque.services import reconstrucao
from estoque.models import CadastroPalletizacao
from producao.models import ProgramacaoProducao

SEMENTE_PADRAO = 20240601

# Volumes at escala 1.
PRODUTOS = 600
PARES_UNIFICACAO = 20
MOVIMENTACOES_DIA = 500
DIAS_HISTORICO = 365
PEDIDOS = 300
CLIENTES = 120
PRE_SEPARACOES = 50
SEPARACOES = 50
LOTES_FATURADOS = 30
PROGRAMACOES_DIA = 25
DIAS_PROGRAMACAO = 28
FRACAO_RUPTURA = 0.08  # products steered to a stock-out within D0..D7
FRACAO_BAIXO = 0.05  # products kept near zero without orders

FONTES = (
    CadastroPalletizacao,
    UnificacaoCodigos,
    MovimentacaoEstoque,
    CarteiraPrincipal,
    PreSeparacaoItem,
    Separacao,
    ProgramacaoProducao,
    EmbarqueItem,
    Embarque,
)
DERIVADAS = (EstoqueTempoReal, MovimentacaoPrevista, CodigoUnificado)

ATIVO, FATURADO, NF_NO_CD, SINC_PENDENTE = "ativo", "faturado", "nf_no_cd", "sinc_pendente"
UTC = dt_timezone.utc


class BancoComDados(Exception):
    """The database already holds rows in the demo tables and limpar was not asked for."""


@dataclass
class Produto:
    """A stock unit (a product and its alias codes) as the generator sees it."""

    indice: int
    cod: str
    nome: str
    categoria: str
    subcategoria: str
    linha: str
    palletizacao: int
    peso: Decimal
    preco: Decimal
    peso_demanda: float  # relative movement/order frequency
    lote_tipico: int  # typical quantity of one movement or order line
    ativo: bool = True
    legados: list = field(default_factory=list)  # [(alias code, in use until date)], oldest first
    paralelo: str | None = None  # alias code in use side by side with cod
    perfil: str = "normal"  # normal | ruptura | baixo
    alvo: int = 1  # stock level the movement stream steers towards
    saida_d7: int = 0  # allocated (forecast) outflow dated up to D+7


@dataclass
class Lote:
    lote_id: str
    num_pedido: str
    cliente: str
    situacao: str  # ATIVO | FATURADO | NF_NO_CD | SINC_PENDENTE (invoiced, separação not yet synced)
    status: str
    expedicao: date
    criado_em: datetime
    tipo_envio: str
    itens: list  # [(cod, Produto, qtd)]
    agendamento: date | None = None
    protocolo: str = ""
    numero_nf: str = ""


@dataclass
class Resumo:
    linhas: dict = field(default_factory=dict)  # table -> rows inserted
    tempos: dict = field(default_factory=dict)  # phase -> seconds
    produtos_reconstruidos: int = 0
    produtos_com_ruptura: int = 0


def _qtd(base, escala, minimo=1) -> int:
    return max(minimo, int(round(base * escala)))


# ---------------------------------------------------------------- vocabulary (pt-BR, fictional firms)

# (name, categoria, subcategoria, packaging family, R$ per kg)
BASES = (
    ("AZEITONA VERDE INTEIRA", "CONSERVAS", "AZEITONAS", "conserva", 28),
    ("AZEITONA VERDE FATIADA", "CONSERVAS", "AZEITONAS", "conserva", 30),
    ("AZEITONA VERDE SEM CAROÇO", "CONSERVAS", "AZEITONAS", "conserva", 31),
    ("AZEITONA VERDE RECHEADA COM PIMENTÃO", "CONSERVAS", "AZEITONAS", "conserva", 36),
    ("AZEITONA PRETA INTEIRA", "CONSERVAS", "AZEITONAS", "conserva", 34),
    ("AZEITONA PRETA FATIADA", "CONSERVAS", "AZEITONAS", "conserva", 37),
    ("AZEITONA CHILENA", "CONSERVAS", "AZEITONAS", "conserva", 45),
    ("PEPINO EM CONSERVA", "CONSERVAS", "PICLES", "conserva", 18),
    ("PEPINO AGRIDOCE FATIADO", "CONSERVAS", "PICLES", "conserva", 20),
    ("CEBOLINHA EM CONSERVA", "CONSERVAS", "PICLES", "conserva", 19),
    ("PIMENTA BIQUINHO", "CONSERVAS", "PICLES", "conserva", 33),
    ("PIMENTA JALAPEÑO FATIADA", "CONSERVAS", "PICLES", "conserva", 35),
    ("ALCAPARRA", "CONSERVAS", "PICLES", "conserva", 60),
    ("PICLES MISTO", "CONSERVAS", "PICLES", "conserva", 17),
    ("COGUMELO FATIADO", "CONSERVAS", "COGUMELOS", "conserva", 40),
    ("CHAMPIGNON INTEIRO", "CONSERVAS", "COGUMELOS", "conserva", 42),
    ("PALMITO PUPUNHA INTEIRO", "CONSERVAS", "PALMITO", "conserva", 55),
    ("PALMITO PUPUNHA PICADO", "CONSERVAS", "PALMITO", "conserva", 38),
    ("PALMITO PUPUNHA RODELA", "CONSERVAS", "PALMITO", "conserva", 44),
    ("MILHO VERDE", "CONSERVAS", "LEGUMES", "lata", 12),
    ("ERVILHA", "CONSERVAS", "LEGUMES", "lata", 11),
    ("SELETA DE LEGUMES", "CONSERVAS", "LEGUMES", "lata", 13),
    ("TOMATE SECO", "CONSERVAS", "LEGUMES", "conserva", 58),
    ("ALHO EM CONSERVA", "CONSERVAS", "LEGUMES", "conserva", 30),
    ("MOLHO DE TOMATE", "MOLHOS", "TOMATE", "molho", 9),
    ("MOLHO DE TOMATE TRADICIONAL", "MOLHOS", "TOMATE", "molho", 9),
    ("MOLHO DE TOMATE COM MANJERICÃO", "MOLHOS", "TOMATE", "molho", 11),
    ("MOLHO DE TOMATE PIZZA", "MOLHOS", "TOMATE", "molho", 10),
    ("EXTRATO DE TOMATE", "MOLHOS", "TOMATE", "molho", 12),
    ("POLPA DE TOMATE", "MOLHOS", "TOMATE", "molho", 8),
    ("TOMATE PELADO", "MOLHOS", "TOMATE", "lata", 10),
    ("ATOMATADO", "MOLHOS", "TOMATE", "molho", 8),
    ("MOLHO INGLÊS", "MOLHOS", "ESPECIAIS", "vinagre", 16),
    ("MOLHO SHOYU", "MOLHOS", "ESPECIAIS", "vinagre", 15),
    ("MOLHO DE PIMENTA VERMELHA", "MOLHOS", "ESPECIAIS", "vinagre", 22),
    ("MOLHO BARBECUE", "MOLHOS", "ESPECIAIS", "bisnaga", 18),
    ("MOLHO ROSÉ", "MOLHOS", "ESPECIAIS", "bisnaga", 17),
    ("MOLHO TÁRTARO", "MOLHOS", "ESPECIAIS", "bisnaga", 19),
    ("CATCHUP", "CONDIMENTOS", "CATCHUP", "bisnaga", 11),
    ("CATCHUP PICANTE", "CONDIMENTOS", "CATCHUP", "bisnaga", 12),
    ("MOSTARDA", "CONDIMENTOS", "MOSTARDA", "bisnaga", 12),
    ("MOSTARDA ESCURA", "CONDIMENTOS", "MOSTARDA", "bisnaga", 14),
    ("MAIONESE", "CONDIMENTOS", "MAIONESE", "bisnaga", 13),
    ("MAIONESE TEMPERADA", "CONDIMENTOS", "MAIONESE", "bisnaga", 15),
    ("VINAGRE DE ÁLCOOL", "CONDIMENTOS", "VINAGRES", "vinagre", 4),
    ("VINAGRE DE MAÇÃ", "CONDIMENTOS", "VINAGRES", "vinagre", 7),
    ("VINAGRE DE VINHO TINTO", "CONDIMENTOS", "VINAGRES", "vinagre", 7),
    ("AZEITE DE OLIVA EXTRA VIRGEM", "ÓLEOS E AZEITES", "AZEITE", "oleo", 65),
    ("AZEITE DE OLIVA TIPO ÚNICO", "ÓLEOS E AZEITES", "AZEITE", "oleo", 50),
    ("ÓLEO COMPOSTO", "ÓLEOS E AZEITES", "ÓLEO COMPOSTO", "oleo", 18),
    ("GELEIA DE MORANGO", "DOCES", "GELEIAS", "doce", 30),
    ("GELEIA DE UVA", "DOCES", "GELEIAS", "doce", 28),
    ("GOIABADA CASCÃO", "DOCES", "DOCES DE CORTE", "doce", 16),
    ("DOCE DE LEITE", "DOCES", "DOCE DE LEITE", "doce", 22),
)
PREFIXOS = {"CONSERVAS": "43", "MOLHOS": "41", "CONDIMENTOS": "42", "ÓLEOS E AZEITES": "44", "DOCES": "45"}
# (label, peso bruto kg, palletização, linha de produção)
EMBALAGENS = {
    "conserva": (("200G", "0.380", 1440, "LINHA 1 - VIDROS"), ("500G", "0.850", 960, "LINHA 1 - VIDROS"),
                 ("POUCH 150G", "0.200", 1800, "LINHA 4 - POUCH"), ("BD 2KG", "2.250", 360, "LINHA 2 - BALDES"),
                 ("BD 3,6KG", "3.950", 216, "LINHA 2 - BALDES"), ("BAG 10KG", "10.400", 96, "LINHA 2 - BALDES")),
    "lata": (("LT 200G", "0.260", 1800, "LINHA 5 - LATAS"), ("LT 1,7KG", "1.950", 420, "LINHA 5 - LATAS")),
    "molho": (("SACHÊ 340G", "0.355", 1600, "LINHA 4 - POUCH"), ("LT 340G", "0.410", 1500, "LINHA 5 - LATAS"),
              ("VD 500G", "0.860", 960, "LINHA 1 - VIDROS"), ("BD 3,1KG", "3.400", 216, "LINHA 2 - BALDES"),
              ("GALÃO 20KG", "20.000", 80, "LINHA 2 - BALDES")),
    "bisnaga": (("BISNAGA 200G", "0.230", 1920, "LINHA 6 - BISNAGAS"),
                ("BISNAGA 1,01KG", "1.080", 700, "LINHA 6 - BISNAGAS"),
                ("SACHÊ 7G CX 168", "1.300", 560, "LINHA 3 - SACHÊS"), ("BD 3,3KG", "3.550", 216, "LINHA 2 - BALDES")),
    "vinagre": (("PET 150ML", "0.200", 2000, "LINHA 7 - ENVASE"), ("PET 750ML", "0.800", 1080, "LINHA 7 - ENVASE"),
                ("GALÃO 5L", "5.250", 128, "LINHA 7 - ENVASE")),
    "oleo": (("VD 250ML", "0.520", 1400, "LINHA 7 - ENVASE"), ("VD 500ML", "0.980", 900, "LINHA 7 - ENVASE"),
             ("PET 900ML", "0.950", 800, "LINHA 7 - ENVASE"), ("GALÃO 5L", "4.700", 140, "LINHA 7 - ENVASE")),
    "doce": (("VD 320G", "0.480", 1300, "LINHA 1 - VIDROS"), ("BARRA 300G", "0.310", 2000, "LINHA 8 - DOCES"),
             ("POTE 400G", "0.450", 1500, "LINHA 8 - DOCES"), ("BD 4,8KG", "5.100", 160, "LINHA 8 - DOCES")),
}
MARCAS = ("CAMPO BELO", "SERRA VERDE", "BOM SABOR", "VALE DOURADO", "DONA ROSA", "QUINTA NOVA")  # first = house brand
# (município, UF, CEP prefix, DDD, weight)
CIDADES = (
    ("SÃO PAULO", "SP", 1, 11, 14), ("CAMPINAS", "SP", 13, 19, 4), ("SANTOS", "SP", 11, 13, 2),
    ("RIBEIRÃO PRETO", "SP", 14, 16, 2), ("SOROCABA", "SP", 18, 15, 2), ("SÃO JOSÉ DOS CAMPOS", "SP", 12, 12, 2),
    ("GUARULHOS", "SP", 7, 11, 3), ("OSASCO", "SP", 6, 11, 2), ("SANTO ANDRÉ", "SP", 9, 11, 2), ("BAURU", "SP", 17, 14, 1),
    ("RIO DE JANEIRO", "RJ", 20, 21, 6), ("NITERÓI", "RJ", 24, 21, 1), ("BELO HORIZONTE", "MG", 30, 31, 4),
    ("UBERLÂNDIA", "MG", 38, 34, 1), ("JUIZ DE FORA", "MG", 36, 32, 1), ("CURITIBA", "PR", 80, 41, 3),
    ("LONDRINA", "PR", 86, 43, 1), ("MARINGÁ", "PR", 87, 44, 1), ("PORTO ALEGRE", "RS", 90, 51, 3),
    ("CAXIAS DO SUL", "RS", 95, 54, 1), ("FLORIANÓPOLIS", "SC", 88, 48, 1), ("JOINVILLE", "SC", 89, 47, 1),
    ("GOIÂNIA", "GO", 74, 62, 2), ("BRASÍLIA", "DF", 70, 61, 2), ("CAMPO GRANDE", "MS", 79, 67, 1),
    ("CUIABÁ", "MT", 78, 65, 1), ("SALVADOR", "BA", 40, 71, 2), ("FEIRA DE SANTANA", "BA", 44, 75, 1),
    ("RECIFE", "PE", 50, 81, 2), ("FORTALEZA", "CE", 60, 85, 2), ("NATAL", "RN", 59, 84, 1),
    ("JOÃO PESSOA", "PB", 58, 83, 1), ("MACEIÓ", "AL", 57, 82, 1), ("BELÉM", "PA", 66, 91, 1),
    ("MANAUS", "AM", 69, 92, 1), ("VITÓRIA", "ES", 29, 27, 1),
)
TIPOS_CLIENTE = (("SUPERMERCADO", "SUPERM."), ("SUPERMERCADOS", "SUPERM."), ("ATACADISTA", "ATAC."),
                 ("DISTRIBUIDORA DE ALIMENTOS", "DISTRIB."), ("COMERCIAL", "COML."), ("MERCEARIA", "MERC."),
                 ("EMPÓRIO", "EMP."), ("RESTAURANTE", "REST."), ("PIZZARIA", "PIZZ."), ("COOPERATIVA", "COOP."))
NOMES_CLIENTE = ("SÃO JORGE", "BOA VISTA", "PAULISTA", "DO VALE", "SANTA LUZIA", "NOVA ERA", "DOIS IRMÃOS",
                 "BELA VISTA", "PORTO SEGURO", "ESTRELA", "SÃO FRANCISCO", "CONFIANÇA", "ROSSI", "BIANCHI",
                 "OLIVEIRA", "FERREIRA", "ALMEIDA", "COSTA", "MARTINS", "IRMÃOS ROCHA", "PRIMAVERA", "AURORA",
                 "CENTRAL", "UNIÃO", "BOM PREÇO", "DA FAMÍLIA", "MODELO", "IDEAL", "PIONEIRO", "TRIÂNGULO")
SUFIXOS = ("LTDA", "LTDA", "LTDA", "EIRELI", "S.A.", "LTDA - EPP", "LTDA - ME")
BAIRROS = ("CENTRO", "JARDIM AMÉRICA", "VILA NOVA", "DISTRITO INDUSTRIAL", "SANTA CECÍLIA", "BOA VISTA",
           "SÃO JOSÉ", "JARDIM PAULISTA", "VILA MARIANA", "PARQUE INDUSTRIAL", "CIDADE NOVA", "BARRA FUNDA")
RUAS = ("RUA DAS INDÚSTRIAS", "AVENIDA BRASIL", "RUA TIRADENTES", "AVENIDA DOM PEDRO II", "RUA SANTOS DUMONT",
        "AVENIDA GETÚLIO VARGAS", "RODOVIA DOS BANDEIRANTES", "RUA XV DE NOVEMBRO", "RUA SETE DE SETEMBRO",
        "AVENIDA MARECHAL DEODORO", "RUA DAS PALMEIRAS", "AVENIDA DAS NAÇÕES")
# (vendedor, equipe de vendas)
VENDEDORES = (("CARLOS EDUARDO SILVA", "VENDA EXTERNA SP CAPITAL"), ("MARIANA OLIVEIRA", "VENDA EXTERNA SP CAPITAL"),
              ("RAFAEL SOUZA", "VENDA EXTERNA INTERIOR"), ("PATRÍCIA LIMA", "VENDA EXTERNA INTERIOR"),
              ("ANDERSON COSTA", "KEY ACCOUNT - REDES"), ("JULIANA FERREIRA", "KEY ACCOUNT - REDES"),
              ("RODRIGO ALMEIDA", "FOOD SERVICE"), ("FERNANDA RIBEIRO", "FOOD SERVICE"),
              ("MARCOS PEREIRA", "DISTRIBUIDORES N/NE"), ("LUCIANA MARTINS", "VENDA INTERNA"))
USUARIOS = ("ana.paula", "bruno.santos", "carla.mendes", "diego.araujo", "elaine.rocha", "felipe.nunes")
TRANSPORTADORAS = ("TRANSPORTES RODOBELO LTDA", "RODOVIÁRIO SERRA AZUL LTDA", "TRANSPORTADORA BOA ESTRADA LTDA",
                   "LOGÍSTICA TRÊS RIOS LTDA", "TRANSLOG CAMPINAS EIRELI", "EXPRESSO CANTAREIRA LTDA")
OBS_PEDIDO = ("", "", "", "", "ENTREGAR SOMENTE COM AGENDAMENTO", "PALETIZADO - PALLET PBR",
              "RECEBIMENTO DAS 7H ÀS 15H", "NÃO ACEITA VALIDADE INFERIOR A 70%")
# Block of 20 unification pairs, repeated per escala; a "cadeia" takes two pairs (A->B->C).
TIPOS_PAR = ("cadeia", "cadeia", "paralelo_txt", "legado", "inativo", "paralelo_num", "legado", "paralelo_txt",
             "legado", "paralelo_num", "paralelo_txt", "legado", "legado", "paralelo_txt", "paralelo_num",
             "legado", "paralelo_txt", "legado", "paralelo_num", "legado")
SUFIXOS_CODIGO = ("CX", "FS", "EXP", "B")
# Status of active lotes and kind of invoiced lotes in fixed cycles: every kind shows up even
# at small escalas (55 % ABERTO, 30 % COTADO, 15 % EMBARCADO; 80 % FATURADO, 10 % each other).
CICLO_STATUS = ("ABERTO", "COTADO", "EMBARCADO", "ABERTO", "ABERTO", "COTADO", "ABERTO", "ABERTO", "COTADO", "ABERTO",
                "EMBARCADO", "ABERTO", "COTADO", "ABERTO", "ABERTO", "COTADO", "ABERTO", "EMBARCADO", "COTADO", "ABERTO")
CICLO_FATURADOS = ("faturado", "sinc_pendente", "faturado", "faturado", "nf_no_cd", "faturado", "faturado", "faturado",
                   "faturado", "faturado")
FATOR_DIA_SEMANA = (1.15, 1.15, 1.15, 1.15, 1.15, 0.5, 0.1)  # movements by weekday (Mon..Sun)


def cnpj(rng) -> str:
    """A formatted CNPJ with valid check digits (matriz 0001)."""
    numeros = [rng.randrange(10) for _ in range(8)] + [0, 0, 0, 1]
    for pesos in ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)):
        resto = sum(n * p for n, p in zip(numeros, pesos)) % 11
        numeros.append(0 if resto < 2 else 11 - resto)
    s = "".join(map(str, numeros))
    return f"{s[:2]}.{s[2:5]}.{s[5:8]}/{s[8:12]}-{s[12:]}"


# ---------------------------------------------------------------- the generator (pure Python)

COLUNAS_CADASTRO = ("cod_produto", "nome_produto", "palletizacao", "peso_bruto", "categoria", "subcategoria",
                    "linha_producao", "ativo")
COLUNAS_UNIFICACAO = ("codigo_origem", "codigo_destino", "ativo", "observacao", "criado_em")
COLUNAS_MOVIMENTACAO = ("cod_produto", "nome_produto", "data_movimentacao", "tipo_movimentacao", "local_movimentacao",
                        "qtd_movimentacao", "ativo", "observacao", "separacao_lote_id", "numero_nf", "num_pedido",
                        "criado_em", "criado_por", "atualizado_em", "atualizado_por")
COLUNAS_CARTEIRA = ("num_pedido", "pedido_cliente", "data_pedido", "status_pedido", "cnpj_cpf", "raz_social",
                    "raz_social_red", "municipio", "estado", "vendedor", "equipe_vendas", "cnpj_endereco_ent",
                    "empresa_endereco_ent", "cep_endereco_ent", "nome_cidade", "cod_uf", "bairro_endereco_ent",
                    "rua_endereco_ent", "endereco_ent", "telefone_endereco_ent", "cod_produto", "nome_produto",
                    "qtd_produto_pedido", "qtd_saldo_produto_pedido", "qtd_cancelada_produto_pedido",
                    "preco_produto_pedido", "data_entrega_pedido", "observ_ped_1", "ativo", "origem", "odoo_line_id",
                    "criado_em", "atualizado_em")
COLUNAS_PRE_SEPARACAO = ("num_pedido", "cod_produto", "qtd_selecionada_usuario", "data_expedicao_editada",
                         "data_agendamento_editada", "protocolo_editado", "observacoes_usuario", "status", "tipo_envio",
                         "criado_em", "criado_por")
COLUNAS_SEPARACAO = ("separacao_lote_id", "num_pedido", "cod_produto", "qtd_saldo", "valor_saldo", "peso", "pallet",
                     "expedicao", "agendamento", "protocolo", "tipo_envio", "status", "numero_nf", "sincronizado_nf",
                     "criado_em")
COLUNAS_PROGRAMACAO = ("data_programacao", "cod_produto", "nome_produto", "qtd_programada", "linha_producao",
                       "cliente_produto", "observacao_pcp")
COLUNAS_EMBARQUE = ("numero", "data_prevista_embarque", "data_embarque", "transportadora", "status", "criado_em")
COLUNAS_EMBARQUE_ITEM = ("embarque_id", "separacao_lote_id", "num_pedido", "cliente", "nota_fiscal", "status",
                         "erro_validacao")
LOCAIS = {"ENTRADA": "RECEBIMENTO", "PRODUCAO": "FÁBRICA", "SAIDA": "CD", "FATURAMENTO": "CD - EXPEDIÇÃO",
          "AJUSTE": "CD"}
OBS_ENTRADA = ("DEVOLUÇÃO DE CLIENTE", "COMPRA DE TERCEIRO", "TRANSFERÊNCIA ENTRE FILIAIS")
OBS_SAIDA = ("AVARIA", "AMOSTRA COMERCIAL", "TRANSFERÊNCIA ENTRE FILIAIS", "DESCARTE - VALIDADE VENCIDA")
CENTAVO, GRAMA = Decimal("0.01"), Decimal("0.001")


def _amostra_ponderada(rng, itens, cum_pesos, n) -> list:
    """n distinct items drawn by weight, in draw order (deterministic for a given rng state)."""
    n = min(n, len(itens))
    escolhidos, vistos = [], set()
    indices = range(len(itens))
    while len(escolhidos) < n:
        for j in rng.choices(indices, cum_weights=cum_pesos, k=n):
            if j not in vistos:
                vistos.add(j)
                escolhidos.append(itens[j])
                if len(escolhidos) == n:
                    break
    return escolhidos


class Demo:
    """Every row from (escala, semente, hoje). Each phase draws from its own Random (seeded with a
    string: SHA-512, stable across runs), so no phase shifts another's numbers."""

    def __init__(self, escala, semente, hoje):
        self.escala, self.semente, self.hoje = escala, semente, hoje
        self.fuso = ZoneInfo(settings.TIME_ZONE)
        self._meia_noite = {}
        self.n_pares = _qtd(PARES_UNIFICACAO, escala, 3)
        if self.n_pares % len(TIPOS_PAR) == 1:  # never end on half a chain
            self.n_pares += 1
        self.n_produtos = max(_qtd(PRODUTOS, escala, 20), 3 * self.n_pares)
        self.movs_dia = _qtd(MOVIMENTACOES_DIA, escala, 5)
        self.unidades: list[Produto] = []  # stock units: one per product, its alias codes inside
        self.aliases: list[Produto] = []  # cadastro rows of the alias codes
        self.pares: list[tuple] = []
        self.lotes: list[Lote] = []
        self.pre_separacoes: list[tuple] = []
        self.lotes_por_tipo = {True: 0, False: 0}  # invoiced?
        self.nf = 100000

    def _rng(self, fase):
        return random.Random(f"{self.semente}:{fase}")

    def instante(self, dia, segundos) -> datetime:
        """A São Paulo time of day, as an aware UTC datetime."""
        base = self._meia_noite.get(dia)
        if base is None:
            base = datetime(dia.year, dia.month, dia.day, tzinfo=self.fuso).astimezone(UTC)
            self._meia_noite[dia] = base
        return base + timedelta(seconds=segundos)

    def _dia(self, rng, de, ate) -> date:
        return self.hoje + timedelta(days=rng.randint(de, ate))

    # ------------------------------------------------------------ products and unification

    def preparar_produtos(self):
        rng = self._rng("produtos")
        combinacoes = [(b, e, m) for b in BASES for e in EMBALAGENS[b[3]] for m in MARCAS]
        rng.shuffle(combinacoes)
        n = self.n_produtos - self.n_pares
        especificacoes = [combinacoes[i % len(combinacoes)] for i in range(n)]
        codigos = self._codigos_produto(rng, [PREFIXOS[base[1]] for base, _, _ in especificacoes])
        for i, ((nome, categoria, sub, _, preco_kg), (rotulo, peso, pallet, linha), marca) in enumerate(especificacoes):
            peso_un = (Decimal(peso) * Decimal(rng.uniform(0.97, 1.03))).quantize(GRAMA)
            peso_un = min(Decimal("20"), max(Decimal("0.2"), peso_un))
            palletizacao = max(80, min(2000, int(pallet * rng.uniform(0.85, 1.15)) // 8 * 8))
            ativo = rng.random() > 0.02
            self.unidades.append(
                Produto(
                    indice=i,
                    cod=codigos[i],
                    nome=f"{nome} {rotulo}" + ("" if marca == MARCAS[0] else f" - {marca}"),
                    categoria=categoria,
                    subcategoria=sub,
                    linha=linha,
                    palletizacao=palletizacao,
                    peso=peso_un,
                    preco=(Decimal(preco_kg) * peso_un * Decimal(rng.uniform(0.85, 1.2))).quantize(CENTAVO),
                    peso_demanda=rng.lognormvariate(0, 1.1) * (1 if ativo else 0.05),
                    lote_tipico=max(1, int(palletizacao * rng.uniform(0.03, 0.4))),
                    ativo=ativo,
                )
            )
        self._unificar(rng)

    @staticmethod
    def _codigos_produto(rng, prefixos) -> list[str]:
        """Distinct numeric codes like 4310152: category prefix + random digits."""
        codigos = [""] * len(prefixos)
        por_prefixo = {}
        for i, prefixo in enumerate(prefixos):
            por_prefixo.setdefault(prefixo, []).append(i)
        for prefixo, indices in sorted(por_prefixo.items()):
            largura = 5 if len(indices) <= 60000 else 6
            for i, numero in zip(indices, rng.sample(range(10 ** (largura - 1), 10**largura), len(indices))):
                codigos[i] = f"{prefixo}{numero}"
        return codigos

    def _unificar(self, rng):
        """Alias codes: old codes replaced on a date (legado, a chain A->B->C among them, one pair
        deactivated) and codes in use beside the main one (paralelo, some non-numeric)."""
        tipos = [TIPOS_PAR[i % len(TIPOS_PAR)] for i in range(self.n_pares) if i % len(TIPOS_PAR) != 1]
        alvos = rng.sample([u for u in self.unidades if u.ativo], len(tipos))
        numeros = iter(rng.sample(range(2_000_000), 2 * len(tipos)))

        def numerico():  # 3xxxxxx (sorts before the main code: the principal) or 9xxxxxx
            v = next(numeros)
            return str(3_000_000 + v if v < 1_000_000 else 8_000_000 + v)

        for tipo, u in zip(tipos, alvos):
            if tipo == "cadeia":
                a, b = numerico(), f"{u.cod}-A"
                u.legados = [(a, self.hoje - timedelta(days=rng.randint(200, 330))),
                             (b, self.hoje - timedelta(days=rng.randint(40, 180)))]
                self._par(a, b, True, "CÓDIGO ANTIGO SUBSTITUÍDO", u.legados[0][1])
                self._par(b, u.cod, True, "CÓDIGO ANTIGO SUBSTITUÍDO", u.legados[1][1])
            elif tipo in ("legado", "inativo"):
                x = numerico()
                u.legados = [(x, self.hoje - timedelta(days=rng.randint(30, 330)))]
                obs = "CÓDIGO ANTIGO SUBSTITUÍDO" if tipo == "legado" else "UNIFICAÇÃO DESFEITA PELO CADASTRO"
                self._par(x, u.cod, tipo == "legado", obs, u.legados[0][1])
            else:
                u.paralelo = f"{u.cod}-{rng.choice(SUFIXOS_CODIGO)}" if tipo == "paralelo_txt" else numerico()
                dia = self.hoje - timedelta(days=rng.randint(10, 300))
                self._par(u.paralelo, u.cod, True, "MESMO PRODUTO EM OUTRO CÓDIGO (EMBALAGEM/CLIENTE)", dia)
            for codigo, ativo in [(c, False) for c, _ in u.legados] + ([(u.paralelo, True)] if u.paralelo else []):
                self.aliases.append(replace(u, cod=codigo, ativo=ativo, legados=[], paralelo=None))

    def _par(self, origem, destino, ativo, observacao, dia):
        self.pares.append((origem, destino, ativo, observacao, self.instante(dia, 10 * 3600)))

    def cadastro(self):
        for p in sorted(self.unidades + self.aliases, key=lambda p: p.cod):
            yield (p.cod, p.nome, p.palletizacao, p.peso, p.categoria, p.subcategoria, p.linha, p.ativo)

    # ------------------------------------------------------------ carteira and allocations

    def carteira(self):
        """(row count, stream of order lines); the stream fills self.lotes and self.pre_separacoes."""
        rng = self._rng("carteira")
        clientes = [self._cliente(rng) for _ in range(_qtd(CLIENTES, self.escala, 5))]
        cum_clientes = list(accumulate(rng.paretovariate(1.5) for _ in clientes))
        n_pedidos = _qtd(PEDIDOS, self.escala, 8)
        n_linhas = [rng.randint(2, 7) if rng.random() < 0.4 else rng.randint(8, 30) for _ in range(n_pedidos)]
        elegiveis = [i for i, n in enumerate(n_linhas) if n >= 8]
        faturados = set(rng.sample(elegiveis, min(len(elegiveis), _qtd(LOTES_FATURADOS, self.escala, 2))))
        separados = set(rng.sample(elegiveis, min(len(elegiveis), _qtd(SEPARACOES, self.escala, 2))))
        sem_separacao = [i for i in elegiveis if i not in separados]  # all their lines still open
        pre_separados = set(rng.sample(sem_separacao, min(len(sem_separacao), _qtd(PRE_SEPARACOES, self.escala, 2))))
        ativos = [u for u in self.unidades if u.ativo]
        n_linhas = [min(n, len(ativos)) for n in n_linhas]

        def linhas():
            cum = list(accumulate(u.peso_demanda for u in ativos))
            odoo_id, largura = 250000, max(5, len(str(n_pedidos)))
            for i in range(n_pedidos):
                cliente = rng.choices(clientes, cum_weights=cum_clientes)[0]
                num_pedido = f"VCD{self.hoje.year % 100:02d}{i + 1:0{largura}d}"
                itens = self._linhas_pedido(rng, _amostra_ponderada(rng, ativos, cum, n_linhas[i]))
                if i in faturados:
                    self._lote(rng, num_pedido, cliente[1], itens, faturado=True)
                if i in separados:
                    self._lote(rng, num_pedido, cliente[1], itens, faturado=False)
                if i in pre_separados:
                    self._pre_separacao(rng, num_pedido, itens)
                data_pedido = self._dia(rng, -45, 0)
                entrega = data_pedido + timedelta(days=rng.randint(5, 30))
                manual = rng.random() < 0.05
                cabecalho = (num_pedido, f"PC{rng.randint(10000, 999999)}" if rng.random() < 0.6 else "", data_pedido,
                             "Pedido de venda", *cliente)
                criado = self.instante(data_pedido, rng.randrange(8 * 3600, 18 * 3600))
                obs = rng.choice(OBS_PEDIDO)
                for cod, u, saldo, faturado, cancelado, _ in itens:
                    odoo_id += rng.randint(1, 9)
                    yield (*cabecalho, cod, u.nome, saldo + faturado + cancelado, saldo, cancelado, u.preco, entrega, obs,
                           True, "MANUAL" if manual else "ODOO", None if manual else odoo_id, criado, criado)

        return sum(n_linhas), linhas()

    @staticmethod
    def _cliente(rng) -> tuple:
        """cnpj_cpf .. telefone_endereco_ent, in COLUNAS_CARTEIRA order."""
        tipo, tipo_red = rng.choice(TIPOS_CLIENTE)
        nome, sufixo = rng.choice(NOMES_CLIENTE), rng.choice(SUFIXOS)
        municipio, uf, cep, ddd, _ = rng.choices(CIDADES, cum_weights=list(accumulate(c[4] for c in CIDADES)))[0]
        vendedor, equipe = rng.choice(VENDEDORES)
        documento, razao = cnpj(rng), f"{tipo} {nome} {sufixo}"
        return (documento, razao, f"{tipo_red} {nome}", municipio, uf, vendedor, equipe, documento, razao,
                f"{cep:02d}{rng.randrange(1000):03d}-{rng.randrange(1000):03d}", municipio, uf, rng.choice(BAIRROS),
                rng.choice(RUAS), str(rng.randint(10, 4999)),
                f"({ddd}) {rng.randint(2000, 5999)}-{rng.randrange(10000):04d}")

    @staticmethod
    def _linhas_pedido(rng, produtos) -> list[list]:
        """[cod, produto, saldo, faturado, cancelado, saldo ainda não alocado] per line."""
        linhas = []
        for u in produtos:
            saldo = max(1, int(u.lote_tipico * rng.lognormvariate(0, 0.6)))
            cancelado = rng.randint(1, max(1, saldo // 4)) if rng.random() < 0.04 else 0
            cod = u.paralelo if u.paralelo and rng.random() < 0.3 else u.cod
            linhas.append([cod, u, saldo, 0, cancelado, saldo])
        return linhas

    @staticmethod
    def _alocar(rng, linhas):
        """Allocate ~15 lines from what is still unallocated: ([(cod, produto, qtd)], tipo_envio)."""
        abertas = [linha for linha in linhas if linha[5] > 0]
        k = min(len(abertas), rng.randint(8, 22))
        parcial = rng.random() < 0.3
        itens = []
        for linha in [abertas[j] for j in sorted(rng.sample(range(len(abertas)), k))]:
            qtd = max(1, int(linha[5] * rng.uniform(0.3, 0.8))) if parcial else linha[5]
            linha[5] -= qtd
            itens.append((linha[0], linha[1], qtd))
        return itens, "parcial" if parcial else "total"

    def _lote(self, rng, num_pedido, cliente, linhas, faturado):
        if faturado:  # invoiced earlier: the line's qtd_produto_pedido includes it, its saldo does not
            itens = []
            for j in sorted(rng.sample(range(len(linhas)), min(len(linhas), rng.randint(8, 22)))):
                qtd = max(1, int(linhas[j][1].lote_tipico * rng.lognormvariate(0, 0.5)))
                linhas[j][3] += qtd
                itens.append((linhas[j][0], linhas[j][1], qtd))
            situacao = CICLO_FATURADOS[self.lotes_por_tipo[True] % len(CICLO_FATURADOS)]
            status = {FATURADO: "FATURADO", NF_NO_CD: "NF no CD", SINC_PENDENTE: "EMBARCADO"}[situacao]
            expedicao = self._dia(rng, -3, -1) if situacao == SINC_PENDENTE else self._dia(rng, -30, -1)
            tipo_envio = "total"
        else:
            itens, tipo_envio = self._alocar(rng, linhas)
            if not itens:
                return
            situacao = ATIVO
            status = CICLO_STATUS[self.lotes_por_tipo[False] % len(CICLO_STATUS)]
            expedicao = self._dia(rng, -2, 1) if status == "EMBARCADO" else self._dia(rng, -2, 20)
        criado = min(expedicao, self.hoje) - timedelta(days=rng.randint(1, 5))
        agendamento = expedicao + timedelta(days=rng.randint(0, 3)) if rng.random() < 0.4 else None
        lote = Lote(
            lote_id=f"LOTE_{criado:%Y%m%d}_{len(self.lotes) + 1:06d}",
            num_pedido=num_pedido,
            cliente=cliente,
            situacao=situacao,
            status=status,
            expedicao=expedicao,
            criado_em=self.instante(criado, rng.randrange(8 * 3600, 18 * 3600)),
            tipo_envio=tipo_envio,
            itens=itens,
            agendamento=agendamento,
            protocolo=f"AG{rng.randint(100000, 999999)}" if agendamento else "",
        )
        self.lotes.append(lote)
        self.lotes_por_tipo[faturado] += 1
        if situacao == ATIVO:
            for _, u, qtd in itens:
                u.saida_d7 += qtd if expedicao <= self.hoje + timedelta(days=7) else 0
            if rng.random() < 0.25:  # it came from a pré-separação (kept, status ENVIADO_SEPARACAO)
                for cod, _, qtd in itens:
                    self.pre_separacoes.append((num_pedido, cod, qtd, expedicao, agendamento, lote.protocolo, "",
                                                "ENVIADO_SEPARACAO", tipo_envio, lote.criado_em, rng.choice(USUARIOS)))

    def _pre_separacao(self, rng, num_pedido, linhas):
        itens, tipo_envio = self._alocar(rng, linhas)
        if not itens:
            return
        status = "RECOMPOSTO" if rng.random() < 0.25 else "CRIADO"
        expedicao = self._dia(rng, -2, 20)
        agendamento = expedicao + timedelta(days=rng.randint(0, 3)) if rng.random() < 0.4 else None
        protocolo = f"AG{rng.randint(100000, 999999)}" if agendamento else ""
        obs = rng.choice(("", "", "", "AGUARDANDO CONFIRMAÇÃO DO CLIENTE", "CLIENTE PEDIU ANTECIPAÇÃO", "COMPLETAR CARGA"))
        criado = self.instante(self._dia(rng, -5, -1), rng.randrange(8 * 3600, 18 * 3600))
        por = rng.choice(USUARIOS)
        for cod, u, qtd in itens:
            self.pre_separacoes.append(
                (num_pedido, cod, qtd, expedicao, agendamento, protocolo, obs, status, tipo_envio, criado, por)
            )
            u.saida_d7 += qtd if expedicao <= self.hoje + timedelta(days=7) else 0

    def separacoes(self):
        for lote in self.lotes:
            faturado = lote.situacao in (FATURADO, NF_NO_CD)
            for cod, u, qtd in lote.itens:
                valor, peso = (u.preco * qtd).quantize(CENTAVO), (u.peso * qtd).quantize(GRAMA)
                pallets = (Decimal(qtd) / u.palletizacao).quantize(GRAMA)
                yield (lote.lote_id, lote.num_pedido, cod, qtd, valor, peso, pallets, lote.expedicao, lote.agendamento,
                       lote.protocolo, lote.tipo_envio, lote.status, lote.numero_nf if faturado else "", faturado,
                       lote.criado_em)

    # ------------------------------------------------------------ stock movements

    def perfis(self):
        """Where each product's stock is steered: comfortable (most), below its D+7 orders (ruptura), near zero."""
        rng = self._rng("perfis")
        total_peso = sum(u.peso_demanda for u in self.unidades)
        simples = [u for u in self.unidades if u.ativo and not u.legados and not u.paralelo]
        com_saida = [u for u in simples if u.saida_d7 > 0]
        for u in rng.sample(com_saida, min(len(com_saida), _qtd(FRACAO_RUPTURA * len(self.unidades), 1))):
            u.perfil = "ruptura"
        sem_saida = [u for u in simples if u.saida_d7 == 0]
        for u in rng.sample(sem_saida, min(len(sem_saida), int(round(FRACAO_BAIXO * len(self.unidades))))):
            u.perfil = "baixo"
        for u in self.unidades:
            saida_dia = self.movs_dia * u.peso_demanda / total_peso * 0.7 * u.lote_tipico
            if u.perfil == "ruptura":  # stock stays <= 2 * alvo < saida_d7: the orders of the week break it
                u.alvo = max(1, int(u.saida_d7 * rng.uniform(0.1, 0.45)))
            elif u.perfil == "baixo":
                u.alvo = max(1, int(saida_dia * rng.uniform(0.3, 1.5)))
            else:
                u.alvo = max(int(saida_dia * rng.uniform(5, 30)), 2 * u.saida_d7 + u.lote_tipico)

    def _movs_no_dia(self, dia) -> int:
        return max(1, int(round(self.movs_dia * FATOR_DIA_SEMANA[dia.weekday()] * 7 / sum(FATOR_DIA_SEMANA))))

    def total_movimentacoes(self) -> int:
        inicio = self.hoje - timedelta(days=DIAS_HISTORICO)
        dias = sum(self._movs_no_dia(inicio + timedelta(days=k)) for k in range(DIAS_HISTORICO + 1))
        return dias + len(self.unidades) + sum(len(lote.itens) for lote in self.lotes if lote.situacao != ATIVO)

    def movimentacoes(self):
        """One year, day by day. Each product's stock (active movements) is steered towards its alvo,
        never below zero; old codes hand their balance to the new one on the day they are replaced."""
        rng = self._rng("movimentacoes")
        unidades = self.unidades
        cum, indices = list(accumulate(u.peso_demanda for u in unidades)), range(len(unidades))
        saldo = [0] * len(unidades)
        legados = {cod: 0 for u in unidades for cod, _ in u.legados}  # balance per old code
        trocas, faturas = {}, {}
        for u in unidades:
            codigos = [cod for cod, _ in u.legados] + [u.cod]
            for (velho, dia), novo in zip(u.legados, codigos[1:]):
                trocas.setdefault(dia, []).append((u, velho, novo))
        for lote in self.lotes:
            if lote.situacao != ATIVO:
                faturas.setdefault(lote.expedicao, []).append(lote)
        inicio = self.hoje - timedelta(days=DIAS_HISTORICO)
        for u in unidades:
            cod = u.legados[0][0] if u.legados else u.cod
            saldo[u.indice] = u.alvo
            if cod in legados:
                legados[cod] += u.alvo
            yield self._linha(rng, u, cod, inicio, "AJUSTE", u.alvo, 7 * 3600, obs="INVENTÁRIO INICIAL")
        for k in range(DIAS_HISTORICO + 1):
            dia = inicio + timedelta(days=k)
            for u, velho, novo in trocas.get(dia, ()):
                yield from self._transferir(rng, dia, u, velho, novo, legados)
            for i in rng.choices(indices, cum_weights=cum, k=self._movs_no_dia(dia)):
                yield self._movimento(rng, dia, unidades[i], saldo, legados)
            for lote in faturas.get(dia, ()):
                yield from self._faturar(rng, dia, lote, saldo)

    def _codigo(self, rng, u, dia) -> str:
        for cod, ate in u.legados:
            if dia < ate:
                return cod
        if u.paralelo and rng.random() < 0.3:
            return u.paralelo
        return u.cod

    def _movimento(self, rng, dia, u, saldo, legados) -> tuple:
        s, alvo = saldo[u.indice], u.alvo
        cod = self._codigo(rng, u, dia)
        segundos = 6 * 3600 + int(rng.random() * 15 * 3600)  # cheaper than randrange, 18M times at escala 100
        if rng.random() < 0.004:  # launched by mistake and cancelled: never counts
            tipo = rng.choice(("FATURAMENTO", "SAIDA", "PRODUCAO"))
            qtd = max(1, int(u.lote_tipico * rng.uniform(0.5, 2)))
            qtd = qtd if tipo == "PRODUCAO" else -qtd
            obs = "CANCELADO: LANÇAMENTO EM DUPLICIDADE"
            return self._linha(rng, u, cod, dia, tipo, qtd, segundos, ativo=False, obs=obs)
        teto = 2 * alvo - s
        p_entrada = 1.0 if s < 1 else 0.75 if s < alvo / 2 else 0.05 if s > 1.5 * alvo else 0.3
        x, obs, nf = rng.random(), "", ""
        if x < p_entrada and teto >= 1:
            tipo = "PRODUCAO" if x < p_entrada * 0.8 else "ENTRADA"
            qtd = min(teto, max(1, int(u.lote_tipico * rng.uniform(1.5, 3.5))))
            obs = rng.choice(OBS_ENTRADA) if tipo == "ENTRADA" else ""
        else:
            y = rng.random()
            tipo = "FATURAMENTO" if y < 0.78 else "SAIDA" if y < 0.9 else "AJUSTE"
            if tipo == "AJUSTE":
                qtd = max(1, int(u.lote_tipico * rng.uniform(0.01, 0.08)))
                qtd = qtd if rng.random() < 0.4 and qtd <= teto else -min(qtd, s)
                obs = "AJUSTE DE INVENTÁRIO"
            else:
                qtd = -min(s, max(1, int(u.lote_tipico * rng.lognormvariate(0, 0.5))))
                obs = rng.choice(OBS_SAIDA) if tipo == "SAIDA" else ""
                if tipo == "FATURAMENTO":
                    if rng.random() < 0.3:  # a few items per invoice
                        self.nf += 1
                    nf = str(self.nf)
        saldo[u.indice] = s + qtd
        if cod in legados:
            legados[cod] += qtd
        return self._linha(rng, u, cod, dia, tipo, qtd, segundos, obs=obs, nf=nf)

    def _transferir(self, rng, dia, u, velho, novo, legados):
        saldo = legados.pop(velho)
        if saldo:
            obs = f"TRANSFERÊNCIA DE SALDO PARA O CÓDIGO {novo} (UNIFICAÇÃO)"
            yield self._linha(rng, u, velho, dia, "AJUSTE", -saldo, 6 * 3600, obs=obs)
            obs = f"TRANSFERÊNCIA DE SALDO DO CÓDIGO {velho} (UNIFICAÇÃO)"
            yield self._linha(rng, u, novo, dia, "AJUSTE", saldo, 6 * 3600, obs=obs)
            if novo in legados:
                legados[novo] += saldo

    def _faturar(self, rng, dia, lote, saldo):
        """The invoice of a lote: its FATURAMENTO movements (production first where stock was short)."""
        self.nf += 1
        lote.numero_nf = str(self.nf)
        for cod, u, qtd in lote.itens:
            falta = qtd - saldo[u.indice]
            if falta > 0:
                yield self._linha(rng, u, u.cod, dia, "PRODUCAO", falta, 6 * 3600)
                saldo[u.indice] += falta
            saldo[u.indice] -= qtd
            yield self._linha(rng, u, cod, dia, "FATURAMENTO", -qtd, 17 * 3600, lote=lote.lote_id, nf=lote.numero_nf,
                              pedido=lote.num_pedido)

    def _linha(self, rng, u, cod, dia, tipo, qtd, segundos, ativo=True, obs="", lote="", nf="", pedido="") -> tuple:
        criado = self.instante(dia, segundos)
        if tipo == "FATURAMENTO" or tipo == "PRODUCAO":
            por = "integracao.odoo" if tipo == "FATURAMENTO" else "apontamento.pcp"
        else:
            por = USUARIOS[int(rng.random() * len(USUARIOS))]
        atualizado, atualizado_por = criado, por
        if not ativo:  # cancelled later by someone
            atualizado, atualizado_por = criado + timedelta(hours=rng.randint(1, 30)), rng.choice(USUARIOS)
        return (cod, u.nome, dia, tipo, LOCAIS[tipo], qtd, ativo, obs, lote, nf, pedido, criado, por, atualizado,
                atualizado_por)

    # ------------------------------------------------------------ production and embarques

    def programacao(self):
        """Four weeks of production (no Sundays); products steered to a stock-out get none before D+8."""
        rng = self._rng("programacao")
        ativos = [u for u in self.unidades if u.ativo]
        n_dia = _qtd(PROGRAMACOES_DIA, self.escala, 2)
        for k in range(DIAS_PROGRAMACAO):
            dia = self.hoje + timedelta(days=k)
            if dia.weekday() == 6:
                continue
            possiveis = [u for u in ativos if u.perfil != "ruptura" or k > 7]
            cum = list(accumulate(u.peso_demanda for u in possiveis))
            escolhidos = _amostra_ponderada(rng, possiveis, cum, n_dia // 2 if dia.weekday() == 5 else n_dia)
            for u in sorted(escolhidos, key=lambda u: (u.linha, u.cod)):
                cliente = f"MARCA PRÓPRIA {rng.choice(NOMES_CLIENTE)}" if rng.random() < 0.1 else ""
                obs = rng.choice(("", "", "", "", "PRIORIDADE: CARTEIRA EM ATRASO", "AGUARDANDO EMBALAGEM", "LOTE PILOTO"))
                yield (dia, u.cod, u.nome, u.palletizacao * rng.randint(1, 8), u.linha, cliente, obs)

    def embarques(self):
        """(embarque rows, item rows with the embarque numero in place of its id)."""
        rng = self._rng("embarques")
        chave = lambda lote: (lote.expedicao, lote.lote_id)  # noqa: E731
        ativos = [lote for lote in self.lotes if lote.situacao == ATIVO]
        grupos = (
            (sorted((lote for lote in ativos if lote.status == "COTADO"), key=chave), False),
            (sorted((lote for lote in ativos if lote.status == "EMBARCADO"), key=chave), False),
            (sorted((lote for lote in self.lotes if lote.situacao != ATIVO), key=chave), True),
        )
        abertos = sorted((lote for lote in ativos if lote.status == "ABERTO"), key=chave)
        embarques, itens, numero = [], [], 1000
        for lotes, faturado in grupos:
            inicio = 0
            while inicio < len(lotes):
                carga = lotes[inicio : inicio + rng.randint(2, 6)]
                inicio += len(carga)
                numero += 1
                previsto = carga[0].expedicao
                saiu = previsto if faturado or carga[0].status == "EMBARCADO" else None
                criado = self.instante(previsto - timedelta(days=rng.randint(1, 3)), rng.randrange(8 * 3600, 18 * 3600))
                embarques.append((numero, previsto, saiu, rng.choice(TRANSPORTADORAS), "ATIVO", criado))
                for lote in carga:
                    nota, erro = (lote.numero_nf, None if rng.random() < 0.5 else "") if faturado else ("", ERRO_NF_PENDENTE)
                    itens.append((numero, lote.lote_id, lote.num_pedido, lote.cliente, nota, "ATIVO", erro))
                if not faturado and abertos and rng.random() < 0.3:  # a lote taken off the truck
                    lote = abertos.pop(0)
                    itens.append((numero, lote.lote_id, lote.num_pedido, lote.cliente, "", "CANCELADO", ERRO_NF_PENDENTE))
        return embarques, itens

    # ------------------------------------------------------------ writing

    def escrever(self, escritor, conexao):
        self.preparar_produtos()
        escritor.inserir("cadastro de produtos", CadastroPalletizacao, COLUNAS_CADASTRO, self.cadastro(), self.n_produtos)
        escritor.inserir("unificação de códigos", UnificacaoCodigos, COLUNAS_UNIFICACAO, self.pares, len(self.pares))
        total, linhas = self.carteira()
        escritor.inserir("carteira de pedidos", CarteiraPrincipal, COLUNAS_CARTEIRA, linhas, total)
        self.perfis()
        escritor.inserir("movimentações de estoque", MovimentacaoEstoque, COLUNAS_MOVIMENTACAO, self.movimentacoes(),
                         self.total_movimentacoes())
        escritor.inserir("pré-separações", PreSeparacaoItem, COLUNAS_PRE_SEPARACAO, self.pre_separacoes,
                         len(self.pre_separacoes))
        escritor.inserir("separações", Separacao, COLUNAS_SEPARACAO, self.separacoes(),
                         sum(len(lote.itens) for lote in self.lotes))
        escritor.inserir("programação de produção", ProgramacaoProducao, COLUNAS_PROGRAMACAO, self.programacao(),
                         _qtd(PROGRAMACOES_DIA, self.escala, 2) * DIAS_PROGRAMACAO)
        embarques, itens = self.embarques()
        escritor.inserir("embarques", Embarque, COLUNAS_EMBARQUE, embarques, len(embarques))
        with conexao.cursor() as cursor:
            cursor.execute(f"SELECT numero, id FROM {Embarque._meta.db_table}")
            ids = dict(cursor.fetchall())
        escritor.inserir("itens de embarque", EmbarqueItem, COLUNAS_EMBARQUE_ITEM,
                         [(ids[numero], *resto) for numero, *resto in itens], len(itens))


# ---------------------------------------------------------------- database side


def tem_dados(using="default") -> list[str]:
    """The demo (and derived) tables that already hold rows (existence only: cheap on big tables)."""
    ocupadas = []
    with connections[using].cursor() as cursor:
        for model in FONTES + DERIVADAS:
            cursor.execute(f"SELECT 1 FROM {model._meta.db_table} LIMIT 1")
            if cursor.fetchone():
                ocupadas.append(model._meta.db_table)
    return sorted(ocupadas)


def limpar(using="default"):
    """Empty the demo tables and the derived tables (TRUNCATE on PostgreSQL, DELETE on SQLite)."""
    conexao = connections[using]
    tabelas = [model._meta.db_table for model in FONTES + DERIVADAS]
    with conexao.cursor() as cursor:
        if conexao.vendor == "postgresql":
            # Deferred FK checks queued earlier in this transaction would make TRUNCATE fail.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tabelas)} RESTART IDENTITY")
            return
        for tabela in tabelas:  # children (EmbarqueItem) before parents (Embarque)
            cursor.execute(f"DELETE FROM {tabela}")
        marcas = ", ".join(["%s"] * len(tabelas))
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
        if cursor.fetchone():
            cursor.execute(f"DELETE FROM sqlite_sequence WHERE name IN ({marcas})", tabelas)


# PostgreSQL type names for COPY (FORMAT BINARY), from the columns' Django db_type.
TIPOS_COPY = {"varchar": "varchar", "text": "text", "numeric": "numeric", "date": "date", "boolean": "bool",
              "timestamp with time zone": "timestamptz", "integer": "int4", "bigint": "int8", "smallint": "int2"}


class _Escritor:
    """Streams rows into a table: binary COPY on PostgreSQL, executemany in chunks on SQLite.
    Datetimes come aware (UTC); SQLite gets them naive in UTC, as Django stores them there."""

    LOTE = 10000

    def __init__(self, using, progresso, resumo):
        self.conexao = connections[using]
        self.progresso = progresso
        self.resumo = resumo

    def inserir(self, fase, model, colunas, linhas, total) -> int:
        _conferir_colunas(model, colunas)
        inicio, feitos = time.monotonic(), 0
        self.progresso(fase, 0, total)
        for feitos in self._gravar(model, colunas, linhas):
            self.progresso(fase, feitos, max(total, feitos))
        self.progresso(fase, feitos, feitos)
        self.resumo.linhas[model._meta.db_table] = self.resumo.linhas.get(model._meta.db_table, 0) + feitos
        self.resumo.tempos[fase] = time.monotonic() - inicio
        return feitos

    def _gravar(self, model, colunas, linhas):
        campos = {f.column: f for f in model._meta.concrete_fields}
        sql_colunas = f"{model._meta.db_table} ({', '.join(colunas)})"
        feitos = 0
        with self.conexao.cursor() as cursor:
            if self.conexao.vendor == "postgresql":
                tipos = [TIPOS_COPY[campos[c].db_type(self.conexao).split("(")[0].strip()] for c in colunas]
                with cursor.cursor.copy(f"COPY {sql_colunas} FROM STDIN (FORMAT BINARY)") as copia:
                    copia.set_types(tipos)
                    for linha in linhas:
                        copia.write_row(linha)
                        feitos += 1
                        if feitos % self.LOTE == 0:
                            yield feitos
            else:
                sql = f"INSERT INTO {sql_colunas} VALUES ({', '.join(['%s'] * len(colunas))})"
                instantes = [i for i, c in enumerate(colunas) if campos[c].get_internal_type() == "DateTimeField"]
                bloco = []
                for linha in linhas:
                    if instantes:
                        linha = list(linha)
                        for i in instantes:
                            linha[i] = linha[i] and linha[i].replace(tzinfo=None)
                    bloco.append(linha)
                    if len(bloco) == self.LOTE:
                        cursor.executemany(sql, bloco)
                        feitos += len(bloco)
                        bloco.clear()
                        yield feitos
                if bloco:
                    cursor.executemany(sql, bloco)
                    feitos += len(bloco)
        yield feitos


def _conferir_colunas(model, colunas):
    """Fail loudly when a model gained a required column this generator does not fill."""
    faltando = [
        f.column
        for f in model._meta.concrete_fields
        if not f.primary_key and not f.null and f.column not in colunas and not f.has_db_default()
    ]
    if faltando:
        raise RuntimeError(
            f"gerar_dados_demo desatualizado: {model.__name__} tem colunas obrigatórias não preenchidas: {faltando}"
        )


# ---------------------------------------------------------------- entry point


def gerar(escala=1.0, semente=SEMENTE_PADRAO, using="default", limpar_antes=False, progresso=None, hoje=None) -> Resumo:
    """Generate the demo data set, then rebuild the derived tables.

    Clearing and inserting are one transaction (a failure leaves nothing behind). The rebuild
    runs after the commit, in the engine's own locked batches, so PostgreSQL can VACUUM the
    fresh tables first (index-only scans for the rebuild's code walk: ~20x faster at escala 100).
    """
    if escala <= 0:
        raise ValueError("A escala deve ser maior que zero.")
    progresso = progresso or (lambda fase, feitos, total: None)
    conexao = connections[using]
    resumo = Resumo()
    demo = Demo(escala, semente, hoje or timezone.localdate())
    with transaction.atomic(using=using):
        if limpar_antes:
            _fase(resumo, progresso, "limpeza", [lambda: limpar(using)])
        else:
            ocupadas = tem_dados(using)
            if ocupadas:
                raise BancoComDados(
                    "O banco já tem dados nas tabelas de demonstração (" + ", ".join(ocupadas) + "). "
                    "Use --limpar para apagá-las e gerar os dados de demonstração do zero."
                )
        demo.escrever(_Escritor(using, progresso, resumo), conexao)
        inicio = time.monotonic()
        progresso("confirmação da transação (COMMIT)", 0, 1)
    progresso("confirmação da transação (COMMIT)", 1, 1)
    resumo.tempos["confirmação da transação (COMMIT)"] = time.monotonic() - inicio
    if conexao.vendor == "postgresql":
        # VACUUM cannot run inside a transaction (e.g. a test's): plain ANALYZE there.
        comando = "ANALYZE" if conexao.in_atomic_block else "VACUUM (ANALYZE)"
        passos = [_executar(conexao, f"{comando} {model._meta.db_table}") for model in FONTES]
        _fase(resumo, progresso, f"estatísticas ({comando})", passos)
    # Few big batches on PostgreSQL: each batch of calcular_esperado reads the movements once.
    lote = reconstrucao.LOTE
    if conexao.vendor == "postgresql":
        lote = min(20000, max(lote, -(-demo.n_produtos // 4)))  # 20000: far below the 65535 bind parameters
    fase, inicio = "reconstrução das tabelas derivadas", time.monotonic()
    progresso(fase, 0, 1)
    try:
        resumo.produtos_reconstruidos = reconstrucao.reconstruir(
            using=using, lote=lote, progresso=lambda feitos, total: progresso(fase, feitos, total)
        )
    except Exception as erro:
        raise RuntimeError(
            "Dados de demonstração gravados, mas a reconstrução das tabelas derivadas falhou: "
            "corrija a causa e rode manage.py estoque_rebuild."
        ) from erro
    resumo.tempos[fase] = time.monotonic() - inicio
    resumo.produtos_com_ruptura = EstoqueTempoReal.objects.using(using).filter(dia_ruptura__isnull=False).count()
    return resumo


def _executar(conexao, sql):
    def executar():
        with conexao.cursor() as cursor:
            cursor.execute(sql)

    return executar


def _fase(resumo, progresso, fase, passos):
    inicio = time.monotonic()
    progresso(fase, 0, len(passos))
    for feitos, passo in enumerate(passos, 1):
        passo()
        progresso(fase, feitos, len(passos))
    resumo.tempos[fase] = time.monotonic() - inicio
