"""Spreadsheet imports operators can trust (core.importacoes): preview, totals, confirmation of
exactly what was previewed, no double imports, undo, the same rules as the services, pt-BR."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from core.importacoes import servico
from core.models import Importacao
from estoque.models import CadastroPalletizacao, EstoqueTempoReal, MovimentacaoEstoque
from producao.models import ProgramacaoProducao
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados

pytestmark = pytest.mark.django_db
Status = Importacao.Status


def xlsx(linhas) -> bytes:
    livro = openpyxl.Workbook()
    for linha in linhas:
        livro.active.append(linha)
    saida = io.BytesIO()
    livro.save(saida)
    return saida.getvalue()


def csv(texto: str, codificacao="utf-8") -> bytes:
    return texto.encode(codificacao)


def arquivo(conteudo: bytes, nome="movimentos.xlsx"):
    return SimpleUploadedFile(nome, conteudo)


def hoje_br():
    return f"{f.hoje():%d/%m/%Y}"


def saldo(cod) -> Decimal:
    linha = EstoqueTempoReal.objects.filter(cod_produto=cod).first()
    return linha.saldo_atual if linha else Decimal("0")


def receber(conteudo, tipo="movimentacoes", nome="movimentos.xlsx", usuario="ana") -> Importacao:
    return servico.receber(arquivo(conteudo, nome), tipo, usuario)


@pytest.fixture
def produtos():
    f.produto("4510156", "PEPINO 300G")
    f.produto("P2", "AZEITONA")


def movimentos_csv():
    return (
        "Código do produto;Data;Tipo;Quantidade;Observação\n"
        f"4510156;{hoje_br()};Entrada;1.234,500;recebimento\n"
        f"4510156;{hoje_br()};saída;-34,5;\n"
        f"P2;{hoje_br()};ENTRADA;2.000;\n"
    )


# ---------------------------------------------------------------- preview, totals, confirm


def test_previa_nao_grava_e_mostra_totais_por_produto(produtos):
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    assert imp.status == Status.PREVIA, imp.erros
    assert MovimentacaoEstoque.objects.count() == 0
    tabela = imp.totais["tabelas"][0]
    assert tabela["titulo"] == "Total por produto"
    por_cod = {linha[0]: linha for linha in tabela["linhas"]}
    # código, produto, linhas, entradas, saídas, ajustes, variação
    assert por_cod["4510156"][1:] == ["PEPINO 300G", 2, "1234.5", "-34.5", "0", "1200"]
    assert por_cod["P2"][6] == "2000"  # "2.000" in pt-BR is two thousand, never 2
    assert por_cod["Total"][6] == "3200"


def test_confirmar_aplica_exatamente_a_previa_sem_novo_envio(produtos):
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    aplicada = servico.aplicar(imp.pk, "bia")
    assert aplicada.status == Status.APLICADA and aplicada.aplicada_por == "bia"
    assert saldo("4510156") == Decimal("1200") and saldo("P2") == Decimal("2000")
    movs = MovimentacaoEstoque.objects.filter(importacao=imp)
    assert movs.count() == 3 and {m.criado_por for m in movs} == {"bia"}
    assert diferencas_com_derivados() == []


def test_produto_desconhecido_recusado_nomeando_a_linha(produtos):
    texto = (
        "cod_produto;data_movimentacao;tipo_movimentacao;qtd_movimentacao\n"
        f"4510156;{hoje_br()};ENTRADA;5\n"
        f"9999999;{hoje_br()};ENTRADA;5\n"
        f"ABC-000;{hoje_br()};ENTRADA;5\n"
    )
    imp = receber(csv(texto), nome="mov.csv")
    assert imp.status == Status.RECUSADA
    assert [(e["linha"], e["coluna"], e["valor"]) for e in imp.erros] == [
        (3, "Código do produto", "9999999"),
        (4, "Código do produto", "ABC-000"),
    ]
    assert "não encontrado" in imp.erros[0]["mensagem"]
    with pytest.raises(servico.ErroImportacao):
        servico.aplicar(imp.pk, "ana")
    assert MovimentacaoEstoque.objects.count() == 0


@pytest.mark.parametrize(
    ("celula", "coluna", "trecho"),
    [
        ("31/02/2026", "Data", "não existe"),
        ("amanhã", "Data", "não é uma data"),
    ],
)
def test_data_errada_diz_o_que_esta_errado(produtos, celula, coluna, trecho):
    texto = f"cod_produto;data_movimentacao;tipo_movimentacao;qtd_movimentacao\n4510156;{celula};ENTRADA;5\n"
    imp = receber(csv(texto), nome="mov.csv")
    assert imp.status == Status.RECUSADA
    assert imp.erros[0]["coluna"] == coluna and imp.erros[0]["valor"] == celula
    assert trecho in imp.erros[0]["mensagem"]


def test_sinal_pela_regra_do_servico(produtos):
    texto = f"cod_produto;data_movimentacao;tipo_movimentacao;qtd_movimentacao\n4510156;{hoje_br()};SAIDA;5\n"
    imp = receber(csv(texto), nome="mov.csv")
    assert imp.status == Status.RECUSADA
    assert imp.erros[0]["coluna"] == "Quantidade" and "negativa" in imp.erros[0]["mensagem"]


def test_erros_mostram_o_valor_como_digitado(produtos):
    imp = receber(
        xlsx(
            [
                ["Código do produto", "Data", "Tipo", "Quantidade"],
                [4263755, f.hoje(), "ENTRADA", 1],
                ["4510156", f.hoje(), "ENTRADA", "abc"],
                [None, f.hoje(), "ENTRADA", 1],
            ]
        )
    )
    assert imp.status == Status.RECUSADA
    valores = {(e["linha"], e["coluna"]): e["valor"] for e in imp.erros}
    assert valores[3, "Quantidade"] == "abc"
    assert valores[2, "Código do produto"] == "4263755"  # unknown, shown as typed (not 4.263.755)
    assert valores[4, "Código do produto"] == ""


def test_cabecalho_nao_reconhecido_e_avisado_e_obrigatoria_faltando_recusa(produtos):
    imp = receber(csv(f"Cod Prod;Data;Tipo;Qtde;Coluna X\n4510156;{hoje_br()};ENTRADA;5;x\n"), nome="m.csv")
    assert imp.status == Status.PREVIA  # Qtde is a synonym of Quantidade
    assert any("Cod Prod" not in a and "Coluna X" in a for a in imp.avisos)
    imp = receber(csv(f"Produto X;Data;Tipo;Quantidade\n4510156;{hoje_br()};ENTRADA;5\n"), nome="m2.csv")
    assert imp.status == Status.RECUSADA
    assert "Código do produto" in imp.erros[0]["mensagem"]


def test_windows_1252_e_virgula(produtos):
    texto = f"cod_produto,data_movimentacao,tipo_movimentacao,qtd_movimentacao,observacao\n4510156,{hoje_br()},ENTRADA,5,Maçã\n"
    imp = receber(csv(texto, "cp1252"), nome="mov.csv")
    assert imp.status == Status.PREVIA, imp.erros
    servico.aplicar(imp.pk, "ana")
    assert MovimentacaoEstoque.objects.get().observacao == "Maçã"


# ---------------------------------------------------------------- no double imports, undo


def test_mesmo_arquivo_de_novo_e_recusado_sem_confirmacao(produtos):
    conteudo = csv(movimentos_csv())
    primeira = receber(conteudo, nome="mov.csv")
    servico.aplicar(primeira.pk, "ana")
    segunda = receber(conteudo, nome="outro-nome.csv", usuario="bia")
    assert segunda.repete_id == primeira.pk
    with pytest.raises(servico.ErroImportacao, match="já foi importado em .* por ana"):
        servico.aplicar(segunda.pk, "bia")
    assert MovimentacaoEstoque.objects.count() == 3
    servico.aplicar(segunda.pk, "bia", repetir=True)
    assert MovimentacaoEstoque.objects.count() == 6
    assert diferencas_com_derivados() == []


def test_nao_aplica_duas_vezes_a_mesma_importacao(produtos):
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    servico.aplicar(imp.pk, "ana")
    with pytest.raises(servico.ErroImportacao, match="Aplicada"):
        servico.aplicar(imp.pk, "ana", repetir=True)
    assert MovimentacaoEstoque.objects.count() == 3


def test_desfazer_cancela_as_movimentacoes(produtos):
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    servico.aplicar(imp.pk, "ana")
    servico.desfazer(imp.pk, "bia")
    assert MovimentacaoEstoque.objects.filter(importacao=imp, ativo=True).count() == 0
    assert MovimentacaoEstoque.objects.filter(importacao=imp).count() == 3  # cancelled, never deleted
    assert saldo("4510156") == 0
    assert Importacao.objects.get(pk=imp.pk).status == Status.DESFEITA
    assert diferencas_com_derivados() == []


def test_confirmacao_recusada_se_o_cadastro_mudou(produtos):
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    CadastroPalletizacao.objects.filter(cod_produto="P2").delete()
    with pytest.raises(servico.ErroImportacao, match="não passa mais"):
        servico.aplicar(imp.pk, "ana")
    assert MovimentacaoEstoque.objects.count() == 0


def test_erro_do_servico_ao_gravar_desfaz_tudo(produtos, monkeypatch):
    """The service's rule refusing the third row (checked as the rows are written): its line, nothing kept."""
    from django.core.exceptions import ValidationError

    from estoque.services import operacoes

    original = operacoes._validar
    chamadas = []

    def falhar_na_terceira(mov, conhecidos=None):
        chamadas.append(1)
        if len(chamadas) == 3:
            raise ValidationError({"qtd_movimentacao": "recusada"})
        return original(mov, conhecidos)

    monkeypatch.setattr(operacoes, "_validar", falhar_na_terceira)
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    with pytest.raises(servico.ErroImportacao, match="linha 4"):
        servico.aplicar(imp.pk, "ana")
    assert MovimentacaoEstoque.objects.count() == 0 and saldo("4510156") == 0
    assert diferencas_com_derivados() == []


