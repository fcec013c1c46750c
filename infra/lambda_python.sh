#!/usr/bin/env bash
# Print the path of a CPython 3.12 interpreter (the Lambda runtime's version), or fail with a
# message saying how to provide one. Bytecode is platform-independent but version-specific:
# the .pyc shipped to Lambda must come from 3.12, whatever interpreter runs the build.
#
# Looked for, in order:
#   1. $LAMBDA_PYTHON (an explicit path wins)
#   2. python3.12 on PATH, if it really runs (a pyenv shim errors unless the version is selected)
#   3. pyenv's versions/3.12.*/bin/python3.12 (pyenv root from `pyenv root`, $PYENV_ROOT or ~/.pyenv)
#   4. /usr/bin/python3.12, /usr/local/bin/python3.12
set -euo pipefail

is_312() {
    [[ -x "$1" ]] && [[ "$("$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" == "3.12" ]]
}

if [[ -n "${LAMBDA_PYTHON:-}" ]]; then
    if is_312 "${LAMBDA_PYTHON}"; then echo "${LAMBDA_PYTHON}"; exit 0; fi
    echo "LAMBDA_PYTHON=${LAMBDA_PYTHON} is not a working Python 3.12 interpreter" >&2
    exit 1
fi

candidates=()
if on_path="$(command -v python3.12 2>/dev/null)"; then candidates+=("${on_path}"); fi
pyenv_roots=()
if command -v pyenv >/dev/null 2>&1; then pyenv_roots+=("$(pyenv root)"); fi
pyenv_roots+=("${PYENV_ROOT:-}" "${HOME}/.pyenv")
for root in "${pyenv_roots[@]}"; do
    [[ -n "${root}" ]] || continue
    # Newest 3.12 patch release first.
    while IFS= read -r found; do candidates+=("${found}"); done < <(
        ls -d "${root}"/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV
    )
done
candidates+=(/usr/local/bin/python3.12 /usr/bin/python3.12)

for candidate in "${candidates[@]}"; do
    if is_312 "${candidate}"; then echo "${candidate}"; exit 0; fi
done

cat >&2 <<'MSG'
No Python 3.12 interpreter found: the Lambda bytecode (.pyc) must be compiled by the runtime's
version, CPython 3.12. Install one (e.g. `pyenv install 3.12`, or `uv python install 3.12`) or
point LAMBDA_PYTHON at it: LAMBDA_PYTHON=/path/to/python3.12 make package
MSG
exit 1
