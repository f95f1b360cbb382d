"""The import pipeline: receive, preview, apply (exactly what was previewed), undo, discard.

Small files are previewed and applied in the request; above ESTOQUE_IMPORTACAO_BYTES_FUNDO
the preview runs on the django-q2 cluster (core.importacoes.tarefas) and the apply is a
background job of the confirming user (core.trabalhos, "importacao"); the page shows their
progress (core.importacoes.progresso). Nothing is ever half-written: an apply is one
transaction holding the Importacao row; any refused row rolls everything back.
"""

import hashlib
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import autoria, colunas, planilhas, valores
from core.autoria import Origem
from core.importacoes import (
    Erro,
    ErrosDaLinha,
    Importador,
    Linha,
    erros_de_validacao,
    importador,
    progresso,
    visivel,
)
from core.limites import erro_de_tamanho, max_bytes_upload
from core.models import Importacao

logger = logging.getLogger(__name__)
Status = Importacao.Status
MAX_ERROS = 500  # listed on the page; the count says how many more


class ErroImportacao(ValueError):
    """An action refused (pt-BR message); nothing was written."""


def _local(momento) -> str:
    return f"{timezone.localtime(momento):%d/%m/%Y às %H:%M}"


def _tipo(tipo: str) -> Importador:
    encontrado = importador(tipo)
    if encontrado is None:
        raise ErroImportacao(f"Tipo de importação desconhecido: {tipo}.")
    return encontrado


def em_segundo_plano(tamanho: int) -> bool:
    return tamanho > settings.ESTOQUE_IMPORTACAO_BYTES_FUNDO


def anterior_aplicada(tipo: str, impressao: str, exceto: int | None = None) -> Importacao | None:
    """The last applied import of the same file (same bytes), if any."""
    return (
        Importacao.objects.filter(tipo=tipo, impressao_digital=impressao, status=Status.APLICADA)
        .exclude(pk=exceto)
        .order_by("-aplicada_em")
        .first()
    )


# ---------------------------------------------------------------- receive and preview


def receber(arquivo, tipo: str, usuario: str) -> Importacao:
    """Keeps the uploaded file and previews it (now, or queued when it is large)."""
    _tipo(tipo)
    conteudo = arquivo.read(max_bytes_upload() + 1)
    mensagem = erro_de_tamanho(max(len(conteudo), getattr(arquivo, "size", None) or 0))
    if mensagem:
        raise ErroImportacao(mensagem)
    if not conteudo:
        raise ErroImportacao("O arquivo está vazio.")
    impressao = hashlib.sha256(conteudo).hexdigest()
    importacao = Importacao.objects.create(
        tipo=tipo,
        arquivo_nome=visivel(getattr(arquivo, "name", "") or "planilha")[:255],
        impressao_digital=impressao,
        tamanho=len(conteudo),
        conteudo=conteudo,
        usuario=usuario,
        repete=anterior_aplicada(tipo, impressao),
    )
    if em_segundo_plano(len(conteudo)):
        from core.importacoes import tarefas

        tarefas.enfileirar(tarefas.previsualizar, importacao.pk)
    else:
        previsualizar(importacao.pk)
        importacao.refresh_from_db()
    return importacao


def ler(importacao: Importacao, avancar=None) -> tuple[list[Linha], list[Erro], list[str], int]:
    """(valid rows, errors, warnings, data rows): the stored bytes through the importer."""
    tipo = _tipo(importacao.tipo)
    try:
        linhas_arquivo = planilhas.ler_arquivo(bytes(importacao.conteudo or b""), importacao.arquivo_nome)
    except planilhas.ErroPlanilha as erro:
        return [], [Erro(None, "", "", str(erro))], [], 0
    try:
        cabecalho = colunas.localizar_cabecalho(linhas_arquivo, tipo.colunas)
    except colunas.ErroCabecalho as erro:
        return [], [Erro(None, "", "", str(erro))], [], 0
    avisos = []
    if cabecalho.nao_reconhecidas:
        lista = ", ".join(f"“{nome}”" for nome in cabecalho.nao_reconhecidas)
        avisos.append(visivel(f"Colunas ignoradas (não reconhecidas): {lista}."))
    validas: list[Linha] = []
    erros: list[Erro] = []
    dados_linhas = [
        (numero, linha)
        for numero, linha in enumerate(linhas_arquivo[cabecalho.linha :], start=cabecalho.linha + 1)
        if not planilhas.vazia(linha)
    ]
    total = len(dados_linhas)
    for feitas, (numero, linha) in enumerate(dados_linhas, start=1):
        brutos = colunas.valores(linha, cabecalho)
        try:
            validas.append(Linha(numero, tipo.converter(brutos), brutos))
        except ErrosDaLinha as problema:
            for nome, mensagem in problema.erros.items():
                erros.append(Erro(numero, tipo.rotulo(nome), valores.como_digitado(brutos.get(nome)), mensagem))
        if avancar and feitas % 200 == 0:
            avancar(feitas, total)
    if not total:
        erros.append(Erro(None, "", "", "A planilha não tem nenhuma linha de dados abaixo do cabeçalho."))
    erros.extend(tipo.conferir(validas))
    erros.sort(key=lambda erro: erro.linha or 0)  # as the spreadsheet reads: the file's own problems first
    return validas, erros, avisos, total


