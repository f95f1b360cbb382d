"""Concurrent writers on PostgreSQL: no lost update, no deadlock reaching the caller, zero
drift, and a writer killed mid-transaction leaves no trace."""

import multiprocessing
import os
import random
import signal
import threading
import traceback
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections, transaction
from django.utils import timezone

from carteira.models import PreSeparacaoItem, Separacao
from embarques.models import Embarque, EmbarqueItem
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque, ReparoEstoque, UnificacaoCodigos
from estoque.services import reconciliacao, transacao
from producao.models import ProgramacaoProducao
from tests.oracle import diferencas_com_derivados

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRODUTOS = ["C1", "C2", "C3", "C4", "C5"]
LOTES = ["LA", "LB"]
D = Decimal


def _varios_produtos_numa_transacao(rng, cod, hoje):
    # Several products in one transaction, touched in any order: it may be a deadlock
    # victim, and is then retried whole by the unit of work.
    pre = PreSeparacaoItem.objects.create(
        num_pedido="P", cod_produto=cod, qtd_selecionada_usuario=D(rng.randint(1, 9)), data_expedicao_editada=hoje
    )
    mov = MovimentacaoEstoque.objects.filter(cod_produto=rng.choice(PRODUTOS)).order_by("?").first()
    if mov:
        mov.qtd_movimentacao += 1
        mov.save()
    ProgramacaoProducao.objects.create(cod_produto=rng.choice(PRODUTOS), qtd_programada=D(5), data_programacao=hoje)
    pre.status = rng.choice(["CRIADO", "ENVIADO_SEPARACAO"])
    pre.save()


def _operacao(rng: random.Random):
    hoje = timezone.localdate()
    cod = rng.choice(PRODUTOS)
    escolha = rng.randrange(10)
    if escolha <= 2:
        MovimentacaoEstoque.objects.create(
            cod_produto=cod, qtd_movimentacao=D(rng.randint(1, 50)), tipo_movimentacao="ENTRADA", data_movimentacao=hoje
        )
    elif escolha == 3:
        mov = MovimentacaoEstoque.objects.filter(cod_produto=cod).order_by("?").first()
        if mov:
            mov.ativo = not mov.ativo
            mov.qtd_movimentacao = D(rng.randint(1, 50))
            mov.save()
    elif escolha == 4:
        Separacao.objects.create(
            separacao_lote_id=rng.choice(LOTES),
            num_pedido="P",
            cod_produto=cod,
            qtd_saldo=D(rng.randint(1, 9)),
            expedicao=hoje + timedelta(days=rng.randint(0, 9)),
        )
    elif escolha == 5:
        Separacao.objects.filter(cod_produto=cod).update(expedicao=hoje + timedelta(days=rng.randint(0, 9)))
    elif escolha == 6:
        transacao.executar(_varios_produtos_numa_transacao, rng, cod, hoje)
    elif escolha == 7:
        item = EmbarqueItem.objects.order_by("?").first()
        if item:
            item.erro_validacao = rng.choice([None, "NF_PENDENTE_FATURAMENTO"])
            item.save()
    elif escolha == 8:
        par = UnificacaoCodigos.objects.order_by("?").first()
        if par:
            par.ativo = not par.ativo
            par.save()
    else:
        MovimentacaoEstoque.objects.filter(cod_produto=cod, ativo=False).delete()


def _escritor(semente, operacoes, fila):
    try:
        rng = random.Random(semente)
        for _ in range(operacoes):
            _operacao(rng)
        fila.put((semente, None))
    except Exception:
        fila.put((semente, traceback.format_exc()))
    finally:
        connections.close_all()


def _reconciliador(rodadas, fila):
    try:
        for _ in range(rodadas):
            reconciliacao.reconciliar(origem="AGENDAMENTO")
        fila.put(("reconciliador", None))
    except Exception:
        fila.put(("reconciliador", traceback.format_exc()))
    finally:
        connections.close_all()


def _preparar():
    for cod in PRODUTOS:
        MovimentacaoEstoque.objects.create(
            cod_produto=cod,
            qtd_movimentacao=D(100),
            tipo_movimentacao="ENTRADA",
            data_movimentacao=timezone.localdate(),
        )
    UnificacaoCodigos.objects.create(codigo_origem="C5", codigo_destino="C4")
    embarque = Embarque.objects.create(numero=1)
    for lote in LOTES:
        EmbarqueItem.objects.create(embarque=embarque, separacao_lote_id=lote)


