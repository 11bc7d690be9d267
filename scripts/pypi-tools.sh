# Sourced by the install scripts of the project's PyPI tools: one venv, .tools/, for all of them.
#   install_pypi_tools <name> <stamp file> "<pinned requirements>" <binary>...
# Ends the sourcing script (exit 0) when every binary is in .tools/bin and the stamp names the same pins; skipped under
# `npm ci --omit=dev` (the production entry points need none of them); otherwise pip installs the pins.
install_pypi_tools() {
  local name=$1 stamp=$2 wanted=$3
  shift 3
  local py=${PYTHON:-python3} bin missing=""
  fail() { echo "$name: $*" >&2; exit 1; }
  for bin in "$@"; do [ -x ".tools/bin/$bin" ] || missing=1; done
  if [ -z "$missing" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
    echo "$name: $wanted already in .tools/bin"
    exit 0
  fi
  case " ${npm_config_omit:-} " in
    *dev*) echo "$name: skipped (--omit=dev: the production entry points need none of $wanted)"; exit 0 ;;
  esac
  command -v "$py" >/dev/null 2>&1 || fail "needs Python 3 ($py not found; set PYTHON to its path)"
  if [ ! -x .tools/bin/pip ]; then
    "$py" -m venv .tools >/dev/null 2>&1 || fail "'$py -m venv .tools' failed; install Python's venv module (Debian: apt-get install python3-venv)"
  fi
  echo "$name: installing $wanted into .tools/ (PyPI)"
  # shellcheck disable=SC2086
  .tools/bin/pip install --quiet --disable-pip-version-check $wanted || fail "pip could not install $wanted (no network or no PyPI access?)"
  for bin in "$@"; do [ -x ".tools/bin/$bin" ] || fail "$wanted did not provide .tools/bin/$bin"; done
  echo "$wanted" > "$stamp"
}
