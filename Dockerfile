# briefbot in a container. Build and run (README, "Running in a container"):
#   docker build -t briefbot .
#   docker run -d --name briefbot --env-file .env -v briefbot-data:/data --restart unless-stopped briefbot
# The store lives on the /data volume; the packs the image ships seed an empty store on first start.

ARG PYTHON_IMAGE=python:3.11-slim

# Build stage: install exactly the versions in uv.lock, the ones CI tested, into a virtual environment.
# uv, the build's leftovers and the source stay here; only the environment is copied on.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/briefbot \
    UV_LINK_MODE=copy \
    UV_COMPILE_BYTECODE=1
# The uv release dev.py pins (UV_VERSION there; a test keeps the two equal), so the lock reads the same.
RUN pip install uv==0.13.9
WORKDIR /src
COPY pyproject.toml uv.lock README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
# --locked: uv.lock's versions and hashes, and a stop if pyproject.toml changed without re-locking (never
# `pip install .`, which resolves the ranges afresh: a new release then reaches users untested).
# --no-editable: the project copied into the environment, which then needs no /src. No extras, --no-dev: no
# test tools.
# Bytecode is compiled here (UV_COMPILE_BYTECODE), since the non-root user cannot write it beside the code later.
RUN uv sync --locked --no-dev --no-editable

# Runtime stage: the same base image (the environment's python is its /usr/local/bin/python3.11).
FROM ${PYTHON_IMAGE}
RUN useradd --system --user-group --uid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin briefbot \
    && mkdir /data \
    && chown briefbot:briefbot /data
COPY --from=build /opt/briefbot /opt/briefbot
COPY bot/seed_packs /opt/briefbot/packs
ENV PATH=/opt/briefbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATABASE_PATH=/data/briefbot.db \
    PACKS_DIR=/opt/briefbot/packs
# Declared after the chown so that a new named volume starts out owned by briefbot.
VOLUME ["/data"]
WORKDIR /data
USER briefbot:briefbot

# `docker stop` sends SIGTERM to PID 1, which is briefbot itself (exec form, no shell in between): it
# leaves the gateway and closes the store, then exits 0. `docker stop -t` sets how long Docker waits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["briefbot"]
CMD ["run"]
