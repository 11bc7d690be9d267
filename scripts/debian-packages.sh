# Sourced by the install scripts of the Debian packages the tests need (Chromium, Prometheus).
#   install_debian_package <name> <package> "<what to do by hand>" "<more apt-get install options>" <binary>...
# Installs the package with apt-get as root or with passwordless sudo, then checks the binaries are
# there; otherwise says in one line what to do and exits non-zero. The caller checks for them first.
install_debian_package() {
  local name=$1 package=$2 manual=$3 options=$4 bin sudo=""
  shift 4
  fail() { echo "$name: $*" >&2; exit 1; }
  command -v apt-get >/dev/null 2>&1 || fail "$package is missing and there is no apt-get here: $manual"
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
      sudo="sudo -n"
    else
      fail "$package is missing and installing it needs root (not root, no passwordless sudo): $manual"
    fi
  fi
  echo "$name: installing Debian's $package with apt-get"
  $sudo apt-get update -qq || fail "apt-get update failed: $manual"
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $options "$package" >/dev/null || fail "apt-get install $package failed: $manual"
  for bin in "$@"; do [ -x "$bin" ] || fail "apt-get installed $package but $bin is missing: $manual"; done
}
