"""The generator's state, shared by the geracao_* modules (one per owner of the tables).

Pure Python, no database: every row follows from (escala, semente, hoje). The phases run in
the order demo.gerador.escrever gives, and later phases read what earlier ones left here
(the products, the lotes, each product's D+7 outflow, the last NF number).
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from demo.vocabulario import MOVIMENTACOES_DIA, PARES_UNIFICACAO, PRODUTOS, TIPOS_PAR

UTC = UTC


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


def escalado(base, escala, minimo=1) -> int:
    return max(minimo, int(round(base * escala)))


def amostra_ponderada(rng, itens, cum_pesos, n) -> list:
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
        self.n_pares = escalado(PARES_UNIFICACAO, escala, 3)
        if self.n_pares % len(TIPOS_PAR) == 1:  # never end on half a chain
            self.n_pares += 1
        self.n_produtos = max(escalado(PRODUTOS, escala, 20), 3 * self.n_pares)
        self.movs_dia = escalado(MOVIMENTACOES_DIA, escala, 5)
        self.unidades: list[Produto] = []  # stock units: one per product, its alias codes inside
        self.aliases: list[Produto] = []  # cadastro rows of the alias codes
        self.pares: list[tuple] = []
        self.lotes: list[Lote] = []
        self.pre_separacoes: list[tuple] = []
        self.lotes_por_tipo = {True: 0, False: 0}  # invoiced?
        self.nf = 100000  # last NF number issued (movements and invoiced lotes share the sequence)

    def rng(self, fase):
        return random.Random(f"{self.semente}:{fase}")

    def instante(self, dia, segundos) -> datetime:
        """A São Paulo time of day, as an aware UTC datetime."""
        base = self._meia_noite.get(dia)
        if base is None:
            base = datetime(dia.year, dia.month, dia.day, tzinfo=self.fuso).astimezone(UTC)
            self._meia_noite[dia] = base
        return base + timedelta(seconds=segundos)

    def dia(self, rng, de, ate) -> date:
        """A day between hoje + de and hoje + ate."""
        return self.hoje + timedelta(days=rng.randint(de, ate))