def test_falha_no_meio_da_gravacao_desfaz_os_lotes_ja_gravados(produtos, monkeypatch):
    """The set-based write fails on its third chunk, after two were written: nothing is kept."""
    from django.core.exceptions import ValidationError

    from estoque.services import operacoes

    monkeypatch.setattr(operacoes, "LOTE_CRIACAO", 1)
    gerente = type(MovimentacaoEstoque.objects)
    original = gerente.bulk_create
    chamadas = []

    def falhar_no_terceiro(self, objs, *args, **kwargs):
        chamadas.append(1)
        if len(chamadas) == 3:
            raise ValidationError({"qtd_movimentacao": "recusada ao gravar"})
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(gerente, "bulk_create", falhar_no_terceiro)
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    with pytest.raises(servico.ErroImportacao, match="nada foi gravado"):
        servico.aplicar(imp.pk, "ana")
    assert len(chamadas) == 3
    assert MovimentacaoEstoque.objects.count() == 0 and MovimentacaoEstoque.history.count() == 0
    assert saldo("4510156") == 0
    assert diferencas_com_derivados() == []


# ---------------------------------------------------------------- production, catalog


def test_producao_totais_por_produto_e_por_dia_e_desfazer(produtos):
    d1, d2 = f.dia(1), f.dia(2)
    texto = (
        "Data programada;Código do produto;Quantidade programada\n"
        f"{d1:%d/%m/%Y};4510156;100\n{d2:%d/%m/%Y};4510156;50,5\n{d2:%d/%m/%Y};P2;1.000\n"
    )
    imp = receber(csv(texto), tipo="producao", nome="prod.csv")
    assert imp.status == Status.PREVIA, imp.erros
    produto, dia = imp.totais["tabelas"]
    assert produto["linhas"][-1] == ["Total", "", 3, "1150.5"]
    assert dia["linhas"] == [[d1.isoformat(), 1, "100"], [d2.isoformat(), 2, "1050.5"]]
    servico.aplicar(imp.pk, "pcp")
    assert ProgramacaoProducao.objects.filter(importacao=imp).count() == 3
    assert diferencas_com_derivados() == []
    servico.desfazer(imp.pk, "pcp")
    assert ProgramacaoProducao.objects.count() == 0
    assert diferencas_com_derivados() == []


