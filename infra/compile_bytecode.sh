#!/usr/bin/env bash
# Compile Python sources to bytecode for the Lambda runtime (CPython 3.12).
#
#   bash infra/compile_bytecode.sh DIR...
#
# Why: a Lambda deployment package is read-only, so without shipped .pyc every cold start
# compiles every imported module from source (about twice the import time; see README,
# benchmarks). `--invalidation-mode unchecked-hash` makes Python use the .pyc without checking
# the source's mtime or hash: the zip's timestamps mean nothing, and the .pyc is only ever
# built right before packaging from the same sources (this script runs in `make package`,
# in infra/build_layer.sh and in the infra tests).
#
# Existing __pycache__/*.cpython-312*.pyc are removed first, so a module deleted since the last
# build leaves no orphan and every .pyc comes from the current source (-f).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ $# -eq 0 ]]; then
    echo "usage: $0 DIR..." >&2
    exit 2
fi

python312="$(bash infra/lambda_python.sh)"

for dir in "$@"; do
    find "${dir}" -type f -path '*/__pycache__/*.cpython-312*.pyc' -delete
done
# -q: list only errors; -j 0: all cores; -f: never trust an existing .pyc.
"${python312}" -m compileall -q -f -j 0 --invalidation-mode unchecked-hash "$@"
echo "compiled $(find "$@" -type f -name '*.cpython-312.pyc' | wc -l) modules with $("${python312}" -V)"
