# briefbot in a container. Build and run (README, "Running in a container"):
#   docker build -t briefbot .
#   docker run -d --name briefbot --env-file .env -v briefbot-data:/data --restart unless-stopped briefbot
# The store lives on the /data volume; the packs the image ships seed an empty store on first start.

ARG PYTHON_IMAGE=python:3.11-slim

# Build stage: install the project and its dependencies into a virtual environment. pip, the source and
# the build's leftovers stay here; only the environment is copied on.
FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/briefbot
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot ./bot
COPY cogs ./cogs
# pip compiles the bytecode here, since the non-root user cannot write it beside the code later.
RUN /opt/briefbot/bin/pip install .

# Runtime stage: the same base image (the environment's python is its /usr/local/bin/python3.11).
FROM ${PYTHON_IMAGE}
RUN useradd --system --user-group --uid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin briefbot \
    && mkdir /data \
    && chown briefbot:briefbot /data
COPY --from=build /opt/briefbot /opt/briefbot
COPY data/packs /opt/briefbot/packs
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
