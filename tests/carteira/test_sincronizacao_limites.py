"""The carteira sync under the input bounds (core.limites): dates outside the business window,
control characters, oversized values, files and spreadsheets. Each refusal names the record
(Odoo line or spreadsheet line) and the field, and the sync writes nothing but its FALHA log."""

import io
import re
import time
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from carteira.models import CarteiraPrincipal, PreSeparacaoItem, SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.planilha import ErroPlanilha, ler_planilha
from carteira.sincronizacao.registros import ErroSincronizacao
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
OBRIGATORIAS = ["num_pedido", "cod_produto", "qtd_saldo_produto_pedido"]


@pytest.fixture
def carteira():
    f.produto("P1")
    f.movimento("P1", 500)
    f.linha_carteira("PED9", "P1", 10, origem="ODOO")
    f.pre_separacao("P1", 4, pedido="PED9")


def registro(**extra):
    return {
        "_referencia": "linha Odoo 7 (PED1)",
        "num_pedido": "PED1",
        "cod_produto": "P1",
        "qtd_saldo_produto_pedido": Decimal("5"),
        **extra,
    }


def recusada(fonte, **kwargs) -> str:
    """Runs the sync, expects the refusal, checks nothing changed; returns the message."""
    antes = list(CarteiraPrincipal.objects.values_list("num_pedido", "qtd_saldo_produto_pedido"))
    pres = list(PreSeparacaoItem.objects.values_list("pk", "qtd_selecionada_usuario"))
    with pytest.raises(ErroSincronizacao) as erro:
        servico.sincronizar(fonte, origem="ODOO", gatilho="COMANDO", **kwargs)
    assert list(CarteiraPrincipal.objects.values_list("num_pedido", "qtd_saldo_produto_pedido")) == antes
    assert list(PreSeparacaoItem.objects.values_list("pk", "qtd_selecionada_usuario")) == pres
    assert SincronizacaoCarteira.objects.latest("iniciado_em").status == "FALHA"
    assert diferencas_com_derivados() == []
    return str(erro.value)


@pytest.mark.parametrize(
    ("campo", "valor", "rotulo"),
    [
        ("data_entrega_pedido", date(9999, 12, 31), "data de entrega"),
        ("data_pedido", date(1900, 1, 1), "data do pedido"),
    ],
)
def test_data_fora_da_janela_recusa_nomeando_o_registro(carteira, campo, valor, rotulo):
    mensagem = recusada(lambda: [registro(**{campo: valor})])
    assert "linha Odoo 7 (PED1)" in mensagem and rotulo in mensagem and "fora do período aceito" in mensagem


@pytest.mark.parametrize(
    ("extra", "trecho"),
    [
        ({"raz_social": "ACME\x00 LTDA"}, "razão social: Caracteres de controle"),
        ({"num_pedido": "PED\x1b1"}, "pedido: Caracteres de controle"),
        ({"odoo_line_id": 2**70}, "grande demais"),
        ({"odoo_line_id": float("inf")}, "não é um número inteiro"),
        ({"qtd_saldo_produto_pedido": Decimal("1e40")}, "grande demais"),
        ({"qtd_saldo_produto_pedido": "9" * 5000}, "grande demais"),
    ],
)
def test_valor_que_o_banco_nao_guardaria_recusa_nomeando_o_registro(carteira, extra, trecho):
    """Before, these reached PostgreSQL (NUL, bigint overflow) or Decimal (InvalidOperation) and
    failed as "Erro inesperado" without naming the record."""
    mensagem = recusada(lambda: [registro(**extra)])
    assert "linha Odoo 7 (PED1)" in mensagem and trecho in mensagem
    assert "Erro inesperado" not in mensagem


# ---------------------------------------------------------------- spreadsheet


def xlsx(linhas) -> bytes:
    livro = openpyxl.Workbook()
    for linha in linhas:
        livro.active.append(linha)
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()


def planilha(conteudo: bytes, nome: str, **kwargs):
    return servico.sincronizar_planilha(io.BytesIO(conteudo), nome=nome, gatilho="COMANDO", **kwargs)


def test_planilha_com_data_fora_da_janela_nomeia_a_linha(carteira):
    conteudo = xlsx([[*OBRIGATORIAS, "Data do pedido"], ["PED9", "P1", 10, "01/01/1900"]])
    with pytest.raises(ErroSincronizacao, match=r"linha 2 da planilha: data do pedido: .*fora do período aceito"):
        planilha(conteudo, "c.xlsx")
    assert CarteiraPrincipal.objects.get().data_pedido is None


