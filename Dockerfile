# syntax=docker/dockerfile:1
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/partybot.db

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin partybot \
    && mkdir /data \
    && chown partybot:partybot /data

WORKDIR /src
# Dependencies first, each pinned with its hashes (tools/lock writes the file from
# pyproject.toml; CI checks they match): a change to the code alone reuses this layer.
# They include the webhook server (python-telegram-bot[webhooks]), the IANA zones
# (tzdata; the slim image has none) and the font that draws Chinese (Noto Sans SC).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md LICENSE babel.cfg ./
COPY bot ./bot
COPY domain ./domain
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
COPY tools/hatch_catalogs.py ./tools/
# The program alone (its dependencies are above); building it compiles the catalogs into the
# package (tools/hatch_catalogs.py).
RUN pip install --no-deps .

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
# Webhook mode (`run --webhook --port 8443 ...`) listens here, behind a TLS reverse proxy.
EXPOSE 8443
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 CMD ["partybot", "health"]
ENTRYPOINT ["partybot"]
CMD ["run"]
