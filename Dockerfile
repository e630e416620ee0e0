# One image for every process of Practicum: web (gunicorn), worker and beat
# (Celery) and the one-off `migrate`. See docker-compose.yml and docs/operations.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=cms.settings.production

# Fonts for the certificate PDFs (typst embeds them).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-liberation fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The processes run as this unprivileged account, never as root.
RUN groupadd --system --gid 10001 practicum \
    && useradd --system --uid 10001 --gid practicum --home-dir /app --shell /usr/sbin/nologin practicum

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The project itself
# has no Python package to install ([tool.setuptools] packages = []): its code runs
# from /app.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .

# Static files are collected into the image at build time; whitenoise serves them.
# The secret is a throwaway: collectstatic only needs the settings to load.
RUN SECRET_KEY=collectstatic-only-not-a-secret ALLOWED_HOSTS=localhost \
        python manage.py collectstatic --noinput --verbosity 0 \
    # Folders the named volumes are mounted on: a new volume copies their owner.
    && mkdir -p /app/media /app/private_media /app/var /app/credential-keys \
    && chown practicum:practicum /app/media /app/private_media /app/var /app/credential-keys \
    && chmod 700 /app/credential-keys

USER practicum:practicum

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py"]
# Workers: gunicorn reads WEB_CONCURRENCY (default 1); set it in the environment.
CMD ["gunicorn", "cms.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60"]
