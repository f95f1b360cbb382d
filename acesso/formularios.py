"""Login forms of /entrar/ and /admin/login/: Django's, plus the failed-login limit (acesso.tentativas)."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from acesso import tentativas


class LimiteDeTentativasMixin:
    def clean(self):
        usuario = self.cleaned_data.get("username") or ""
        if usuario and tentativas.bloqueado(self.request, usuario):
            _, minutos = tentativas.limite()
            raise ValidationError(
                f"Muitas tentativas de entrada sem sucesso para este usuário. Aguarde {minutos} minutos e tente de novo.",
                code="tentativas_excedidas",
            )
        try:
            dados = super().clean()
        except ValidationError:
            if usuario:
                tentativas.registrar_falha(self.request, usuario)
            raise
        tentativas.limpar(self.request, usuario)
        return dados


class EntradaForm(LimiteDeTentativasMixin, AuthenticationForm):
    pass


class EntradaAdminForm(LimiteDeTentativasMixin, AdminAuthenticationForm):
    pass
