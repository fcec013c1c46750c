#!/usr/bin/env bash
# Build the Lambda layer with dangqun's runtime dependencies (the [project] dependencies of
# pyproject.toml, pinned by uv.lock) for the Lambda runtime: CPython 3.12 on arm64 (Amazon Linux
# 2023), NOT for the interpreter running this script.
#
# Output:
#   build/requirements-lambda.txt  pinned runtime requirements exported from uv.lock
#   build/layer/python/...         the layer contents (serverless.yml: layers.pythonDeps.path)
#
# Only wheels are accepted (--only-binary :all:): nothing is compiled on this machine, so a
# package without an aarch64 / pure-Python wheel makes the build fail instead of producing a
# layer that breaks at import time on Lambda.
#
# botocore is shipped on purpose (PynamoDB needs it): the copy bundled with the Lambda runtime
# changes without notice; the layer pins the version tested against.
#
# Needs a CPython 3.12 interpreter for the bytecode (infra/lambda_python.sh finds it).
#
# Environment overrides (defaults are the Lambda target):
#   LAYER_PYTHON_VERSION   (3.12)
#   LAYER_PYTHON_PLATFORM  (aarch64-manylinux2014; see `uv pip install --help`)
#   UV                     the uv binary (set by `uv run`; the Makefile passes its own)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

uv="${UV:-uv}"
python_version="${LAYER_PYTHON_VERSION:-3.12}"
python_platform="${LAYER_PYTHON_PLATFORM:-aarch64-manylinux2014}"

build_dir="build"
layer_dir="${build_dir}/layer"
requirements="${build_dir}/requirements-lambda.txt"

mkdir -p "${build_dir}"

# Runtime dependencies only: no dev group, not the project itself, exactly as locked.
"${uv}" export --quiet --frozen --no-dev --no-emit-project --no-hashes -o "${requirements}"

# Fresh folder every time: a package dropped from the lock must not linger in the layer.
# Install into a temporary sibling first and swap, so a failed build leaves no half layer.
staging="$(mktemp -d "${build_dir}/layer.tmp.XXXXXX")"
trap 'rm -rf "${staging}"' EXIT
chmod 755 "${staging}"  # mktemp -d creates 0700

"${uv}" pip install \
    --quiet \
    --python-version "${python_version}" \
    --python-platform "${python_platform}" \
    --only-binary :all: \
    --link-mode copy \
    --target "${staging}/python" \
    -r "${requirements}"

# No console scripts (bin/ would carry this machine's interpreter path) and no uv lock file
# (.lock) from the --target install. Any bytecode from the install would be for this machine's
# interpreter: drop it, then compile everything with CPython 3.12 (the runtime's version) so a
# cold start on the read-only layer does not compile from source (infra/compile_bytecode.sh).
find "${staging}" -type d -name __pycache__ -prune -exec rm -rf {} +
find "${staging}" -type f -name '*.pyc' -delete
rm -rf "${staging}/python/bin" "${staging}/python/.lock"
bash infra/compile_bytecode.sh "${staging}/python"

rm -rf "${layer_dir}"
mv "${staging}" "${layer_dir}"
trap - EXIT

echo "Layer built in ${layer_dir} (python ${python_version}, ${python_platform}):"
du -sh "${layer_dir}" | cut -f1 | sed 's/^/  unzipped size: /'
find "${layer_dir}/python" -maxdepth 1 -name '*.dist-info' | sed 's#.*/##; s/\.dist-info$//; s/^/  /' | sort
