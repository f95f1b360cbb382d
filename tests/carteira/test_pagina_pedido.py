"""The order workspace page /carteira/pedidos/<num>/ and its POST forms (through the services)."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages

from carteira.models import AlertaSeparacaoCotada, PreSeparacaoItem, Separacao
from tests import fabricas as f
from tests.oracle import diferencas_com_derivados
from tests.varredura_csp import achados_html

pytestmark = pytest.mark.django_db

D = Decimal
URL = "/carteira/pedidos/PED1/"


@pytest.fixture
def pedido():
    for cod in "AB":
        f.produto(cod)
    f.movimento("A", 100)
    f.movimento("B", 4)
    f.linha_carteira(
        "PED1", "A", 40, raz_social_red="MERCADO <b>X</b>", municipio="Campinas", estado="SP", vendedor="Vera"
    )
    f.linha_carteira("PED1", "B", 1234.5)


def dados_lote(incluir=("A",), qtd=None, vistos=None, k=2):
    """The form as the page sends it: every line, the chosen ones marked."""
    linhas = [("A", D("40")), ("B", D("1234.5"))]
    dados = {"itens-TOTAL_FORMS": "2", "itens-INITIAL_FORMS": "2"}
    for i, (cod, livre) in enumerate(linhas):
        dados.update(
            {
                f"itens-{i}-cod_produto": cod,
                f"itens-{i}-visto": str((vistos or {}).get(cod, livre)),
                f"itens-{i}-qtd": str((qtd or {}).get(cod, livre)),
                f"itens-{i}-data_expedicao": f.dia(k).isoformat(),
                f"itens-{i}-protocolo": "",
            }
        )
        if cod in incluir:
            dados[f"itens-{i}-incluir"] = "on"
    return dados


def textos(resposta):
    return [str(m) for m in get_messages(resposta.wsgi_request)]


def test_pagina_mostra_cabecalho_linhas_e_formatos_pt_br(cliente_papel, pedido):
    resposta = cliente_papel("Expedição").get(URL)
    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert "MERCADO &lt;b&gt;X&lt;/b&gt;" in html  # escaped, never HTML
    assert "Campinas/SP" in html and "Vera" in html
    assert 'href="/estoque/produto/A/"' in html
    assert "1.234,5" in html  # pt-BR number
    assert f.dia(0).strftime("%d/%m/%Y") in html
    assert 'id="botao-criar-lote"' in html
    assert achados_html(html) == []  # strict CSP: no inline script, handler or style


def test_pagina_somente_leitura_para_comercial(cliente_papel, pedido):
    html = cliente_papel("Comercial").get(URL).content.decode()
    assert 'id="botao-simular"' in html and 'id="botao-criar-lote"' not in html


def test_pedido_inexistente_da_404(cliente_papel, pedido):
    assert cliente_papel("Expedição").get("/carteira/pedidos/NAO-EXISTE/").status_code == 404


def test_consultas_nao_crescem_com_as_linhas(cliente_papel, pedido, django_assert_max_num_queries):
    cliente = cliente_papel("Expedição")
    cliente.get(URL)
    with django_assert_max_num_queries(30) as poucas:
        cliente.get(URL)
    for i in range(12):
        f.produto(f"N{i:02}")
        f.linha_carteira("PED1", f"N{i:02}", 5)
        f.pre_separacao(f"N{i:02}", 1, k=1)
    with django_assert_max_num_queries(len(poucas.captured_queries)):
        assert cliente.get(URL).status_code == 200


def test_criar_lote_pela_pagina(cliente_papel, pedido):
    cliente = cliente_papel("Expedição")
    resposta = cliente.post(f"{URL}lotes/", dados_lote(incluir=("A", "B"), qtd={"A": "10", "B": "2"}))
    assert resposta.status_code == 302 and resposta.url == URL
    pres = PreSeparacaoItem.objects.order_by("cod_produto")
    assert [(p.cod_produto, p.qtd_selecionada_usuario) for p in pres] == [("A", D("10")), ("B", D("2"))]
    assert len({p.separacao_lote_id for p in pres}) == 1 and pres[0].criado_por == "papel-expedição"
    assert textos(resposta)[-1].startswith("Lote LOTE-")
    html = cliente.get(URL).content.decode()
    assert pres[0].separacao_lote_id in html and "Confirmar separação" in html
    assert diferencas_com_derivados() == []


def test_lote_acima_do_saldo_livre_volta_com_o_motivo(cliente_papel, pedido):
    resposta = cliente_papel("Expedição").post(f"{URL}lotes/", dados_lote(qtd={"A": "41"}))
    assert resposta.status_code == 400
    html = resposta.content.decode()
    assert "Nada foi gravado" in html and "Produto A" in html and "(40)" in html
    assert 'value="41"' in html  # what was typed stays
    assert not PreSeparacaoItem.objects.exists()


def test_lote_com_numeros_velhos_e_recusado(cliente_papel, pedido):
    f.pre_separacao("A", 5, k=1)  # after the page was drawn with 40 free
    resposta = cliente_papel("Expedição").post(f"{URL}lotes/", dados_lote(qtd={"A": "30"}))
    assert resposta.status_code == 400
    assert "mudaram desde que a página foi aberta" in resposta.content.decode()
    assert PreSeparacaoItem.objects.count() == 1


def test_nenhuma_linha_marcada(cliente_papel, pedido):
    resposta = cliente_papel("Expedição").post(f"{URL}lotes/", dados_lote(incluir=()))
    assert resposta.status_code == 400 and "Marque ao menos um produto" in resposta.content.decode()


def test_simular_mostra_menor_d7_e_avisos_sem_gravar(cliente_papel, pedido):
    resposta = cliente_papel("Comercial").post(f"{URL}simular/", dados_lote(incluir=("A", "B"), qtd={"B": "10"}))
    assert resposta.status_code == 200
    html = resposta.content.decode()
    assert "Simulação A (40): menor D+7" in html and "100 → <strong>60</strong>" in html
    assert "cria ruptura em D0..D7" in html  # B: 4 in stock, 10 out
    assert not PreSeparacaoItem.objects.exists()


def test_comercial_nao_cria_lote(cliente_papel, pedido):
    resposta = cliente_papel("Comercial").post(f"{URL}lotes/", dados_lote())
    assert resposta.status_code == 403
    assert not PreSeparacaoItem.objects.exists()


def test_editar_remover_cancelar_e_confirmar_pela_pagina(cliente_papel, pedido):
    cliente = cliente_papel("Expedição")
    cliente.post(f"{URL}lotes/", dados_lote(incluir=("A", "B"), qtd={"A": "10", "B": "2"}))
    a = PreSeparacaoItem.objects.get(cod_produto="A")
    b = PreSeparacaoItem.objects.get(cod_produto="B")
    lote = a.separacao_lote_id

    resposta = cliente.post(
        f"{URL}itens/{a.pk}/editar/",
        {"qtd_selecionada_usuario": "12", "data_expedicao_editada": f.dia(4).isoformat()},
    )
    assert resposta.status_code == 302
    a.refresh_from_db()
    assert (a.qtd_selecionada_usuario, a.data_expedicao_editada) == (D("12"), f.dia(4))

    resposta = cliente.post(
        f"{URL}itens/{a.pk}/editar/",
        {"qtd_selecionada_usuario": "41", "data_expedicao_editada": f.dia(4).isoformat()},
    )
    assert "maior que o saldo livre" in textos(resposta)[-1]

    cliente.post(f"{URL}itens/{b.pk}/remover/")
    assert not PreSeparacaoItem.objects.filter(pk=b.pk).exists()

    resposta = cliente.post(f"{URL}lotes/{lote}/confirmar/")
    assert textos(resposta)[-1] == f"Lote {lote} enviado para separação."
    assert list(Separacao.objects.values_list("separacao_lote_id", "cod_produto", "qtd_saldo")) == [
        (lote, "A", D("12"))
    ]
    resposta = cliente.post(f"{URL}lotes/{lote}/cancelar/")
    assert "não tem pré-separações ativas" in textos(resposta)[-1]
    assert diferencas_com_derivados() == []


def test_cancelar_lote_pela_pagina(cliente_papel, pedido):
    cliente = cliente_papel("Expedição")
    cliente.post(f"{URL}lotes/", dados_lote(incluir=("A", "B"), qtd={"A": "10", "B": "2"}))
    lote = PreSeparacaoItem.objects.first().separacao_lote_id
    cliente.post(f"{URL}lotes/{lote}/cancelar/")
    assert not PreSeparacaoItem.objects.exists()
    assert diferencas_com_derivados() == []


def test_item_ou_lote_de_outro_pedido_da_404(cliente_papel, pedido):
    f.linha_carteira("PED2", "A", 5)
    outro = f.pre_separacao("A", 1, pedido="PED2")
    cliente = cliente_papel("Expedição")
    assert cliente.post(f"{URL}itens/{outro.pk}/remover/").status_code == 404
    PreSeparacaoItem.objects.filter(pk=outro.pk).update(separacao_lote_id="LX")
    assert cliente.post(f"{URL}lotes/LX/cancelar/").status_code == 404
    assert PreSeparacaoItem.objects.filter(pk=outro.pk).exists()


def test_get_nas_acoes_nao_e_permitido(cliente_papel, pedido):
    assert cliente_papel("Expedição").get(f"{URL}lotes/").status_code == 405


@pytest.fixture
def alerta(pedido):
    return AlertaSeparacaoCotada.objects.create(
        separacao_lote_id="L9", num_pedido="PED1", cod_produto="A", tipo="REDUCAO", qtd_antes=10, qtd_depois=4
    )


def test_alertas_cotada_no_painel_e_no_pedido(cliente_papel, alerta):
    cliente = cliente_papel("Expedição")
    painel = cliente.get("/carteira/").content.decode()
    assert 'id="total-alertas">1<' in painel and "L9" in painel
    assert "L9" in cliente.get(URL).content.decode()
    resposta = cliente.post(f"/carteira/alertas/{alerta.pk}/reconhecer/", {"voltar": URL})
    assert resposta.status_code == 302 and resposta.url == URL
    alerta.refresh_from_db()
    assert alerta.reconhecido and alerta.reconhecido_por == "papel-expedição" and alerta.reconhecido_em
    assert "alertas-pedido" not in cliente.get(URL).content.decode()
    assert 'id="total-alertas"' not in cliente.get("/carteira/").content.decode()


def test_reconhecer_exige_permissao_e_nao_segue_endereco_externo(cliente_papel, alerta):
    assert cliente_papel("Comercial").post(f"/carteira/alertas/{alerta.pk}/reconhecer/").status_code == 403
    alerta.refresh_from_db()
    assert not alerta.reconhecido
    resposta = cliente_papel("Gestão").post(f"/carteira/alertas/{alerta.pk}/reconhecer/", {"voltar": "//evil.example/"})
    assert resposta.url == "/carteira/"


def campos_do_formulario(html: str, form_id: str) -> dict:
    """The name -> value pairs a browser would send from the form as rendered (checkboxes unchecked)."""
    from html.parser import HTMLParser

    campos: dict = {}

    class Leitor(HTMLParser):
        dentro = False

        def handle_starttag(self, tag, attrs):
            atributos = dict(attrs)
            if tag == "form" and atributos.get("id") == form_id:
                self.dentro = True
            elif self.dentro and tag == "input" and atributos.get("name"):
                if atributos.get("type") == "checkbox" and "checked" not in atributos:
                    return
                campos[atributos["name"]] = atributos.get("value") or ""

        def handle_endtag(self, tag):
            if tag == "form":
                self.dentro = False

    Leitor().feed(html)
    return campos


def test_formulario_como_a_pagina_o_mostra_cria_o_lote(cliente_papel, pedido):
    cliente = cliente_papel("Expedição")
    campos = campos_do_formulario(cliente.get(URL).content.decode(), "form-lote")
    assert (
        campos["itens-0-cod_produto"] == "A" and campos["itens-0-data_expedicao"] == f"{f.hoje():%d/%m/%Y}"
    )  # pt-BR, as typed
    campos["itens-0-incluir"] = "on"  # A with its defaults: the whole free quantity, today
    resposta = cliente.post(f"{URL}lotes/", campos)
    assert resposta.status_code == 302, resposta.content.decode()[:2000]
    pre = PreSeparacaoItem.objects.get()
    assert (pre.cod_produto, pre.qtd_selecionada_usuario, pre.data_expedicao_editada) == ("A", D("40"), f.hoje())
    # The same page posted again: its numbers are stale now (A has nothing free).
    resposta = cliente.post(f"{URL}lotes/", campos)
    assert resposta.status_code == 400 and "mudaram desde que a página foi aberta" in resposta.content.decode()


def test_pre_separacao_sem_lote_e_confirmada_sozinha(cliente_papel, pedido):
    avulsa = f.pre_separacao("A", 7, k=3)
    cliente = cliente_papel("Expedição")
    html = cliente.get(URL).content.decode()
    assert f"itens/{avulsa.pk}/confirmar/" in html and "Pré-separações sem lote" in html
    resposta = cliente.post(f"{URL}itens/{avulsa.pk}/confirmar/")
    assert textos(resposta)[-1] == "Pré-separação de A enviada para separação."
    sep = Separacao.objects.get()
    assert (sep.cod_produto, sep.qtd_saldo, sep.expedicao) == ("A", D("7"), f.dia(3))
    assert PreSeparacaoItem.objects.get().status == "ENVIADO_SEPARACAO"
    assert cliente_papel("Comercial").post(f"{URL}itens/{avulsa.pk}/confirmar/").status_code == 403
    assert diferencas_com_derivados() == []


def test_formularios_exigem_csrf(usuario_papel, pedido):
    from django.test import Client

    cliente = Client(enforce_csrf_checks=True)
    cliente.force_login(usuario_papel("Expedição"))
    assert cliente.post(f"{URL}lotes/", dados_lote()).status_code == 403
    assert cliente.post(f"{URL}simular/", dados_lote()).status_code == 403
    assert not PreSeparacaoItem.objects.exists()