def previsualizar(importacao_id: int):
    importacao = Importacao.objects.get(pk=importacao_id)
    if importacao.status not in (Status.RECEBIDA, Status.LENDO):
        return
    Importacao.objects.filter(pk=importacao_id).update(status=Status.LENDO)

    def avancar(feitas, total):
        progresso.marcar(importacao_id, "Lendo as linhas", feitas, total)

    try:
        validas, erros, avisos, total = ler(importacao, avancar)
        tabelas = [] if erros else [t.como_dict() for t in _tipo(importacao.tipo).totais(validas)]
    except Exception:
        logger.exception("prévia da importação %s falhou", importacao_id)
        Importacao.objects.filter(pk=importacao_id).update(
            status=Status.RECUSADA,
            erros=[Erro(None, "", "", "Erro inesperado ao ler a planilha; nada foi gravado.").como_dict()],
        )
        progresso.limpar(importacao_id)
        raise
    Importacao.objects.filter(pk=importacao_id).update(
        status=Status.RECUSADA if erros else Status.PREVIA,
        linhas=total,
        erros=[e.como_dict() for e in erros[:MAX_ERROS]],
        avisos=avisos + ([f"Mais {len(erros) - MAX_ERROS} erro(s) não listados."] if len(erros) > MAX_ERROS else []),
        totais={"tabelas": tabelas},
    )
    progresso.limpar(importacao_id)


# ---------------------------------------------------------------- apply


def _exigir(importacao: Importacao, *status: str):
    if importacao.status not in status:
        raise ErroImportacao(
            f"A importação nº {importacao.pk} está “{importacao.get_status_display()}”: esta ação não se aplica."
        )


def _conferir_repeticao(importacao: Importacao, repetir: bool):
    anterior = anterior_aplicada(importacao.tipo, importacao.impressao_digital, exceto=importacao.pk)
    if anterior is not None and not repetir:
        raise ErroImportacao(
            f"Este arquivo já foi importado em {_local(anterior.aplicada_em)} por {anterior.aplicada_por or anterior.usuario} "
            f"(importação nº {anterior.pk}). Para importar de novo, marque “Importar de novo mesmo assim”."
        )


def pedir_aplicacao(importacao_id: int, usuario: str, repetir: bool = False) -> Importacao:
    """The confirm button: applies now, or queues it for a large file."""
    importacao = Importacao.objects.get(pk=importacao_id)
    _exigir(importacao, Status.PREVIA)
    _conferir_repeticao(importacao, repetir)
    if not em_segundo_plano(importacao.tamanho):
        return aplicar(importacao_id, usuario, repetir)
    # A large file: the apply is a background job (core.trabalhos) of the confirming user.
    from core.trabalhos import ErroTrabalho
    from core.trabalhos import servico as trabalhos

    dono = autoria.usuario_por_nome(usuario)
    if dono is None:
        raise ErroImportacao(f"Usuário desconhecido: {usuario}.")
    with transaction.atomic():
        travada = Importacao.objects.select_for_update().get(pk=importacao_id)
        _exigir(travada, Status.PREVIA)
        travada.status = Status.NA_FILA
        travada.confirmou_repeticao = repetir
        travada.aplicada_por = usuario
        travada.save(update_fields=["status", "confirmou_repeticao", "aplicada_por"])
    try:
        travada.trabalho = trabalhos.iniciar(
            TRABALHO_APLICAR,
            dono,
            {"importacao": importacao_id, "repetir": repetir},
            titulo=f"Aplicar a importação nº {importacao_id} ({travada.arquivo_nome})",
        )
    except ErroTrabalho as erro:
        # Not queued: the import goes back to its preview, still confirmable.
        Importacao.objects.filter(pk=importacao_id, status=Status.NA_FILA).update(
            status=Status.PREVIA, aplicada_por="", confirmou_repeticao=False
        )
        raise ErroImportacao(str(erro)) from None
    return travada


TRABALHO_APLICAR = "importacao"


def aplicar_em_segundo_plano(trabalho, progresso):
    """The background job of a large file's apply (registered in CoreConfig.ready): the same
    apply, as the confirming user ("importação nº n", core.autoria)."""
    from django.urls import reverse

    from core.trabalhos import ErroTrabalho, Resultado

    dados = trabalho.parametros
    progresso(0, 0, "Conferindo a planilha de novo")
    try:
        importacao = aplicar(
            dados["importacao"],
            trabalho.usuario.get_username(),
            dados.get("repetir", False),
            avancar=lambda feitas, total: progresso(feitas, total, "Gravando"),
        )
    except ErroImportacao as erro:
        raise ErroTrabalho(str(erro)) from None
    progresso(importacao.linhas, importacao.linhas, "Gravada")
    return Resultado(resumo=importacao.resultado, link=reverse("importacoes:detalhe", args=[importacao.pk]))