def test_producao_com_quantidade_zero_e_recusada(produtos):
    texto = f"data_programacao;cod_produto;qtd_programada\n{f.dia(1):%d/%m/%Y};P2;0\n"
    imp = receber(csv(texto), tipo="producao", nome="prod.csv")
    assert imp.status == Status.RECUSADA and "maior que zero" in imp.erros[0]["mensagem"]


def test_cadastro_inclui_e_atualiza_pelo_codigo_e_nao_se_desfaz(produtos):
    texto = (
        "Código do produto;Nome do produto;Palletização (un/pallet);Peso bruto (kg/un)\n"
        "4510156;PEPINO NOVO;1.200;0,45\nNOVO1;PRODUTO NOVO;10;1\n"
    )
    imp = receber(csv(texto), tipo="cadastro", nome="cad.csv")
    assert imp.totais["tabelas"][0]["linhas"] == [[1, 1]]
    assert [linha[0::4] for linha in imp.totais["tabelas"][1]["linhas"]] == [
        ["4510156", "atualizado"],
        ["NOVO1", "novo"],
    ]
    servico.aplicar(imp.pk, "gestao")
    assert CadastroPalletizacao.objects.get(cod_produto="4510156").palletizacao == Decimal("1200")
    assert CadastroPalletizacao.objects.filter(cod_produto="NOVO1").exists()
    with pytest.raises(servico.ErroImportacao, match="não podem ser desfeitas"):
        servico.desfazer(imp.pk, "gestao")


