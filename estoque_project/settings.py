"""Settings: SQLite by default (embedded, under data/), PostgreSQL when DATABASE_URL is set.

Fail-safe: with DEBUG off (the default) the process refuses to start without a real
SECRET_KEY, and HTTPS redirect, HSTS and secure cookies are on unless turned off by name
(`dev.py run` and the tests turn them off: they serve plain http on 127.0.0.1).
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("ESTOQUE_DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on", "sim"}


def env_lista(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
CHAVE_DESENVOLVIMENTO = "django-insecure-somente-desenvolvimento-com-DJANGO_DEBUG-1-nunca-em-producao"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure-")):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY ausente, curta (menos de 50 caracteres) ou de desenvolvimento, com DJANGO_DEBUG "
        "desligado: o sistema não sobe assim. Gere uma chave com "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'` e defina DJANGO_SECRET_KEY "
        "(ou DJANGO_DEBUG=1 só em desenvolvimento; `python3 dev.py run` já cuida disso)."
    )
SECRET_KEY = SECRET_KEY or CHAVE_DESENVOLVIMENTO
ALLOWED_HOSTS = env_lista("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")

# HTTPS. Secure by default with DEBUG off; each can be turned off by name (plain http in
# development) or tuned. See the README's configuration table.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
CSRF_TRUSTED_ORIGINS = env_lista("DJANGO_CSRF_TRUSTED_ORIGINS")
# Opt-in, only behind a proxy that sets the header itself: "HTTP_X_FORWARDED_PROTO" (value
# https) or "HEADER,value". A client could forge it if the proxy passed it through.
if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER", "").strip():
    _cabecalho, _, _valor = os.environ["DJANGO_SECURE_PROXY_SSL_HEADER"].strip().partition(",")
    SECURE_PROXY_SSL_HEADER = (_cabecalho.strip(), _valor.strip() or "https")
SESSION_COOKIE_HTTPONLY = True
# Sessions whose row names their user: on PostgreSQL a request reads its session, its user and
# the user's permissions in one statement (core.sessoes).
SESSION_ENGINE = "core.sessoes"
# The health check answers load balancers on plain http too (they probe the backend directly).
SECURE_REDIRECT_EXEMPT = [r"^saude/$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

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
    "csp",
    "simple_history",  # the history of the source rows (core.historico)
    "core",
    "estoque",
    "producao",
    "carteira",
    "embarques",
    "relatorios",
    "demo",  # it writes every domain app's tables (gerar_dados_demo)
    "acesso",  # last: its roles cite every app's permissions (acesso/papeis.py)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware: its response hook runs last, so every response
    # (pages, admin, API, redirects, 403/404/500 pages) leaves with the policy.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF and the views: a request carrying control characters is refused whole.
    "core.middleware.EntradaSeguraMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the views (and DRF, which sets request.user on its way): every refused write, logged once.
    "core.middleware.RegistroRecusasMiddleware",
    # Who writes, from where (core.autoria): the history and the services read it.
    "core.middleware.AutoriaMiddleware",
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
                "acesso.navegacao.menu",
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
        # Health checks: a connection reused after a PostgreSQL restart is tested before the
        # request uses it (and replaced), instead of failing that request.
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")), conn_health_checks=True
        )
    }
    # The ASGI server (asgi.py sets DB_POOL_MAX): a request's sync code runs in a thread that
    # ends with it, so connections are not kept per thread but in psycopg's pool, shared by
    # the process's threads (Django's advice for ASGI). With CONN_HEALTH_CHECKS the pool
    # tests a connection before handing it out (a PostgreSQL restart costs no request).
    if int(os.environ.get("DB_POOL_MAX", "0")) > 0:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": int(os.environ["DB_POOL_MAX"]),
            "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
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

# models.W040: SQLite keeps the covering indexes without their INCLUDE columns (an index-only read
# on PostgreSQL, a plain index on SQLite): nothing to fix, so not a warning on every command.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# ModelBackend reading a user's permissions with the user (core.backend_permissoes). Django's own
# stays second so sessions opened before still resolve their user (it reads the same cache).
AUTHENTICATION_BACKENDS = ["core.backend_permissoes.BackendPermissoes", "django.contrib.auth.backends.ModelBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface is Portuguese only: no LocaleMiddleware, so every page (the admin included) is
# pt-BR (texts, dd/mm/aaaa, 1.234,56) whatever language the browser asks for.
LANGUAGE_CODE = "pt-br"
TIME_ZONE = "America/Sao_Paulo"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# The project's catalog comes first: it completes and corrects the pt-BR of the libraries
# (django-import-export, django-q2) and of Django's admin. Its django.mo is committed.
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Content-Security-Policy (django-csp 4): scripts and styles only from our own origin, no
# inline code at all. Data reaches scripts through data- attributes, <meta> or json_script,
# and every client-side render uses text nodes (tests/core/test_csp.py guards both).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGIN_URL = "/entrar/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/entrar/"

# Failed logins (/entrar/ and /admin/login/) allowed per username and address within the window.
ESTOQUE_LOGIN_TENTATIVAS = int(os.environ.get("ESTOQUE_LOGIN_TENTATIVAS", "5"))
ESTOQUE_LOGIN_JANELA_MINUTOS = int(os.environ.get("ESTOQUE_LOGIN_JANELA_MINUTOS", "15"))
# API throttles per user (core.api): every write, and the background ruptura analysis.
ESTOQUE_LIMITES_API = {
    "escritas": os.environ.get("ESTOQUE_LIMITE_ESCRITAS", "120/min"),
    "ruptura": os.environ.get("ESTOQUE_LIMITE_RUPTURA", "10/min"),
}
# Export from the admin needs the model's view permission (import needs add and change: core.admin).
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

REST_FRAMEWORK = {
    # Token first: an anonymous call gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # A view that declares no model or permissions fails loudly (core.permissoes.PermissaoModelo).
    "DEFAULT_PERMISSION_CLASSES": ["core.permissoes.PermissaoModelo"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's JSON, byte for byte, written by orjson (core.renderizadores: the workspace read's hot path).
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderizadores.RenderizadorJSON",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
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

# The login and API throttle counters live in the cache: shared through Redis when
# REDIS_URL is set (several web processes), else per process.
CACHES: dict[str, Any] = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# What the web server and the cluster's workers both read (an import's progress): files on
# this machine, or Redis when REDIS_URL is set.
CACHE_COMPARTILHADO: dict[str, Any] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": str(DATA_DIR / "cache"),
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
    # The per-order ruptura analysis runs on a cluster of its own (Q_CLUSTER_NAME=ruptura
    # manage.py qcluster): however many analyses are queued, they never delay the
    # reconciliation, the midnight rollover or the carteira sync of the default cluster.
    "ALT_CLUSTERS": {
        "ruptura": {"workers": int(os.environ.get("Q_WORKERS_RUPTURA", "2")), "timeout": 600, "retry": 900},
    },
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CACHE_COMPARTILHADO = CACHES["default"]
else:
    Q_CLUSTER["orm"] = "default"
    # The clusters' heartbeat (django_q.status.Stat, every half second) goes to the broker's
    # cache: the shared one, so the web processes see it (/saude/, /operacao/).
    Q_CLUSTER["cache"] = "compartilhado"
CACHES["compartilhado"] = CACHE_COMPARTILHADO

# Real-time stock settings.
# django-q2 schedules count in whole minutes: the sweep runs every N minutes (1 = every 60 s).
ESTOQUE_RECONCILIACAO_MINUTOS = int(os.environ.get("ESTOQUE_RECONCILIACAO_MINUTOS", "1"))
# Catalogs up to this size are verified whole on every run; bigger ones walk in batches of it.
ESTOQUE_RECONCILIACAO_LOTE = int(os.environ.get("ESTOQUE_RECONCILIACAO_LOTE", "2000"))
ESTOQUE_CANAL_NOTIFY = "estoque"
# Ruptura alerts (estoque.services.alertas): e-mailed to these addresses, comma separated (empty: none).
ESTOQUE_ALERTAS_EMAILS = [e.strip() for e in os.environ.get("ESTOQUE_ALERTAS_EMAILS", "").split(",") if e.strip()]
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "estoque@localhost")
RUPTURA_CANAL_NOTIFY = "ruptura"
# Spreadsheet imports larger than this (bytes) are previewed and applied by the cluster,
# with a progress bar; smaller ones in the request.
ESTOQUE_IMPORTACAO_BYTES_FUNDO = int(os.environ.get("ESTOQUE_IMPORTACAO_BYTES_FUNDO", str(150 * 1024)))
# Background jobs (core.trabalhos): result files are kept this many days; a job that reports no
# progress for this many minutes (its worker was killed; Q_CLUSTER timeout is 10 min) is failed.
TRABALHOS_DIR = Path(os.environ.get("TRABALHOS_DIR", DATA_DIR / "trabalhos"))
TRABALHOS_DIAS_ARQUIVOS = int(os.environ.get("TRABALHOS_DIAS_ARQUIVOS", "7"))
TRABALHOS_SEM_PROGRESSO_MINUTOS = int(os.environ.get("TRABALHOS_SEM_PROGRESSO_MINUTOS", "15"))
# Excel exports with more data rows than this (estimated by a count) run as a background job.
RELATORIOS_LINHAS_FUNDO = int(os.environ.get("RELATORIOS_LINHAS_FUNDO", "20000"))
RUPTURA_CLUSTER = "ruptura"  # Q_CLUSTER["ALT_CLUSTERS"]
# A request for the same set of orders within this window reuses the analysis (running or done).
RUPTURA_REUSO_SEGUNDOS = int(os.environ.get("RUPTURA_REUSO_SEGUNDOS", "60"))
# Analyses older than this are deleted by the daily cleanup (carteira.ruptura.tasks.limpar_analises).
RUPTURA_RETENCAO_HORAS = int(os.environ.get("RUPTURA_RETENCAO_HORAS", "24"))

# Live screens (Server-Sent Events, served by the ASGI server): one LISTEN connection per
# process on these channels (core.hub); caps per user and per process (beyond them 429 and
# the page polls); the catch-up margin for a transaction that commits after stamping its rows.
SSE_CANAIS_NOTIFY = [ESTOQUE_CANAL_NOTIFY, RUPTURA_CANAL_NOTIFY]
SSE_STREAMS_POR_USUARIO = int(os.environ.get("SSE_STREAMS_POR_USUARIO", "4"))
SSE_STREAMS_POR_PROCESSO = int(os.environ.get("SSE_STREAMS_POR_PROCESSO", "200"))
SSE_MARGEM_SEGUNDOS = 30

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

# Logs on the console (stderr): readable lines by default, one JSON object per line with
# ESTOQUE_LOG_JSON=1 (for a log collector); both carry the `extra` fields of each call
# (core/logs.py; what is logged: docs/arquitetura.md, "Logs e saúde").
ESTOQUE_LOG_JSON = env_bool("ESTOQUE_LOG_JSON", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "legivel": {"()": "core.logs.FormatadorLegivel"},
        "json": {"()": "core.logs.FormatadorJSON"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json" if ESTOQUE_LOG_JSON else "legivel"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Static files straight from the app folders, also under runserver without DEBUG.
WHITENOISE_USE_FINDERS = True