def test_escritores_concorrentes_e_reconciliacao_sem_deriva_nem_deadlock():
    _preparar()
    connections.close_all()  # children must not share the parent's socket
    contexto = multiprocessing.get_context("fork")
    fila = contexto.Queue()
    processos = [contexto.Process(target=_escritor, args=(semente, 60, fila)) for semente in range(4)]
    processos.append(contexto.Process(target=_reconciliador, args=(15, fila)))
    for processo in processos:
        processo.start()
    resultados = [fila.get(timeout=300) for _ in processos]
    for processo in processos:
        processo.join(timeout=60)
    erros = [erro for _, erro in resultados if erro]
    assert erros == [], "\n".join(erros)
    assert diferencas_com_derivados() == []
    # The concurrent sweep must never have mistaken an in-flight change for drift.
    assert ReparoEstoque.objects.count() == 0
    assert MovimentacaoEstoque.objects.count() >= len(PRODUTOS)


def _escritor_que_morre(pronto):
    with transaction.atomic():
        MovimentacaoEstoque.objects.create(
            cod_produto="K1",
            qtd_movimentacao=D(500),
            tipo_movimentacao="ENTRADA",
            data_movimentacao=timezone.localdate(),
        )
        Separacao.objects.create(
            separacao_lote_id="LK", num_pedido="P", cod_produto="K1", qtd_saldo=D(7), expedicao=timezone.localdate()
        )
        pronto.set()
        signal.pause()  # killed here, inside the transaction


def test_escritor_morto_no_meio_da_transacao_nao_deixa_rastro():
    MovimentacaoEstoque.objects.create(
        cod_produto="K1", qtd_movimentacao=D(10), tipo_movimentacao="ENTRADA", data_movimentacao=timezone.localdate()
    )
    connections.close_all()
    contexto = multiprocessing.get_context("fork")
    pronto = contexto.Event()
    processo = contexto.Process(target=_escritor_que_morre, args=(pronto,))
    processo.start()
    assert pronto.wait(timeout=60)
    os.kill(processo.pid, signal.SIGKILL)
    processo.join(timeout=30)
    # Its locks die with its session: the next writer of the same product goes through.
    MovimentacaoEstoque.objects.create(
        cod_produto="K1", qtd_movimentacao=D(1), tipo_movimentacao="ENTRADA", data_movimentacao=timezone.localdate()
    )
    assert EstoqueTempoReal.objects.get(cod_produto="K1").saldo_atual == 11
    assert not Separacao.objects.exists()
    assert diferencas_com_derivados() == []


def _com_insercao_apos_a_trava(monkeypatch, cod):
    """Between the bulk write's locked read and its statement, another session commits a new
    row that matches the same filter (the race a READ COMMITTED UPDATE/DELETE would catch)."""
    from estoque.services import derivacao

    original = derivacao.estados_travados

    def inserir():
        try:
            MovimentacaoEstoque.objects.create(
                cod_produto=cod,
                qtd_movimentacao=D(3),
                tipo_movimentacao="ENTRADA",
                data_movimentacao=timezone.localdate(),
            )
        finally:
            connections.close_all()

    def travar_e_deixar_inserir(*args, **kwargs):
        antigos = original(*args, **kwargs)
        outra = threading.Thread(target=inserir)
        outra.start()
        outra.join(timeout=60)
        return antigos

    monkeypatch.setattr(derivacao, "estados_travados", travar_e_deixar_inserir)


@pytest.mark.parametrize("operacao", ["update", "delete"])
def test_escrita_em_massa_so_toca_as_linhas_que_travou(monkeypatch, operacao):
    MovimentacaoEstoque.objects.create(
        cod_produto="M1", qtd_movimentacao=D(10), tipo_movimentacao="ENTRADA", data_movimentacao=timezone.localdate()
    )
    _com_insercao_apos_a_trava(monkeypatch, "M1")
    filtro = MovimentacaoEstoque.objects.filter(cod_produto="M1")
    tocadas = filtro.update(qtd_movimentacao=D(7)) if operacao == "update" else filtro.delete()[0]
    monkeypatch.undo()
    assert tocadas == 1  # the row committed meanwhile is not part of this write
    quantidades = sorted(
        MovimentacaoEstoque.objects.filter(cod_produto="M1").values_list("qtd_movimentacao", flat=True)
    )
    assert quantidades == ([D(3), D(7)] if operacao == "update" else [D(3)])
    assert EstoqueTempoReal.objects.get(cod_produto="M1").saldo_atual == sum(quantidades)
    assert diferencas_com_derivados() == []
