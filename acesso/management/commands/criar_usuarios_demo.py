"""One demo user per role (acesso/papeis.py), staff so they can use the admin within their permissions.

Idempotent: a missing user is created with the given password; an existing one keeps its
password and gets its group and staff flag back.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from acesso.papeis import PAPEIS
from core.comandos import Comando


class Command(Comando):
    help = "Cria (se faltarem) os usuários de demonstração, um por papel, com a senha dada."

    def add_arguments(self, parser):
        parser.add_argument("--senha", required=True, help="senha dos usuários criados agora")

    def handle(self, *args, senha, **opcoes):
        usuarios = get_user_model().objects
        with transaction.atomic():
            for papel in PAPEIS:
                usuario, criado = usuarios.get_or_create(
                    username=papel.usuario_demo, defaults={"first_name": f"Demo {papel.nome}", "is_staff": True}
                )
                if criado:
                    usuario.set_password(senha)
                usuario.is_staff = usuario.is_active = True
                usuario.save()
                usuario.groups.add(Group.objects.get(name=papel.nome))
                if opcoes["verbosity"]:
                    acao = "criado" if criado else "já existia"
                    self.stdout.write(f"{papel.usuario_demo:<10} {papel.nome:<10} ({acao})")
