from django.core.management.base import BaseCommand, CommandError

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.agendamentos import garantir_agendamento, intervalo_minutos
from carteira.sincronizacao.registros import ErroSincronizacao


class Command(BaseCommand):
    help = (
        "Sincroniza a carteira com o Odoo (ou com uma planilha xlsx/csv) preservando pré-separações e "
        "separações: compara com a memória, aplica reduções na hierarquia e só então atualiza a carteira."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Mostra as diferenças e as ações planejadas; não grava nada."
        )
        parser.add_argument(
            "--planilha", metavar="ARQUIVO", help="Importa de uma planilha .xlsx ou .csv em vez do Odoo."
        )
        parser.add_argument("--agendar", action="store_true", help="Cria/atualiza o agendamento django-q2 e sai.")
        parser.add_argument(
            "--permitir-carteira-vazia",
            action="store_true",
            help="Aceita uma origem sem nenhuma linha em carteira (remove todas as linhas do Odoo). Sem isso, é recusada.",
        )

    def handle(self, *args, **options):
        if options["agendar"]:
            agendamento = garantir_agendamento()
            if agendamento is None:
                self.stdout.write("Agendamento da sincronização desligado (CARTEIRA_SINCRONIZACAO_MINUTOS=0).")
            else:
                self.stdout.write(self.style.SUCCESS(f"Sincronização agendada a cada {intervalo_minutos()} minuto(s)."))
            return
        simular = options["dry_run"]
        opcoes = {
            "gatilho": SincronizacaoCarteira.Gatilho.COMANDO,
            "simular": simular,
            "permitir_vazia": options["permitir_carteira_vazia"],
        }
        try:
            if options["planilha"]:
                execucao = servico.sincronizar_planilha(options["planilha"], **opcoes)
            else:
                execucao = servico.sincronizar_odoo(**opcoes)
        except ErroSincronizacao as erro:
            raise CommandError(str(erro)) from None
        self.stdout.write(execucao.relatorio)
        if simular:
            self.stdout.write(self.style.WARNING("Simulação (--dry-run): nada foi gravado."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Carteira sincronizada: {execucao.linhas_novas} novas, {execucao.linhas_removidas} removidas, "
                    f"{execucao.linhas_reduzidas} reduzidas, {execucao.linhas_aumentadas} aumentadas, "
                    f"{execucao.linhas_alteradas} alteradas, {execucao.alertas} alerta(s)."
                )
            )
