"""Settings: SQLite by default (embedded, under data/), PostgreSQL when DATABASE_URL is set."""

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ESTOQUE_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on", "sim"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served locally: the machines have no CDN
    "import_export",
    "django_q",
    "core",
    "estoque",
    "producao",
    "carteira",
    "embarques",
    "relatorios",
    "demo",  # last: it writes every domain app's tables (gerar_dados_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF and the views: a request carrying control characters is refused whole.
    "core.middleware.EntradaSeguraMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "estoque_project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "estoque_project.wsgi.application"
ASGI_APPLICATION = "estoque_project.asgi.application"

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
# Any: dj_database_url's TypedDict would otherwise fix the type (NAME: str, not the Path below).
DATABASES: dict[str, Any]
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")))
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "estoque.sqlite3",
            # IMMEDIATE: a writer takes the write lock at BEGIN, so two writers queue
            # instead of failing with "database is locked" halfway through.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30, "init_command": "PRAGMA journal_mode=WAL;"},
        }
    }
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["TEST_DATABASE_NAME"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "pt-br"
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

LOGIN_URL = "/admin/login/"
LOGIN_REDIRECT_URL = "/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
    "DATE_FORMAT": "iso-8601",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Estoque em Tempo Real",
    "DESCRIPTION": "Estoque atual, projeção D0..D28, rupturas e workspace de montagem de pedidos.",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request bodies get their own components, which state what validation enforces
    # (core.esquema: patterns of text and dates); responses describe what is stored.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.esquema.postprocessar"],
    # The two statuses a pré-separação takes (it shows three: carteira.serializers).
    "ENUM_NAME_OVERRIDES": {"StatusPreSeparacaoAceitoEnum": ["CRIADO", "RECOMPOSTO"]},
}

# django-q2: ORM broker by default (works on SQLite), Redis when REDIS_URL is set.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
Q_CLUSTER = {
    "name": "estoque",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 600,
    "retry": 900,
    "max_attempts": 1,
    "catch_up": False,
    "label": "Tarefas",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Real-time stock settings.
# django-q2 schedules count in whole minutes: the sweep runs every N minutes (1 = every 60 s).
ESTOQUE_RECONCILIACAO_MINUTOS = int(os.environ.get("ESTOQUE_RECONCILIACAO_MINUTOS", "1"))
# Catalogs up to this size are verified whole on every run; bigger ones walk in batches of it.
ESTOQUE_RECONCILIACAO_LOTE = int(os.environ.get("ESTOQUE_RECONCILIACAO_LOTE", "2000"))
ESTOQUE_CANAL_NOTIFY = "estoque"

# Bounded input (core/limites.py). Business dates (movements, schedules, allocations, carteira,
# embarques) are accepted from this many years before today to this many years after it.
ESTOQUE_DATAS_ANOS_ANTES = int(os.environ.get("ESTOQUE_DATAS_ANOS_ANTES", "5"))
ESTOQUE_DATAS_ANOS_DEPOIS = int(os.environ.get("ESTOQUE_DATAS_ANOS_DEPOIS", "2"))
# Uploaded files (spreadsheet imports, carteira sync) and request bodies, in bytes.
ESTOQUE_UPLOAD_MAX_BYTES = int(os.environ.get("ESTOQUE_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# Data rows of an imported spreadsheet (xlsx or csv).
ESTOQUE_PLANILHA_MAX_LINHAS = int(os.environ.get("ESTOQUE_PLANILHA_MAX_LINHAS", "200000"))
DATA_UPLOAD_MAX_MEMORY_SIZE = ESTOQUE_UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = ESTOQUE_UPLOAD_MAX_BYTES
# The first handler counts the bytes of each file and stops keeping them past the limit, so
# an oversized upload never fills the disk; the form then refuses it by its size.
FILE_UPLOAD_HANDLERS = [
    "core.uploads.LimiteUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Static files straight from the app folders, also under runserver without DEBUG.
WHITENOISE_USE_FINDERS = True
