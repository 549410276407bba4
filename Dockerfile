# syntax=docker/dockerfile:1
# medkg API image, two stages: `build` installs medkg with its extras into a virtual environment; the runtime
# stage copies only that environment (no compilers, no pip cache, no sources) and runs as a non-root user.
#   docker build -t medkg-api .                                   (CPU torch)
#   docker build --build-arg EXTRAS=api,ml,solver,gpu --build-arg TORCH_INDEX_URL=https://pypi.org/simple -t medkg-api-gpu .
# The gpu variant uses PyPI's CUDA torch and faiss-gpu wheels, which bundle the CUDA runtime: the host needs only
# the NVIDIA driver and container toolkit (compose's `gpu` profile reserves the device).
FROM python:3.11-slim AS build

ARG EXTRAS=api,ml,solver
ARG TORCH_VERSION=2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/medkg/bin:$PATH

RUN python -m venv /opt/medkg
# torch first, from the CPU wheel index, so the ml extra finds it satisfied instead of pulling the CUDA build.
RUN pip install --index-url "${TORCH_INDEX_URL}" "torch==${TORCH_VERSION}"

WORKDIR /src
COPY pyproject.toml README.md ./
COPY medkg ./medkg
COPY kg ./kg
COPY ingest ./ingest
COPY retrieval ./retrieval
COPY reasoning ./reasoning
COPY api ./api
COPY cli ./cli

# The gpu extra's faiss-gpu provides the same `faiss` module as the ml extra's faiss-cpu: keep only the GPU one.
RUN pip install ".[${EXTRAS}]" \
 && if echo ",${EXTRAS}," | grep -q ",gpu,"; then \
        pip uninstall -y faiss-cpu && pip install --force-reinstall --no-deps "faiss-gpu-cu12>=1.8"; \
    fi

FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/medkg/bin:$PATH \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    MEDKG_HOME=/var/lib/medkg

COPY --from=build /opt/medkg /opt/medkg
RUN useradd --create-home --uid 10001 medkg \
 && mkdir -p /var/lib/medkg \
 && chown medkg:medkg /var/lib/medkg

USER medkg
WORKDIR /home/medkg
VOLUME ["/var/lib/medkg"]
EXPOSE 8000

# Ready = the graph store answers (503 until Neo4j is up; the API reconnects by itself).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)"]

# --no-access-log: uvicorn's access log prints query strings; medkg's own (api.access) logs route templates only.
CMD ["uvicorn", "api.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--no-access-log"]