def test_cadastro_com_palletizacao_zero_recusado(produtos):
    texto = "cod_produto;nome_produto;palletizacao;peso_bruto\n4510156;X;0;1\n"
    imp = receber(csv(texto), tipo="cadastro", nome="cad.csv")
    assert imp.status == Status.RECUSADA and imp.erros[0]["coluna"] == "Palletização (un/pallet)"


# ---------------------------------------------------------------- pages


def test_pagina_previa_e_confirmacao(client, usuario_papel, produtos):
    client.force_login(usuario_papel("Estoque"))
    resposta = client.post("/importacoes/movimentacoes/", {"arquivo": arquivo(csv(movimentos_csv()), "m.csv")})
    assert resposta.status_code == 302
    pagina = client.get(resposta["Location"])
    texto = pagina.content.decode()
    assert "Total por produto" in texto and "1.234,5" in texto and "Confirmar e gravar 3 linha(s)" in texto
    imp = Importacao.objects.get()
    resposta = client.post(f"/importacoes/{imp.pk}/confirmar", follow=True)
    assert "Importação aplicada" in resposta.content.decode()
    assert saldo("4510156") == Decimal("1200")


def test_pagina_mostra_erros_inline(client, usuario_papel, produtos):
    client.force_login(usuario_papel("Estoque"))
    texto = f"cod_produto;data_movimentacao;tipo_movimentacao;qtd_movimentacao\n9999999;{hoje_br()};ENTRADA;5\n"
    resposta = client.post("/importacoes/movimentacoes/", {"arquivo": arquivo(csv(texto), "m.csv")}, follow=True)
    corpo = resposta.content.decode()
    assert "Planilha recusada" in corpo and "9999999" in corpo and "Confirmar e gravar" not in corpo


def test_modelo_tem_colunas_exemplo_e_instrucoes(client, usuario_papel):
    client.force_login(usuario_papel("Estoque"))
    resposta = client.get("/importacoes/movimentacoes/modelo.xlsx")
    assert resposta.status_code == 200
    livro = openpyxl.load_workbook(
        io.BytesIO(b"".join(resposta.streaming_content) if resposta.streaming else resposta.content)
    )
    dados = livro["Dados"]
    assert [c.value for c in dados[1]][:4] == ["Código do produto", "Data", "Tipo", "Quantidade"]
    assert dados["A2"].value == "4510156"
    instrucoes = " ".join(str(c.value) for linha in livro["Instruções"].iter_rows() for c in linha if c.value)
    assert "Obrigatória" in instrucoes and "SAIDA" in instrucoes and "negativas" in instrucoes


def test_sem_permissao_do_tipo_403(client, usuario_papel):
    client.force_login(usuario_papel("Comercial"))
    assert client.get("/importacoes/movimentacoes/").status_code == 403
    assert client.get("/importacoes/movimentacoes/modelo.xlsx").status_code == 403


