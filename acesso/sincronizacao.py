"""Applies the roles table (acesso.papeis) to the database: one group per role, exactly its permissions.

Run by the data migration (lenient: an app migrated later may still lack a permission) and after
every `migrate` (strict: a codename the database does not know is an error in the table).
"""

import re

from django.apps import apps as global_apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from acesso.papeis import PAPEIS, Papel


def _permissoes(Permission, papel: Papel, estrito: bool) -> list:
    filtro = Q(pk__in=[])
    for nome in papel.permissoes:
        app_label, codename = nome.split(".", 1)
        filtro |= Q(content_type__app_label=app_label, codename=codename)
    if papel.apps_inteiros:
        filtro |= Q(content_type__app_label__in=papel.apps_inteiros)
    encontradas = list(Permission.objects.filter(filtro).select_related("content_type"))
    if estrito:
        conhecidas = {f"{p.content_type.app_label}.{p.codename}" for p in encontradas}
        faltando = sorted(set(papel.permissoes) - conhecidas)
        apps_vazios = sorted(set(papel.apps_inteiros) - {p.content_type.app_label for p in encontradas})
        if faltando or apps_vazios:
            raise ImproperlyConfigured(
                f"Papel '{papel.nome}' (acesso/papeis.py) cita permissões que não existem: "
                f"{', '.join(faltando + [f'{app}.*' for app in apps_vazios])}"
            )
    return encontradas


def aplicar(Group, Permission, estrito: bool = True) -> None:
    for papel in PAPEIS:
        grupo, _ = Group.objects.get_or_create(name=papel.nome)
        grupo.permissions.set(_permissoes(Permission, papel, estrito))


def criar_permissoes(apps, using: str) -> None:
    """Every app's permissions, now: auth creates them app by app after migrate, in INSTALLED_APPS
    order, and a migration runs before any of it."""
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        modulo = getattr(config, "models_module", None)
        config.models_module = modulo or True  # historical app configs have none; create_permissions skips those
        try:
            create_permissions(config, verbosity=0, using=using, apps=apps)
        finally:
            config.models_module = modulo
    traduzir_permissoes(apps, using)


VERBOS = {"add": "incluir", "change": "alterar", "delete": "excluir", "view": "ver"}
PADRAO_INGLES = re.compile(r"^Can (add|change|delete|view) (.+)$")


def traduzir_permissoes(apps, using: str) -> None:
    """Django names the default permissions in English at migrate ("Can add %s" % verbose_name_raw),
    and the user and group forms show those names: "Pode incluir <model verbose name>" instead."""
    Permission = apps.get_model("auth", "Permission")
    trocas = []
    for permissao in Permission.objects.using(using).filter(name__startswith="Can ").select_related("content_type"):
        achado = PADRAO_INGLES.match(permissao.name)
        if achado is None:
            continue
        try:
            modelo = global_apps.get_model(permissao.content_type.app_label, permissao.content_type.model)
            nome = str(modelo._meta.verbose_name)
        except LookupError:
            nome = achado.group(2)
        permissao.name = f"Pode {VERBOS[achado.group(1)]} {nome}"[:255]
        trocas.append(permissao)
    Permission.objects.using(using).bulk_update(trocas, ["name"], batch_size=500)
