"""System checks: every stock source declares its contribution and its set-based twin.

Without a registered rule a source's writes would not move the derived tables; without
the set-based twin the reconciliation would "repair" right rows into wrong ones.
"""

from django.apps import apps
from django.core import checks

from estoque import registro
from estoque.fontes import FonteEstoque
from estoque.models import UnificacaoCodigos


@checks.register(checks.Tags.models)
def fontes_registradas(app_configs=None, **kwargs):
    erros = []
    faturamento = registro.faturamento()
    for model in apps.get_models():
        if not issubclass(model, FonteEstoque) or model is UnificacaoCodigos:
            continue
        if faturamento is not None and faturamento.model is model:
            continue
        try:
            regra = registro.regra(model)
        except LookupError:
            erros.append(
                checks.Error(
                    f"{model._meta.label} é uma fonte de estoque (FonteEstoque) sem contribuição registrada.",
                    hint="Registre uma estoque.registro.RegraFonte no AppConfig.ready do app.",
                    obj=model,
                    id="estoque.E001",
                )
            )
            continue
        if regra.agregado is None:
            erros.append(
                checks.Error(
                    f"{model._meta.label} registrou a contribuição por linha sem o equivalente em conjunto (agregado).",
                    hint="A reconciliação e o rebuild recalculam pela consulta agrupada: declare RegraFonte.agregado.",
                    obj=model,
                    id="estoque.E002",
                )
            )
    return erros
