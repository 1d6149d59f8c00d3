# syntax=docker/dockerfile:1
# ShopCare in a container: one process, everything it keeps in the /data volume.
#
#   docker build -t shopcare .
#   docker run -d --name shopcare -p 127.0.0.1:8080:8080 -v shopcare-data:/data \
#       -e SHOPCARE_PUBLIC_URL=https://track.example-shop.com shopcare
#
# or compose.yaml (compose.postgres.yaml adds PostgreSQL). docs/operations.md has the rest:
# the reverse proxy in front, upgrades, backups. tests/test_dockerfile.py runs this file's
# ENTRYPOINT, CMD and HEALTHCHECK with its ENV, USER and WORKDIR, without Docker.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY shopcare ./shopcare
COPY assets ./assets
# every wheel the app needs, PostgreSQL's driver included, built once here
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgresql]"

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SHOPCARE_DATA_DIR=/data \
    SHOPCARE_PORT=8080
RUN useradd --system --user-group --uid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin shopcare \
    && install -d -o shopcare -g shopcare -m 700 /data
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels "shopcare[postgresql]"
USER shopcare
# NiceGUI keeps its per-browser storage (.nicegui) in the working directory
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
# 503 (a store that cannot be written, a scheduler that stopped) fails as well as no answer
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('SHOPCARE_PORT', '8080')}/healthz\", timeout=4)"]
ENTRYPOINT ["shopcare"]
CMD ["run", "--host", "0.0.0.0"]
