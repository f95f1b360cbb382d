"""Admin spreadsheet export (django-import-export), and the way from the admin to the imports.

Imports themselves are core.importacoes (tests/core/test_importacoes.py): the admin only links there.
"""

from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from estoque.models import MovimentacaoEstoque

pytestmark = pytest.mark.django_db

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def hoje():
    return timezone.localdate()


@pytest.mark.parametrize(
    "url",
    [
        "admin:estoque_movimentacaoestoque_export",
        "admin:producao_programacaoproducao_export",
        "admin:estoque_cadastropalletizacao_export",
        "admin:carteira_carteiraprincipal_export",
    ],
)
def test_telas_de_exportacao_abrem(cliente_staff, url):
    resposta = cliente_staff.get(reverse(url))
    assert resposta.status_code == 200
    formatos = [titulo for valor, titulo in resposta.context["form"].fields["format"].choices if valor != ""]
    assert formatos == ["xlsx", "csv"]


@pytest.mark.parametrize(
    "modelo",
    [
        "estoque_movimentacaoestoque",
        "producao_programacaoproducao",
        "estoque_cadastropalletizacao",
        "carteira_carteiraprincipal",
    ],
)
def test_exportacao_xlsx_pelo_admin(cliente_staff, modelo):
    MovimentacaoEstoque.objects.create(
        cod_produto="P1", data_movimentacao=hoje(), tipo_movimentacao="ENTRADA", qtd_movimentacao=10
    )
    url = reverse(f"admin:{modelo}_export")
    form = cliente_staff.get(url).context["form"]
    dados = {nome: "on" for nome, campo in form.fields.items() if getattr(campo, "is_selectable_field", False)}

    resposta = cliente_staff.post(url, {**dados, "format": "0", "resource": "0"})

    assert resposta.status_code == 200
    assert resposta["Content-Type"] == XLSX_MIME
    folha = openpyxl.load_workbook(BytesIO(resposta.content)).active
    cabecalho = [celula.value for celula in folha[1]]
    assert "cod_produto" in cabecalho
    if modelo == "estoque_movimentacaoestoque":
        linha = dict(zip(cabecalho, [celula.value for celula in folha[2]]))
        assert (linha["cod_produto"], Decimal(str(linha["qtd_movimentacao"]))) == ("P1", 10)


@pytest.mark.parametrize(
    ("modelo", "tipo"),
    [
        ("estoque_movimentacaoestoque", "movimentacoes"),
        ("producao_programacaoproducao", "producao"),
        ("estoque_cadastropalletizacao", "cadastro"),
    ],
)
def test_lista_do_admin_leva_a_importacao(cliente_staff, modelo, tipo):
    pagina = cliente_staff.get(reverse(f"admin:{modelo}_changelist")).content.decode()
    assert f'href="/importacoes/{tipo}/"' in pagina and "Importar planilha" in pagina
    with pytest.raises(NoReverseMatch):  # django-import-export's own import is gone: one way in
        reverse(f"admin:{modelo}_import")


def test_sem_permissao_de_importar_o_admin_nao_mostra_o_botao(client, usuario_papel):
    client.force_login(usuario_papel("Comercial"))
    resposta = client.get(reverse("admin:estoque_movimentacaoestoque_changelist"))
    assert resposta.status_code in (200, 403)
    assert "Importar planilha" not in resposta.content.decode()
