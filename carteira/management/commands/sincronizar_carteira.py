from django.core.management.base import CommandError

from carteira.models import SincronizacaoCarteira
from carteira.sincronizacao import servico
from carteira.sincronizacao.agendamentos import garantir_agendamento, intervalo_minutos
from carteira.sincronizacao.registros import ErroSincronizacao
from core.comandos import BarraDeProgresso, Comando

ULTIMA = "ultima"
Status = SincronizacaoCarteira.Status
Origem = SincronizacaoCarteira.Origem


class Command(Comando):
    help = (
        "Sincroniza a carteira com o Odoo (ou com uma planilha xlsx/csv) preservando pré-separações e "
        "separações: compara com a memória, aplica reduções na hierarquia e só então atualiza a carteira. "
        "Uma execução que removeria linhas demais ou mexeria em separações COTADO/EMBARCADO para antes de gravar "
        "e espera --confirmar."
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
            "--confirmar",
            nargs="?",
            const=ULTIMA,
            metavar="Nº",
            help=(
                "Confirma a execução parada aguardando confirmação (a última da mesma origem, ou a de número Nº): "
                "lê a origem de novo (uma planilha: a guardada com a execução, não o arquivo dado) e aplica o "
                "plano novo se ele continuar dentro do confirmado."
            ),
        )

    def _alvo(self, opcao: str, origem: str) -> SincronizacaoCarteira:
        if opcao == ULTIMA:
            alvo = servico.aguardando(origem)
            if alvo is None:
                raise CommandError(
                    f"Nenhuma sincronização ({Origem(origem).label}) está aguardando confirmação: nada a confirmar."
                )
            return alvo
        try:
            return SincronizacaoCarteira.objects.get(pk=int(opcao))
        except (ValueError, SincronizacaoCarteira.DoesNotExist):
            raise CommandError(f"--confirmar {opcao}: não há sincronização com esse número.") from None

    def handle(self, *args, **options):
        if options["agendar"]:
            agendamento = garantir_agendamento()
            if agendamento is None:
                self.stdout.write("Agendamento da sincronização desligado (CARTEIRA_SINCRONIZACAO_MINUTOS=0).")
            else:
                self.stdout.write(self.style.SUCCESS(f"Sincronização agendada a cada {intervalo_minutos()} minuto(s)."))
            return
        simular, planilha = options["dry_run"], options["planilha"]
        if simular and options["confirmar"]:
            raise CommandError("--dry-run e --confirmar não combinam: a simulação nunca grava.")
        gatilho = SincronizacaoCarteira.Gatilho.COMANDO
        progresso = BarraDeProgresso(self.stdout)
        try:
            if options["confirmar"]:
                alvo = self._alvo(options["confirmar"], Origem.PLANILHA if planilha else Origem.ODOO)
                self.stdout.write(f"Confirmando a execução nº {alvo.pk}: lendo a carteira de novo.")
                execucao = servico.confirmar(alvo, gatilho=gatilho, progresso=progresso)
            elif planilha:
                execucao = servico.sincronizar_planilha(planilha, gatilho=gatilho, simular=simular, progresso=progresso)
            else:
                execucao = servico.sincronizar_odoo(gatilho=gatilho, simular=simular, progresso=progresso)
        except ErroSincronizacao as erro:
            raise CommandError(str(erro)) from None
        finally:
            progresso.fechar()
        self.stdout.write(execucao.relatorio)
        if execucao.status == Status.AGUARDANDO_CONFIRMACAO:
            self.stdout.write(self.style.WARNING(servico.resumo(execucao)))
            comando = f"manage.py sincronizar_carteira{f' --planilha {planilha}' if planilha else ''}"
            raise CommandError(
                f"Nada foi gravado. Para aplicar, confira o plano acima e rode: {comando} --confirmar {execucao.pk}"
            )
        if simular:
            self.stdout.write(self.style.WARNING("Simulação (--dry-run): nada foi gravado."))
        else:
            self.stdout.write(self.style.SUCCESS(servico.resumo(execucao)))
