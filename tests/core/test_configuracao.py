"""Fail-safe settings: no start without a real SECRET_KEY when DEBUG is off; HTTPS, HSTS and secure
cookies by default in production; the deployment check passes with the README's production
environment. Each case imports the settings in a fresh process with its own environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.core.exceptions import ValidationError

RAIZ = Path(__file__).resolve().parents[2]
CHAVE = "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz"  # 56 characters, not a development key
# The production environment of the README (section "Produção").
PRODUCAO = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": CHAVE,
    "DJANGO_ALLOWED_HOSTS": "estoque.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://estoque.example.com",
    "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "DJANGO_SECURE_HSTS_PRELOAD": "1",
}
LER = (
    "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({"
    "'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, 'sessao': s.SESSION_COOKIE_SECURE, "
    "'csrf': s.CSRF_COOKIE_SECURE, 'origens': s.CSRF_TRUSTED_ORIGINS, "
    "'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None)}))"
)


def rodar(ambiente: dict, *argumentos: str) -> subprocess.CompletedProcess:
    # Only the settings' own variables (and the basics): nothing the test run itself set.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ESTOQUE_LIMITE"))}
    env = {**base, "DJANGO_SETTINGS_MODULE": "estoque_project.settings", **ambiente}
    return subprocess.run([sys.executable, *argumentos], cwd=RAIZ, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "chave",
    ["", "curta-demais", "django-insecure-" + "x" * 60],
    ids=["ausente", "curta", "de-desenvolvimento"],
)
def test_sem_chave_de_verdade_nao_sobe(chave):
    resultado = rodar({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": chave}, "-c", "import django; django.setup()")
    assert resultado.returncode != 0
    assert "ImproperlyConfigured" in resultado.stderr
    assert "DJANGO_SECRET_KEY ausente, curta (menos de 50 caracteres) ou de desenvolvimento" in resultado.stderr


def test_producao_segura_por_padrao_e_desenvolvimento_sem_chave():
    producao = rodar({"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": CHAVE}, "-c", LER)
    assert producao.returncode == 0, producao.stderr
    assert json.loads(producao.stdout) == {
        "redirect": True,
        "hsts": 31536000,
        "sessao": True,
        "csrf": True,
        "origens": [],
        "proxy": None,
    }
    ajustada = rodar(
        {
            **PRODUCAO,
            "DJANGO_SECURE_HSTS_SECONDS": "3600",
            "DJANGO_CSRF_TRUSTED_ORIGINS": "https://a.example.com,https://b.example.com",
            "DJANGO_SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        },
        "-c",
        LER,
    )
    assert json.loads(ajustada.stdout)["hsts"] == 3600
    assert json.loads(ajustada.stdout)["origens"] == ["https://a.example.com", "https://b.example.com"]
    assert json.loads(ajustada.stdout)["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    desenvolvimento = rodar({"DJANGO_DEBUG": "1"}, "-c", LER)  # no key needed, nothing forced to HTTPS
    assert desenvolvimento.returncode == 0, desenvolvimento.stderr
    assert json.loads(desenvolvimento.stdout)["redirect"] is False


def test_check_deploy_limpo_com_o_ambiente_de_producao():
    limpo = rodar(PRODUCAO, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert limpo.returncode == 0, limpo.stdout + limpo.stderr
    assert "no issues" in limpo.stdout
    # The check can fail: without HSTS on subdomains it warns (W005) and the run fails.
    sem_subdominios = {**PRODUCAO, "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS": "0"}
    aviso = rodar(sem_subdominios, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert aviso.returncode != 0 and "security.W005" in aviso.stdout + aviso.stderr


def test_os_quatro_validadores_de_senha():
    nomes = {type(v).__name__ for v in get_default_password_validators()}
    assert nomes == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }
    for fraca in ("12345678", "password", "curta"):
        with pytest.raises(ValidationError):
            validate_password(fraca)
    validate_password("estoque-tempo-real-2026")
