# Shared by scripts/run and scripts/test: a virtualenv in .venv with the pinned requirements.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtualenv in .venv ..."
  "$PYTHON" -m venv .venv
fi
# Reinstall only when a requirements file changed since the last install.
stamp=.venv/.requirements.sha256
want=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing dependencies ..."
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "${REQUIREMENTS:-requirements-dev.txt}"
  echo "$want" > "$stamp"
fi
# UI translations: compile the catalogs (the .mo files are build output, not committed).
.venv/bin/pybabel compile -d bbt_workflow/translations >/dev/null
export FLASK_APP=wsgi.py
