from core.comandos import Comando
from estoque.services.agendamentos import garantir_agendamentos


class Command(Comando):
    help = "Cria ou atualiza os agendamentos django-q2 (reconciliação e virada do dia). Idempotente."

    def handle(self, *args, **options):
        garantir_agendamentos()
        self.stdout.write(self.style.SUCCESS("Agendamentos de estoque criados/atualizados."))
