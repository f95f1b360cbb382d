"""The roles table (acesso/papeis.py) and its groups: every codename exists, the groups equal the
table after every migrate, unknown codenames fail, and the demo users."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from acesso import papeis, sincronizacao

pytestmark = pytest.mark.django_db


def _nomes(permissoes) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissoes}


def test_cada_codename_da_tabela_existe():
    existentes = _nomes(Permission.objects.select_related("content_type"))
    for papel in papeis.PAPEIS:
        assert set(papel.permissoes) <= existentes, (papel.nome, sorted(set(papel.permissoes) - existentes))
        for app in papel.apps_inteiros:
            assert Permission.objects.filter(content_type__app_label=app).exists(), (papel.nome, app)


def test_grupos_iguais_a_tabela():
    for papel in papeis.PAPEIS:
        grupo = Group.objects.get(name=papel.nome)
        esperadas = set(papel.permissoes) | _nomes(
            Permission.objects.filter(content_type__app_label__in=papel.apps_inteiros).select_related("content_type")
        )
        assert _nomes(grupo.permissions.select_related("content_type")) == esperadas, papel.nome


def test_analisar_ruptura_so_nos_papeis_que_analisam():
    com = {
        p.nome for p in papeis.PAPEIS if Group.objects.get(name=p.nome).permissions.filter(codename="analisar_ruptura")
    }
    assert com == {"Comercial", "Expedição", "Gestão"}
    assert Permission.objects.get(codename="analisar_ruptura").name == "Pode analisar ruptura de pedidos"


def test_gestao_sincroniza_recalcula_e_unifica():
    gestao = _nomes(Group.objects.get(name="Gestão").permissions.select_related("content_type"))
    assert {
        "carteira.executar_sincronizacao",
        "estoque.change_estoquetemporeal",
        "estoque.add_unificacaocodigos",
        "estoque.change_unificacaocodigos",
        "estoque.delete_unificacaocodigos",
    } <= gestao
    assert not {n for n in gestao if n.startswith("auth.")}  # users and groups: superusers only


def test_migrate_devolve_os_grupos_a_tabela():
    estoque = Group.objects.get(name="Estoque")
    estoque.permissions.add(Permission.objects.get(codename="delete_movimentacaoestoque"))  # edited by hand
    estoque.permissions.remove(Permission.objects.get(codename="add_movimentacaoestoque"))
    Group.objects.get(name="PCP").delete()
    call_command("migrate", verbosity=0, interactive=False)  # nothing to apply: post_migrate still runs
    nomes = _nomes(Group.objects.get(name="Estoque").permissions.select_related("content_type"))
    assert "estoque.add_movimentacaoestoque" in nomes
    assert "estoque.delete_movimentacaoestoque" not in nomes
    assert Group.objects.get(name="PCP").permissions.filter(codename="add_programacaoproducao").exists()


def test_codename_desconhecido_falha_alto(monkeypatch):
    errado = papeis.Papel("Teste", "papel com erro", "teste", ("estoque.voar_estoque", "estoque.view_estoquetemporeal"))
    monkeypatch.setattr(sincronizacao, "PAPEIS", (*papeis.PAPEIS, errado))
    with pytest.raises(ImproperlyConfigured, match=r"Papel 'Teste'.*estoque\.voar_estoque"):
        sincronizacao.aplicar(Group, Permission, estrito=True)
    # The data migration is lenient (an app migrated after it may add the permission later).
    sincronizacao.aplicar(Group, Permission, estrito=False)
    assert list(Group.objects.get(name="Teste").permissions.values_list("codename", flat=True)) == [
        "view_estoquetemporeal"
    ]


def test_usuarios_demo_um_por_papel_idempotente(django_user_model):
    call_command("criar_usuarios_demo", "--senha", "demo-tempo-real", verbosity=0)
    usuario = django_user_model.objects.get(username="comercial")
    usuario.set_password("outra-senha-do-usuario")
    usuario.save()
    call_command("criar_usuarios_demo", "--senha", "demo-tempo-real", verbosity=0)  # again: nothing duplicated
    for papel in papeis.PAPEIS:
        usuario = django_user_model.objects.get(username=papel.usuario_demo)
        assert usuario.is_staff and not usuario.is_superuser
        assert list(usuario.groups.values_list("name", flat=True)) == [papel.nome]
    assert authenticate(username="pcp", password="demo-tempo-real") is not None
    assert authenticate(username="comercial", password="outra-senha-do-usuario") is not None  # kept
