# ESCC first-line trial explorer: production image (gunicorn, non-root, read-only capable).
#
# The install steps are scripts/setup.sh, the same script CI runs (.ci/run), in its --runtime
# mode: Debian's chromium + fonts for static export, Python dependencies from requirements.txt.
#
# Base image: pin it by digest when you build (SEC-11). Our build machines cannot reach a
# registry to resolve the digest, so it is passed in rather than guessed:
#   docker buildx imagetools inspect python:3.11-slim-bookworm      # read the digest
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<digest> -t escc .
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# ---- stage 1: Python dependencies into /app/.venv (pip cache discarded) -----------------
FROM ${PYTHON_IMAGE} AS deps
WORKDIR /app
COPY scripts/setup.sh scripts/setup.sh
COPY requirements.txt ./
RUN PYTHON=python3 scripts/setup.sh --runtime --python-only

# ---- stage 2: runtime -----------------------------------------------------------------
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY scripts/setup.sh scripts/setup.sh
RUN scripts/setup.sh --runtime --system-only \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 escc \
    && useradd --system --uid 10001 --gid escc --home-dir /app --shell /usr/sbin/nologin escc

COPY --from=deps /app/.venv /app/.venv
# Only what the app needs at run time: no tests, notes, benchmarks or .git.
COPY app.py gunicorn.conf.py ./
COPY components/ components/
COPY analysis/ analysis/
COPY data/ data/
COPY assets/ assets/

ARG GIT_SHA=""
ENV PATH="/app/.venv/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ESCC_GIT_SHA=${GIT_SHA} \
    ESCC_BIND=0.0.0.0:8050 \
    ESCC_CACHE_DIR=/tmp/escc-cache \
    ESCC_ALLOWED_HOSTS=localhost,127.0.0.1 \
    HOME=/tmp

USER 10001:10001
EXPOSE 8050
# Host allow-list on by default (DNS rebinding): add your public name when you run the image,
# e.g. -e ESCC_ALLOWED_HOSTS=explorer.example.org,localhost. gunicorn needs a buffering proxy
# in front in production (README, "Production"; deploy/nginx.conf).
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8050/health', timeout=2).status == 200 else 1)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "app:server"]