def test_arquivo_grande_vai_para_o_cluster_com_progresso(produtos, settings, monkeypatch, django_user_model):
    from core.importacoes import tarefas
    from core.trabalhos import servico as trabalhos

    fila = []
    monkeypatch.setattr(tarefas, "enfileirar", lambda funcao, *args: fila.append((funcao, args)))
    monkeypatch.setattr(trabalhos, "async_task", lambda funcao, *args, **kwargs: fila.append((funcao, args)))
    django_user_model.objects.create_user("ana")
    settings.ESTOQUE_IMPORTACAO_BYTES_FUNDO = 10
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    assert imp.status == Status.RECEBIDA and MovimentacaoEstoque.objects.count() == 0
    funcao, args = fila.pop()
    funcao(*args)
    assert Importacao.objects.get(pk=imp.pk).status == Status.PREVIA
    servico.pedir_aplicacao(imp.pk, "ana")
    assert Importacao.objects.get(pk=imp.pk).status == Status.NA_FILA
    # The apply is a background job of the confirming user (core.trabalhos).
    funcao, args = fila.pop()
    assert funcao == "core.trabalhos.tarefas.executar"
    trabalhos.executar(*args)
    assert Importacao.objects.get(pk=imp.pk).status == Status.APLICADA
    assert saldo("4510156") == Decimal("1200")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_duas_confirmacoes_do_mesmo_arquivo_ao_mesmo_tempo_gravam_uma_vez(produtos):
    import threading

    from django.db import connection

    conteudo = csv(movimentos_csv())
    a = receber(conteudo, nome="a.csv")
    b = receber(conteudo, nome="b.csv")
    barreira = threading.Barrier(2)
    resultados = []

    def confirmar(pk):
        try:
            barreira.wait()
            with transaction.atomic():
                pass
            servico.aplicar(pk, "ana")
            resultados.append("ok")
        except servico.ErroImportacao as erro:
            resultados.append(str(erro))
        finally:
            connection.close()

    fios = [threading.Thread(target=confirmar, args=(pk,)) for pk in (a.pk, b.pk)]
    for fio in fios:
        fio.start()
    for fio in fios:
        fio.join()
    assert sorted(r == "ok" for r in resultados) == [False, True], resultados
    assert MovimentacaoEstoque.objects.count() == 3
    assert diferencas_com_derivados() == []


# ---------------------------------------------------------------- the files operators have


def test_mesmas_movimentacoes_em_xlsx_ods_e_csv_dao_os_mesmos_totais(produtos):
    from tests.core.test_leitura_formatos import ods

    cabecalho = ["Código do produto", "Data", "Tipo", "Quantidade"]
    linhas = [["4510156", f.hoje(), "ENTRADA", 1234.5], ["P2", f.hoje(), "Saída", -2]]
    texto = "\n".join(
        ";".join(str(c) if not hasattr(c, "strftime") else f"{c:%d/%m/%Y}" for c in linha).replace(".", ",")
        for linha in [cabecalho, *linhas]
    )
    totais = {}
    for nome, conteudo in (
        ("m.xlsx", xlsx([cabecalho, *linhas])),
        ("m.ods", ods([cabecalho, *linhas])),
        ("m.csv", csv(texto, "cp1252")),
    ):
        imp = receber(conteudo, nome=nome)
        assert imp.status == Status.PREVIA, (nome, imp.erros)
        totais[nome] = imp.totais
    assert totais["m.xlsx"] == totais["m.ods"] == totais["m.csv"]
    assert totais["m.csv"]["tabelas"][0]["linhas"][-1][6] == "1232.5"


def test_xls_do_excel_97_e_lido(produtos):
    from pathlib import Path

    from core import planilhas

    conteudo = (Path(__file__).parent / "arquivos" / "exemplo.xls").read_bytes()
    assert planilhas.ler_arquivo(conteudo, "exemplo.xls")  # the fixture reads
    imp = receber(conteudo, nome="exemplo.xls")
    # Read as a sheet (title rows above the header skipped), then judged by its columns: it has no Tipo.
    assert imp.status == Status.RECUSADA
    (erro,) = imp.erros
    assert "Tipo (tipo_movimentacao)" in erro["mensagem"] and "Código do produto" not in erro["mensagem"].split(":")[1]


def test_totais_da_previa_sao_a_mudanca_aplicada(produtos):
    f.movimento("P2", 500)
    antes = {cod: saldo(cod) for cod in ("4510156", "P2")}
    imp = receber(csv(movimentos_csv()), nome="mov.csv")
    variacao = {linha[0]: Decimal(linha[6]) for linha in imp.totais["tabelas"][0]["linhas"] if linha[0] != "Total"}
    servico.aplicar(imp.pk, "ana")
    assert {cod: saldo(cod) - antes[cod] for cod in antes} == variacao
    assert diferencas_com_derivados() == []
