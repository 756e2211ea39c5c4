# syntax=docker/dockerfile:1
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_URL=sqlite:////data/partybot.db

# A CJK font for the charts of the county report. Unpinned: Debian's security updates
# of a font package are wanted, and its versions differ between base image releases.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin partybot \
    && mkdir /data \
    && chown partybot:partybot /data

WORKDIR /src
COPY pyproject.toml README.md LICENSE babel.cfg ./
COPY bot ./bot
COPY domain ./domain
COPY handlers ./handlers
COPY storage ./storage
COPY locales ./locales
# Install, then compile the catalogs where the installed package reads them.
RUN pip install . \
    && python -c "from bot.i18n import compile_catalogs; print(*compile_catalogs(), sep='\n')"

USER 10001:10001
WORKDIR /data
VOLUME ["/data"]
HEALTHCHECK --interval=60s --timeout=10s --start-period=30s --retries=3 CMD ["partybot", "health"]
ENTRYPOINT ["partybot"]
CMD ["run"]
