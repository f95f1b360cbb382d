"""The set-based movements import (operacoes.criar_movimentacoes, MovimentacoesImportador.aplicar):
the same rows, stock and history as the former per-row apply; a refused row names its spreadsheet
line and writes nothing; derived tables and history equal the oracle afterwards."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from core.autoria import Origem
from core.importacoes import importador, servico
from core.models import Importacao
from estoque.models import EstoqueTempoReal, MovimentacaoEstoque, MovimentacaoPrevista
from estoque.services import massa, operacoes
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
CAMPOS = (
    "cod_produto",
    "nome_produto",
    "data_movimentacao",
    "tipo_movimentacao",
    "qtd_movimentacao",
    "local_movimentacao",
    "observacao",
    "numero_nf",
    "num_pedido",
    "separacao_lote_id",
    "ativo",
    "criado_por",
    "atualizado_por",
    "importacao_id",
)


class Desfazer(Exception):
    pass


@pytest.fixture
def produtos(django_user_model):
    django_user_model.objects.create_user("ana")
    f.produto("4510156", "PEPINO 300G")
    f.produto("P2", "AZEITONA")
    f.produto("P3", "PALMITO")
    f.unificar("A3", "P3")  # an alias code: known, without a catalog name of its own


def planilha() -> str:
    hoje, amanha, depois = (f"{f.dia(k):%d/%m/%Y}" for k in (0, 1, 3))
    linhas = [
        f"4510156;{hoje};Entrada;1.234,500;recebimento;;",
        f"4510156;{amanha};saída;-34,5;;PED1;",
        f"P2;{hoje};ENTRADA;2.000;;;",
        f"A3;{depois};PRODUCAO;10;;;",
        f"P3;{hoje};AJUSTE;-3,25;inventário;;",
        f"P2;{amanha};FATURAMENTO;-7;;PED2;123",
        f"P3;{depois};SAIDA;-1;;;",
    ]
    return "Código do produto;Data;Tipo;Quantidade;Observação;Pedido;Número NF\n" + "\n".join(linhas) + "\n"


def previa(texto: str) -> Importacao:
    imp = servico.receber(SimpleUploadedFile("mov.csv", texto.encode()), "movimentacoes", "ana")
    assert imp.status == Importacao.Status.PREVIA, imp.erros
    return imp


def retrato() -> dict:
    """What an apply leaves: rows, stock, forecast and history (no ids or clocks: they differ per run)."""
    ordenar = lambda valores: sorted(valores, key=repr)  # noqa: E731
    return {
        "linhas": ordenar(MovimentacaoEstoque.objects.values_list(*CAMPOS)),
        "estoque": ordenar(EstoqueTempoReal.objects.values_list("cod_produto", "saldo_atual", "menor_estoque_d7")),
        "previstas": ordenar(
            MovimentacaoPrevista.objects.values_list(
                "cod_produto", "data_prevista", "entrada_prevista", "saida_prevista"
            )
        ),
        "historico": ordenar(
            MovimentacaoEstoque.history.values_list(
                *CAMPOS, "history_type", "history_user__username", "history_origem", "history_autor"
            )
        ),
    }


def aplicar_como_importacao(imp: Importacao, metodo: str, avancar=lambda feitas, total: None) -> str:
    linhas, erros, _, _ = servico.ler(imp)
    assert not erros
    tipo = importador("movimentacoes")
    with servico._como_importacao(imp, "ana"):
        return getattr(tipo, metodo)(linhas, imp, "ana", avancar)


@pytest.mark.parametrize("insercao", ["django", "unnest"])
def test_em_massa_grava_o_mesmo_que_linha_a_linha(produtos, monkeypatch, insercao):
    # "unnest": every batch through estoque.services.massa.inserir (PostgreSQL; SQLite keeps Django's).
    monkeypatch.setattr(massa, "MINIMO_INSERCAO", 1 if insercao == "unnest" else 10**9)
    inserir, pelo_unnest = massa.inserir, []

    def espiar(model, objs, *args):
        linhas = inserir(model, objs, *args)
        if linhas is not None and model is MovimentacaoEstoque:
            pelo_unnest.append(len(objs))
        return linhas

    monkeypatch.setattr(massa, "inserir", espiar)
    imp = previa(planilha())
    try:
        with transaction.atomic():
            aplicar_como_importacao(imp, "aplicar_por_linha")
            por_linha = retrato()
            raise Desfazer
    except Desfazer:
        pass
    assert MovimentacaoEstoque.objects.count() == 0
    progresso = []
    resumo = aplicar_como_importacao(imp, "aplicar", lambda feitas, total: progresso.append((feitas, total)))
    assert resumo == "7 movimentação(ões) criada(s)."
    assert progresso == [(7, 7)]
    em_massa = retrato()
    assert em_massa == por_linha
    assert len(em_massa["linhas"]) == 7 and len(em_massa["historico"]) == 7
    # (the per-row apply above went through it too, one row per insert, when MINIMO_INSERCAO is 1)
    assert [n for n in pelo_unnest if n > 1] == (
        [7] if insercao == "unnest" and connection.vendor == "postgresql" else []
    )
    agora = timezone.now()
    for criado, atualizado in MovimentacaoEstoque.objects.values_list("criado_em", "atualizado_em"):
        assert agora - timedelta(minutes=5) < criado <= atualizado <= agora
    assert {h[-4:] for h in em_massa["historico"]} == {("+", "ana", Origem.IMPORTACAO, f"ana (importação nº {imp.pk})")}
    assert {linha[1] for linha in em_massa["linhas"] if linha[0] == "A3"} == {""}  # as criar_movimentacao: no name
    assert diferencas_com_derivados() == []


def test_pelo_servico_de_importacao_em_lotes_com_progresso(produtos, monkeypatch):
    monkeypatch.setattr(operacoes, "LOTE_CRIACAO", 3)
    marcas = []
    monkeypatch.setattr(servico.progresso, "marcar", lambda _pk, _fase, feitas, total: marcas.append((feitas, total)))
    imp = previa(planilha())
    servico.aplicar(imp.pk, "ana")
    assert marcas == [(3, 7), (6, 7), (7, 7)]
    assert MovimentacaoEstoque.objects.filter(importacao=imp).count() == 7
    assert EstoqueTempoReal.objects.get(cod_produto="4510156").saldo_atual == Decimal("1200")
    assert diferencas_com_derivados() == []
    servico.desfazer(imp.pk, "ana")
    assert not MovimentacaoEstoque.objects.filter(ativo=True).exists()
    assert diferencas_com_derivados() == []


def test_linha_recusada_no_meio_nomeia_a_linha_e_nada_e_gravado(produtos, monkeypatch):
    """As the per-row apply (tests/core/test_importacoes.py): a rule refusing the third row at
    write time -> "linha 4" (header + 3), everything rolled back."""
    original, vistas = operacoes._validar, []

    def recusar_a_terceira(mov, conhecidos=None):
        vistas.append(mov.cod_produto)
        if len(vistas) == 3:
            raise ValidationError({"qtd_movimentacao": "recusada"})
        return original(mov, conhecidos)

    imp = previa(planilha())
    monkeypatch.setattr(operacoes, "_validar", recusar_a_terceira)
    with pytest.raises(servico.ErroImportacao, match="linha 4: recusada"):
        servico.aplicar(imp.pk, "ana")
    assert MovimentacaoEstoque.objects.count() == 0 and MovimentacaoEstoque.history.count() == 0
    assert not EstoqueTempoReal.objects.exclude(saldo_atual=0).exists()
    assert diferencas_com_derivados() == []


@pytest.mark.parametrize(
    ("ruim", "campo", "mensagem"),
    [
        ({"qtd_movimentacao": Decimal("5"), "tipo_movimentacao": "SAIDA"}, "qtd_movimentacao", "negativa"),
        ({"cod_produto": "NAO-EXISTE"}, "cod_produto", "não encontrado"),
        ({"ativo": False}, "ativo", "Campo não editável."),
        ({"qtd_movimentacao": Decimal("0")}, "qtd_movimentacao", "zero"),
    ],
)
def test_servico_recusa_a_primeira_linha_ruim_sem_gravar(produtos, ruim, campo, mensagem):
    base = {"cod_produto": "P2", "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": Decimal("1")}
    dados = [dict(base) for _ in range(5)]
    dados[2] |= ruim
    dados[4] |= ruim
    with pytest.raises(operacoes.MovimentacaoRecusada) as recusa:
        operacoes.criar_movimentacoes(dados, usuario="ana")
    assert recusa.value.indice == 2
    assert mensagem in recusa.value.message_dict[campo][0]
    # the same refusal as the per-row service for that row
    with pytest.raises(ValidationError) as por_linha:
        operacoes.criar_movimentacao(**dados[2], usuario="ana")
    assert por_linha.value.message_dict == recusa.value.message_dict
    assert MovimentacaoEstoque.objects.count() == 0
    assert diferencas_com_derivados() == []


def test_importador_nomeia_a_linha_da_planilha(produtos):
    imp = previa(planilha())
    linhas, _, _, _ = servico.ler(imp)
    linhas[4].dados["qtd_movimentacao"] = Decimal("3")  # AJUSTE accepts it; make it an exit
    linhas[4].dados["tipo_movimentacao"] = "SAIDA"
    with pytest.raises(ValidationError) as recusa, servico._como_importacao(imp, "ana"):
        importador("movimentacoes").aplicar(linhas, imp, "ana", lambda feitas, total: None)
    assert recusa.value.message_dict == {"qtd_movimentacao": ["linha 6: Saída exige quantidade negativa."]}
    assert MovimentacaoEstoque.objects.count() == 0


def test_consultas_nao_crescem_com_as_linhas(produtos, django_assert_max_num_queries):
    dados = [
        {"cod_produto": cod, "tipo_movimentacao": "ENTRADA", "qtd_movimentacao": Decimal(n + 1)}
        for n, cod in enumerate(["4510156", "P2", "P3", "A3"] * 50)
    ]
    with django_assert_max_num_queries(60):
        criados = operacoes.criar_movimentacoes(dados, usuario="ana", lote=100)
    assert len(criados) == 200 and all(mov.pk for mov in criados)
    assert diferencas_com_derivados() == []
