# Shared by installer/start.sh and tests/run.sh: system packages and the virtual environment.
# Sourced, not run. Works on a fresh Debian 12 as root or with sudo.

# Qt's runtime libraries (offscreen and on a real display), fonts, Python's venv.
SYSTEM_PACKAGES=(python3 python3-venv python3-pip
  libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libxkbcommon0 libbrotli1
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1 fonts-dejavu-core)

ensure_system_packages() {
  local missing=() pkg extra=("$@")
  command -v dpkg-query >/dev/null 2>&1 || return 0   # not Debian: install them yourself
  for pkg in "${SYSTEM_PACKAGES[@]}" "${extra[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

ensure_venv() {
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
  fi
  .venv/bin/python -m pip install -q --upgrade pip
}
