"""Settings read from the environment; production refuses to start with a weak secret."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MIN_SECRET_LENGTH = 32
# Every checkout pings its connection first, so one the database closed while it sat in the
# pool (a restart, an idle timeout) is replaced instead of failing a request.
ENGINE_OPTIONS = {"pool_pre_ping": True}
_WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "development", "test", "password"}


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used safely."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _names(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """Names given as a comma-separated string or as a list, blanks left out."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [item.strip() for item in items if item.strip()]


def database_url(instance_path: str) -> str:
    """Return DATABASE_URL, defaulting to a SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "quizapp.sqlite")
    # Heroku-style URLs name the old scheme; route them to psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_weak_secret(value: str | None) -> bool:
    """Tell whether a secret key is missing, short or a well-known placeholder."""
    if not value:
        return True
    return len(value) < MIN_SECRET_LENGTH or value.strip().lower() in _WEAK_SECRETS


def _development_secret(instance_path: str) -> str:
    # Generated once and kept, so sessions survive restarts of the development server.
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    key = secrets.token_urlsafe(48)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key


def load_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration from environment variables, then apply `overrides`."""
    overrides = overrides or {}
    env = str(overrides.get("ENV_NAME") or os.environ.get("QUIZAPP_ENV", "development"))
    env = env.strip().lower()
    production = env == "production"
    secret = overrides.get("SECRET_KEY", os.environ.get("SECRET_KEY"))
    if production and is_weak_secret(secret):
        raise ConfigError(
            f"SECRET_KEY must be set to a random value of at least {MIN_SECRET_LENGTH} "
            "characters in production; generate one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
        )
    if not secret:
        secret = _development_secret(instance_path)
    # Host names the site answers to; any other Host (or X-Forwarded-Host) header gets a 400,
    # so no link or redirect is ever built from a forged one. Unset means any host.
    trusted_hosts = _names(overrides.get("TRUSTED_HOSTS", os.environ.get("TRUSTED_HOSTS"))) or None
    if production and not trusted_hosts:
        raise ConfigError(
            "TRUSTED_HOSTS must list the host names the site is served under in production "
            "(comma-separated, e.g. TRUSTED_HOSTS=quiz.example.com; a leading dot allows "
            "subdomains), so requests with a forged Host header are refused"
        )

    config: dict[str, Any] = {
        "ENV_NAME": env,
        "PRODUCTION": production,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": dict(ENGINE_OPTIONS),
        "SQLITE_BUSY_TIMEOUT_MS": _int("SQLITE_BUSY_TIMEOUT_MS", 5000),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_BYTES", 5 * 1024 * 1024),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": 60 * 60 * 24 * _int("REMEMBER_DAYS", 30),
        "WTF_CSRF_TIME_LIMIT": None,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "TRUSTED_HOSTS": trusted_hosts,
        "REDIS_URL": os.environ.get("REDIS_URL", "").strip() or None,
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        "BASE_URL": os.environ.get("BASE_URL", "").strip() or None,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip() or None,
        "MAIL_PORT": _int("MAIL_PORT", 587),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(os.environ.get("MAIL_USE_TLS"), True),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "quizapp@localhost"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        "PASSWORD_HASH_METHOD": "scrypt",
    }
    config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    config["RATELIMIT_HEADERS_ENABLED"] = True
    # Redis down or hung: keep limiting per process rather than failing or stalling requests.
    config["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    config["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    config.update(overrides)
    # Overrides may give the hosts as a string, as the environment does.
    config["TRUSTED_HOSTS"] = trusted_hosts
    return config
