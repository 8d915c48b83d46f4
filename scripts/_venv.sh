# Sourced by scripts/demo and scripts/test: the project installed into .venv, said in one line, done only when needed.
# pip runs with -qq (errors only): its warnings here (a local index it cannot read, setuptools' note on editable
# installs) are nothing the reader can act on. A failed install still prints pip's error and stops the script.

install_into_venv() {
  local requirement="$1" stamp=".venv/.installed-$2"
  if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment .venv …"
    python3 -m venv .venv
    # Editable installs from pyproject.toml need pip 21.3 or later; some distributions ship an older one.
    .venv/bin/python -m pip install -qq --upgrade pip || install_failed
  fi
  # Installed before and pyproject.toml unchanged since: the editable install already follows the code.
  if [ -f "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
    return
  fi
  echo "Installing the dependencies into .venv (a few minutes the first time) …"
  .venv/bin/python -m pip install -qq -e "$requirement" || install_failed
  touch "$stamp"
}

install_failed() {
  echo "The installation failed: pip's error is above." >&2
  exit 1
}
