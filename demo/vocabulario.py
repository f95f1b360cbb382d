"""The demo's vocabulary: volumes at escala 1, pt-BR names of fictional firms and products,
and the fixed cycles that make every kind of row show up even at small escalas."""

from decimal import Decimal

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

# Situação of a generated lote (ATIVO: still to ship; SINC_PENDENTE: invoiced, separação not yet synced).
ATIVO, FATURADO, NF_NO_CD, SINC_PENDENTE = "ativo", "faturado", "nf_no_cd", "sinc_pendente"

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
    "conserva": (
        ("200G", "0.380", 1440, "LINHA 1 - VIDROS"),
        ("500G", "0.850", 960, "LINHA 1 - VIDROS"),
        ("POUCH 150G", "0.200", 1800, "LINHA 4 - POUCH"),
        ("BD 2KG", "2.250", 360, "LINHA 2 - BALDES"),
        ("BD 3,6KG", "3.950", 216, "LINHA 2 - BALDES"),
        ("BAG 10KG", "10.400", 96, "LINHA 2 - BALDES"),
    ),
    "lata": (("LT 200G", "0.260", 1800, "LINHA 5 - LATAS"), ("LT 1,7KG", "1.950", 420, "LINHA 5 - LATAS")),
    "molho": (
        ("SACHÊ 340G", "0.355", 1600, "LINHA 4 - POUCH"),
        ("LT 340G", "0.410", 1500, "LINHA 5 - LATAS"),
        ("VD 500G", "0.860", 960, "LINHA 1 - VIDROS"),
        ("BD 3,1KG", "3.400", 216, "LINHA 2 - BALDES"),
        ("GALÃO 20KG", "20.000", 80, "LINHA 2 - BALDES"),
    ),
    "bisnaga": (
        ("BISNAGA 200G", "0.230", 1920, "LINHA 6 - BISNAGAS"),
        ("BISNAGA 1,01KG", "1.080", 700, "LINHA 6 - BISNAGAS"),
        ("SACHÊ 7G CX 168", "1.300", 560, "LINHA 3 - SACHÊS"),
        ("BD 3,3KG", "3.550", 216, "LINHA 2 - BALDES"),
    ),
    "vinagre": (
        ("PET 150ML", "0.200", 2000, "LINHA 7 - ENVASE"),
        ("PET 750ML", "0.800", 1080, "LINHA 7 - ENVASE"),
        ("GALÃO 5L", "5.250", 128, "LINHA 7 - ENVASE"),
    ),
    "oleo": (
        ("VD 250ML", "0.520", 1400, "LINHA 7 - ENVASE"),
        ("VD 500ML", "0.980", 900, "LINHA 7 - ENVASE"),
        ("PET 900ML", "0.950", 800, "LINHA 7 - ENVASE"),
        ("GALÃO 5L", "4.700", 140, "LINHA 7 - ENVASE"),
    ),
    "doce": (
        ("VD 320G", "0.480", 1300, "LINHA 1 - VIDROS"),
        ("BARRA 300G", "0.310", 2000, "LINHA 8 - DOCES"),
        ("POTE 400G", "0.450", 1500, "LINHA 8 - DOCES"),
        ("BD 4,8KG", "5.100", 160, "LINHA 8 - DOCES"),
    ),
}
MARCAS = ("CAMPO BELO", "SERRA VERDE", "BOM SABOR", "VALE DOURADO", "DONA ROSA", "QUINTA NOVA")  # first = house brand
# (município, UF, CEP prefix, DDD, weight)
CIDADES = (
    ("SÃO PAULO", "SP", 1, 11, 14),
    ("CAMPINAS", "SP", 13, 19, 4),
    ("SANTOS", "SP", 11, 13, 2),
    ("RIBEIRÃO PRETO", "SP", 14, 16, 2),
    ("SOROCABA", "SP", 18, 15, 2),
    ("SÃO JOSÉ DOS CAMPOS", "SP", 12, 12, 2),
    ("GUARULHOS", "SP", 7, 11, 3),
    ("OSASCO", "SP", 6, 11, 2),
    ("SANTO ANDRÉ", "SP", 9, 11, 2),
    ("BAURU", "SP", 17, 14, 1),
    ("RIO DE JANEIRO", "RJ", 20, 21, 6),
    ("NITERÓI", "RJ", 24, 21, 1),
    ("BELO HORIZONTE", "MG", 30, 31, 4),
    ("UBERLÂNDIA", "MG", 38, 34, 1),
    ("JUIZ DE FORA", "MG", 36, 32, 1),
    ("CURITIBA", "PR", 80, 41, 3),
    ("LONDRINA", "PR", 86, 43, 1),
    ("MARINGÁ", "PR", 87, 44, 1),
    ("PORTO ALEGRE", "RS", 90, 51, 3),
    ("CAXIAS DO SUL", "RS", 95, 54, 1),
    ("FLORIANÓPOLIS", "SC", 88, 48, 1),
    ("JOINVILLE", "SC", 89, 47, 1),
    ("GOIÂNIA", "GO", 74, 62, 2),
    ("BRASÍLIA", "DF", 70, 61, 2),
    ("CAMPO GRANDE", "MS", 79, 67, 1),
    ("CUIABÁ", "MT", 78, 65, 1),
    ("SALVADOR", "BA", 40, 71, 2),
    ("FEIRA DE SANTANA", "BA", 44, 75, 1),
    ("RECIFE", "PE", 50, 81, 2),
    ("FORTALEZA", "CE", 60, 85, 2),
    ("NATAL", "RN", 59, 84, 1),
    ("JOÃO PESSOA", "PB", 58, 83, 1),
    ("MACEIÓ", "AL", 57, 82, 1),
    ("BELÉM", "PA", 66, 91, 1),
    ("MANAUS", "AM", 69, 92, 1),
    ("VITÓRIA", "ES", 29, 27, 1),
)
TIPOS_CLIENTE = (
    ("SUPERMERCADO", "SUPERM."),
    ("SUPERMERCADOS", "SUPERM."),
    ("ATACADISTA", "ATAC."),
    ("DISTRIBUIDORA DE ALIMENTOS", "DISTRIB."),
    ("COMERCIAL", "COML."),
    ("MERCEARIA", "MERC."),
    ("EMPÓRIO", "EMP."),
    ("RESTAURANTE", "REST."),
    ("PIZZARIA", "PIZZ."),
    ("COOPERATIVA", "COOP."),
)
NOMES_CLIENTE = (
    "SÃO JORGE",
    "BOA VISTA",
    "PAULISTA",
    "DO VALE",
    "SANTA LUZIA",
    "NOVA ERA",
    "DOIS IRMÃOS",
    "BELA VISTA",
    "PORTO SEGURO",
    "ESTRELA",
    "SÃO FRANCISCO",
    "CONFIANÇA",
    "ROSSI",
    "BIANCHI",
    "OLIVEIRA",
    "FERREIRA",
    "ALMEIDA",
    "COSTA",
    "MARTINS",
    "IRMÃOS ROCHA",
    "PRIMAVERA",
    "AURORA",
    "CENTRAL",
    "UNIÃO",
    "BOM PREÇO",
    "DA FAMÍLIA",
    "MODELO",
    "IDEAL",
    "PIONEIRO",
    "TRIÂNGULO",
)
SUFIXOS = ("LTDA", "LTDA", "LTDA", "EIRELI", "S.A.", "LTDA - EPP", "LTDA - ME")
BAIRROS = (
    "CENTRO",
    "JARDIM AMÉRICA",
    "VILA NOVA",
    "DISTRITO INDUSTRIAL",
    "SANTA CECÍLIA",
    "BOA VISTA",
    "SÃO JOSÉ",
    "JARDIM PAULISTA",
    "VILA MARIANA",
    "PARQUE INDUSTRIAL",
    "CIDADE NOVA",
    "BARRA FUNDA",
)
RUAS = (
    "RUA DAS INDÚSTRIAS",
    "AVENIDA BRASIL",
    "RUA TIRADENTES",
    "AVENIDA DOM PEDRO II",
    "RUA SANTOS DUMONT",
    "AVENIDA GETÚLIO VARGAS",
    "RODOVIA DOS BANDEIRANTES",
    "RUA XV DE NOVEMBRO",
    "RUA SETE DE SETEMBRO",
    "AVENIDA MARECHAL DEODORO",
    "RUA DAS PALMEIRAS",
    "AVENIDA DAS NAÇÕES",
)
# (vendedor, equipe de vendas)
VENDEDORES = (
    ("CARLOS EDUARDO SILVA", "VENDA EXTERNA SP CAPITAL"),
    ("MARIANA OLIVEIRA", "VENDA EXTERNA SP CAPITAL"),
    ("RAFAEL SOUZA", "VENDA EXTERNA INTERIOR"),
    ("PATRÍCIA LIMA", "VENDA EXTERNA INTERIOR"),
    ("ANDERSON COSTA", "KEY ACCOUNT - REDES"),
    ("JULIANA FERREIRA", "KEY ACCOUNT - REDES"),
    ("RODRIGO ALMEIDA", "FOOD SERVICE"),
    ("FERNANDA RIBEIRO", "FOOD SERVICE"),
    ("MARCOS PEREIRA", "DISTRIBUIDORES N/NE"),
    ("LUCIANA MARTINS", "VENDA INTERNA"),
)
USUARIOS = ("ana.paula", "bruno.santos", "carla.mendes", "diego.araujo", "elaine.rocha", "felipe.nunes")
TRANSPORTADORAS = (
    "TRANSPORTES RODOBELO LTDA",
    "RODOVIÁRIO SERRA AZUL LTDA",
    "TRANSPORTADORA BOA ESTRADA LTDA",
    "LOGÍSTICA TRÊS RIOS LTDA",
    "TRANSLOG CAMPINAS EIRELI",
    "EXPRESSO CANTAREIRA LTDA",
)
OBS_PEDIDO = (
    "",
    "",
    "",
    "",
    "ENTREGAR SOMENTE COM AGENDAMENTO",
    "PALETIZADO - PALLET PBR",
    "RECEBIMENTO DAS 7H ÀS 15H",
    "NÃO ACEITA VALIDADE INFERIOR A 70%",
)
# Block of 20 unification pairs, repeated per escala; a "cadeia" takes two pairs (A->B->C).
TIPOS_PAR = (
    "cadeia",
    "cadeia",
    "paralelo_txt",
    "legado",
    "inativo",
    "paralelo_num",
    "legado",
    "paralelo_txt",
    "legado",
    "paralelo_num",
    "paralelo_txt",
    "legado",
    "legado",
    "paralelo_txt",
    "paralelo_num",
    "legado",
    "paralelo_txt",
    "legado",
    "paralelo_num",
    "legado",
)
SUFIXOS_CODIGO = ("CX", "FS", "EXP", "B")
# Status of active lotes and kind of invoiced lotes in fixed cycles: every kind shows up even
# at small escalas (55 % ABERTO, 30 % COTADO, 15 % EMBARCADO; 80 % FATURADO, 10 % each other).
CICLO_STATUS = (
    "ABERTO",
    "COTADO",
    "EMBARCADO",
    "ABERTO",
    "ABERTO",
    "COTADO",
    "ABERTO",
    "ABERTO",
    "COTADO",
    "ABERTO",
    "EMBARCADO",
    "ABERTO",
    "COTADO",
    "ABERTO",
    "ABERTO",
    "COTADO",
    "ABERTO",
    "EMBARCADO",
    "COTADO",
    "ABERTO",
)
CICLO_FATURADOS = (
    "faturado",
    "sinc_pendente",
    "faturado",
    "faturado",
    "nf_no_cd",
    "faturado",
    "faturado",
    "faturado",
    "faturado",
    "faturado",
)
FATOR_DIA_SEMANA = (1.15, 1.15, 1.15, 1.15, 1.15, 0.5, 0.1)  # movements by weekday (Mon..Sun)

LOCAIS = {
    "ENTRADA": "RECEBIMENTO",
    "PRODUCAO": "FÁBRICA",
    "SAIDA": "CD",
    "FATURAMENTO": "CD - EXPEDIÇÃO",
    "AJUSTE": "CD",
}
OBS_ENTRADA = ("DEVOLUÇÃO DE CLIENTE", "COMPRA DE TERCEIRO", "TRANSFERÊNCIA ENTRE FILIAIS")
OBS_SAIDA = ("AVARIA", "AMOSTRA COMERCIAL", "TRANSFERÊNCIA ENTRE FILIAIS", "DESCARTE - VALIDADE VENCIDA")
CENTAVO, GRAMA = Decimal("0.01"), Decimal("0.001")
