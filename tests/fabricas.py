"""Small factories for source rows (plain functions: the tests read like the users' words)."""

import json
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, Separacao
from embarques.models import Embarque, EmbarqueItem
from estoque.models import CadastroPalletizacao, MovimentacaoEstoque, UnificacaoCodigos
from producao.models import ProgramacaoProducao


def hoje():
    return timezone.localdate()


def dia(k):
    return hoje() + timedelta(days=k)


def produto(cod, nome=None, palletizacao="100", peso_bruto="1.5"):
    return CadastroPalletizacao.objects.create(
        cod_produto=cod,
        nome_produto=nome or f"PRODUTO {cod}",
        palletizacao=Decimal(palletizacao),
        peso_bruto=Decimal(peso_bruto),
    )


def movimento(cod, qtd, tipo=None, data=None, ativo=True, **extra):
    qtd = Decimal(str(qtd))
    tipo = tipo or ("ENTRADA" if qtd > 0 else "SAIDA")
    return MovimentacaoEstoque.objects.create(
        cod_produto=cod,
        qtd_movimentacao=qtd,
        tipo_movimentacao=tipo,
        data_movimentacao=data or hoje(),
        ativo=ativo,
        **extra,
    )


def producao(cod, qtd, k=1):
    return ProgramacaoProducao.objects.create(
        cod_produto=cod, qtd_programada=Decimal(str(qtd)), data_programacao=dia(k)
    )


def pre_separacao(cod, qtd, k=1, pedido="PED1", status="CRIADO", lote=""):
    return PreSeparacaoItem.objects.create(
        num_pedido=pedido,
        separacao_lote_id=lote,
        cod_produto=cod,
        qtd_selecionada_usuario=Decimal(str(qtd)),
        data_expedicao_editada=dia(k),
        status=status,
    )


def separacao(cod, qtd, k=1, lote="LOTE1", pedido="PED1", status="ABERTO", expedicao=True, **extra):
    return Separacao.objects.create(
        separacao_lote_id=lote,
        num_pedido=pedido,
        cod_produto=cod,
        qtd_saldo=Decimal(str(qtd)),
        expedicao=dia(k) if expedicao else None,
        status=status,
        **extra,
    )


def unificar(origem, destino, ativo=True):
    return UnificacaoCodigos.objects.create(codigo_origem=origem, codigo_destino=destino, ativo=ativo)


def embarque_item(lote, numero=None, erro="NF_PENDENTE_FATURAMENTO", pedido="PED1"):
    numero = numero or (Embarque.objects.count() + 1)
    embarque, _ = Embarque.objects.get_or_create(numero=numero)
    return EmbarqueItem.objects.create(
        embarque=embarque, separacao_lote_id=lote, num_pedido=pedido, erro_validacao=erro
    )


def linha_carteira(pedido, cod, qtd, preco="10.00", **extra):
    return CarteiraPrincipal.objects.create(
        num_pedido=pedido,
        cod_produto=cod,
        qtd_produto_pedido=Decimal(str(qtd)),
        qtd_saldo_produto_pedido=Decimal(str(qtd)),
        preco_produto_pedido=Decimal(preco),
        **extra,
    )


def corpo(resposta):
    """A JSON response body with numbers as Decimal (compared exactly with the oracle)."""
    return json.loads(resposta.content, parse_float=Decimal)


def batimento_cluster(idade=timedelta(0), status=None, workers=2):
    """A django-q2 cluster's heartbeat (django_q.status.Stat), saved as a running cluster saves
    it, `idade` old. The tests keep heartbeats in their own per-test cache (tests/conftest.py)."""
    import uuid

    from django_q.brokers import get_broker
    from django_q.conf import Conf
    from django_q.signing import SignedPackage
    from django_q.status import Stat, Status

    estado = Status(pid=4242, cluster_id=uuid.uuid4())
    estado.status = status if status is not None else Conf.IDLE
    estado.workers = list(range(workers))
    estado.tob = timezone.now() - timedelta(hours=1)
    estado.timestamp = timezone.now() - idade
    get_broker().set_stat(Stat.get_key(estado.cluster_id), SignedPackage.dumps(estado, True), 600)
    return estado


def reconciliacao_agendada(idade=timedelta(0), **campos):
    """A finished scheduled reconciliation run, `idade` old."""
    from estoque.models import ReconciliacaoExecucao

    execucao = ReconciliacaoExecucao.objects.create(origem=ReconciliacaoExecucao.Origem.AGENDAMENTO, **campos)
    momento = timezone.now() - idade
    ReconciliacaoExecucao.objects.filter(pk=execucao.pk).update(iniciado_em=momento, finalizado_em=momento)
    execucao.refresh_from_db()
    return execucao