def test_planilha_csv_com_nul_nomeia_a_linha_e_o_campo(carteira):
    conteudo = b"num_pedido;cod_produto;qtd_saldo_produto_pedido;raz_social\nPED9;P1;10;A\x00B\n"
    with pytest.raises(ErroSincronizacao, match="linha 2 da planilha: razão social: Caracteres de controle"):
        planilha(conteudo, "c.csv")
    assert CarteiraPrincipal.objects.get().raz_social == ""


def test_planilha_csv_em_codificacao_desconhecida_diz_o_motivo(carteira):
    conteudo = b"num_pedido;cod_produto;qtd_saldo_produto_pedido\nPED9;P1;10\n" + b"\x81\x8d\n"
    with pytest.raises(ErroSincronizacao, match="não está em UTF-8 nem em Windows-1252"):
        planilha(conteudo, "c.csv")


def test_planilha_com_dimensao_mentirosa_lida_rapido(carteira):
    bruto = xlsx([OBRIGATORIAS, ["PED9", "P1", 8]])
    entrada = zipfile.ZipFile(io.BytesIO(bruto))
    saida = io.BytesIO()
    with zipfile.ZipFile(saida, "w", zipfile.ZIP_DEFLATED) as destino:
        for info in entrada.infolist():
            dados = entrada.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                dados, trocas = re.subn(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD40000"/>', dados)
                assert trocas == 1
                dados = dados.replace(b"</sheetData>", b'<row r="40000"/></sheetData>')
            destino.writestr(info.filename, dados)
    conteudo = saida.getvalue()
    assert len(conteudo) < 6000
    inicio = time.perf_counter()
    registros = ler_planilha(io.BytesIO(conteudo), nome="c.xlsx")
    print(f"\nplanilha da carteira de {len(conteudo)} bytes (A1:XFD40000) lida em {time.perf_counter() - inicio:.3f} s")
    assert [(r["num_pedido"], r["qtd_saldo_produto_pedido"]) for r in registros] == [("PED9", Decimal(8))]
    execucao = planilha(conteudo, "c.xlsx")
    assert execucao.status == "SUCESSO" and CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == 8


@override_settings(ESTOQUE_PLANILHA_MAX_LINHAS=2)
def test_planilha_com_linhas_demais_recusada(carteira):
    linhas = [OBRIGATORIAS, ["PED9", "P1", 10], ["PED8", "P1", 1], ["PED7", "P1", 1]]
    with pytest.raises(ErroSincronizacao, match="mais de 2 linhas"):
        planilha(xlsx(linhas), "c.xlsx")
    assert list(CarteiraPrincipal.objects.values_list("num_pedido", flat=True)) == ["PED9"]


@override_settings(ESTOQUE_UPLOAD_MAX_BYTES=1000)
def test_planilha_grande_demais_recusada_sem_ler(carteira, tmp_path):
    grande = xlsx([OBRIGATORIAS, *[["PED9", "P1", 10]] * 200])
    with pytest.raises(ErroPlanilha, match="grande demais"):
        ler_planilha(io.BytesIO(grande), nome="c.xlsx")
    caminho = tmp_path / "c.xlsx"
    caminho.write_bytes(grande)
    with pytest.raises(ErroPlanilha, match="grande demais"):
        ler_planilha(caminho)


@override_settings(ESTOQUE_UPLOAD_MAX_BYTES=1000)
def test_pagina_de_planilha_recusa_arquivo_grande_no_formulario(carteira, cliente_staff):
    url = reverse("admin:carteira_sincronizacaocarteira_planilha")
    grande = xlsx([OBRIGATORIAS, *[["PED9", "P1", 10]] * 200])
    resposta = cliente_staff.post(url, {"arquivo": SimpleUploadedFile("c.xlsx", grande)})
    assert resposta.status_code == 200
    assert "grande demais" in " ".join(resposta.context["form"].errors["arquivo"])
    assert not SincronizacaoCarteira.objects.exists()  # refused before any sync ran
    assert CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == 10


def test_pagina_de_planilha_com_arquivo_ilegivel_mostra_o_motivo(carteira, cliente_staff):
    url = reverse("admin:carteira_sincronizacaocarteira_planilha")
    resposta = cliente_staff.post(url, {"arquivo": SimpleUploadedFile("c.xlsx", b"PK\x03\x04lixo")})
    assert resposta.status_code == 200
    assert "Importação recusada, nada foi alterado" in resposta.content.decode()
    assert CarteiraPrincipal.objects.get().qtd_saldo_produto_pedido == 10
