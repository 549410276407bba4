# syntax=docker/dockerfile:1
# medkg API image: python:3.11-slim, medkg installed with the api, ml and solver extras, served by uvicorn.
#   docker build -t medkg-api .                                   (CPU torch)
#   docker build --build-arg EXTRAS=api,ml,solver,gpu --build-arg TORCH_INDEX_URL=https://pypi.org/simple -t medkg-api-gpu .
FROM python:3.11-slim

ARG EXTRAS=api,ml,solver
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    MEDKG_HOME=/var/lib/medkg

WORKDIR /app

# torch first, from the CPU wheel index, so the ml extra finds it satisfied instead of pulling the CUDA build.
RUN pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}"

COPY pyproject.toml README.md ./
COPY medkg ./medkg
COPY kg ./kg
COPY ingest ./ingest
COPY retrieval ./retrieval
COPY reasoning ./reasoning
COPY api ./api

# The gpu extra's faiss-gpu provides the same `faiss` module as the ml extra's faiss-cpu: keep only the GPU one.
RUN pip install ".[${EXTRAS}]" \
 && if echo ",${EXTRAS}," | grep -q ",gpu,"; then \
        pip uninstall -y faiss-cpu && pip install --force-reinstall --no-deps "faiss-gpu-cu12>=1.8"; \
    fi \
 && useradd --create-home --uid 10001 medkg \
 && mkdir -p /var/lib/medkg \
 && chown medkg:medkg /var/lib/medkg

USER medkg
VOLUME ["/var/lib/medkg"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

CMD ["uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