def aplicar(importacao_id: int, usuario: str, repetir: bool = False, avancar=None) -> Importacao:
    """Reads the stored file again and writes it, only if it still gives the previewed totals.
    `avancar(feitas, total)`: the write's progress (a background job's)."""
    try:
        with transaction.atomic():
            importacao = Importacao.objects.select_for_update().get(pk=importacao_id)
            _exigir(importacao, Status.PREVIA, Status.NA_FILA)
            _conferir_repeticao(importacao, repetir)
            tipo = _tipo(importacao.tipo)
            validas, erros, _, _ = ler(importacao)
            if erros:
                raise ErroImportacao(
                    "A planilha não passa mais na conferência (o cadastro ou os dados mudaram desde a prévia): "
                    + "; ".join(_texto_erro(e) for e in erros[:5])
                    + ". Nada foi gravado; envie o arquivo de novo para ver a prévia atual."
                )
            if {"tabelas": [t.como_dict() for t in tipo.totais(validas)]} != importacao.totais:
                raise ErroImportacao(
                    "Os totais mudaram desde a prévia; nada foi gravado. Envie o arquivo de novo para ver a prévia atual."
                )

            def gravando(feitas, total):
                progresso.marcar(importacao_id, "Gravando", feitas, total)
                if avancar is not None:
                    avancar(feitas, total)

            try:
                with _como_importacao(importacao, usuario):
                    resumo = tipo.aplicar(validas, importacao, usuario, gravando)
            except ValidationError as erro:
                raise ErroImportacao(
                    f"Recusada ao gravar, nada foi gravado: {'; '.join(erros_de_validacao(erro).values())}"
                ) from None
            importacao.status = Status.APLICADA
            importacao.confirmou_repeticao = repetir
            importacao.aplicada_em = timezone.now()
            importacao.aplicada_por = usuario
            importacao.resultado = resumo
            importacao.save()
    except IntegrityError:
        # Another confirmation of the same file committed first (importacao_arquivo_aplicado_uma_vez).
        _falhou(importacao_id, "O mesmo arquivo acabou de ser importado por outra confirmação; nada foi gravado.")
        raise ErroImportacao(
            "O mesmo arquivo acabou de ser importado por outra confirmação; nada foi gravado."
        ) from None
    except ErroImportacao as erro:
        _falhou(importacao_id, str(erro))
        raise
    finally:
        progresso.limpar(importacao_id)
    return importacao


def _como_importacao(importacao: Importacao, usuario: str):
    """The rows an import writes (or undoes) are the confirming user's, from "importação nº n",
    also when a django-q2 worker applies them (core.autoria)."""
    return autoria.atuando(Origem.IMPORTACAO, rotulo=f"importação nº {importacao.pk}", usuario=usuario)


def _texto_erro(erro: Erro) -> str:
    onde = f"linha {erro.linha}" if erro.linha else "arquivo"
    coluna = f", {erro.coluna}" if erro.coluna else ""
    return f"{onde}{coluna}: {erro.mensagem}"


def _falhou(importacao_id: int, mensagem: str):
    """A queued apply that was refused says so on its page; one still in preview stays confirmable."""
    Importacao.objects.filter(pk=importacao_id, status=Status.NA_FILA).update(
        status=Status.FALHOU, resultado=visivel(mensagem)
    )


# ---------------------------------------------------------------- undo, discard


def desfazer(importacao_id: int, usuario: str) -> Importacao:
    with transaction.atomic():
        importacao = Importacao.objects.select_for_update().get(pk=importacao_id)
        _exigir(importacao, Status.APLICADA)
        tipo = _tipo(importacao.tipo)
        if not tipo.reversivel:
            raise ErroImportacao(f"Importações de {tipo.titulo.lower()} não podem ser desfeitas.")
        try:
            with _como_importacao(importacao, usuario):
                resumo = tipo.desfazer(importacao, usuario)
        except ValidationError as erro:
            raise ErroImportacao(
                f"Não foi possível desfazer, nada foi alterado: {'; '.join(erros_de_validacao(erro).values())}"
            ) from None
        importacao.status = Status.DESFEITA
        importacao.desfeita_em = timezone.now()
        importacao.desfeita_por = usuario
        importacao.resultado = f"{importacao.resultado}\nDesfeita: {resumo}".strip()
        importacao.save()
    return importacao


def descartar(importacao_id: int, usuario: str) -> Importacao:
    with transaction.atomic():
        importacao = Importacao.objects.select_for_update().get(pk=importacao_id)
        _exigir(importacao, Status.PREVIA, Status.RECUSADA, Status.FALHOU)
        importacao.status = Status.DESCARTADA
        importacao.conteudo = None  # nothing will read it again
        importacao.resultado = f"Descartada por {usuario}."
        importacao.save()
    return importacao
