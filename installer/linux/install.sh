#!/bin/sh
# Install labour-survey for this user; no administrator rights are needed.
#   the program       ~/.local/opt/labour-survey/          (--prefix DIR to choose another folder)
#   the command       ~/.local/bin/labour-survey
#   the menu entry    ~/.local/share/applications/labour-survey.desktop
#   the desktop icon  on the desktop, when the desktop folder exists (--no-desktop-icon: none)
# Run the install.sh of a newer bundle to upgrade: the program folder is replaced; the officer's
# data (~/.local/share/labour-survey) is never touched, and the new program migrates it when it
# opens it. Ends with `labour-survey --self-test` (--no-self-test to skip it).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prefix="$HOME/.local/opt/labour-survey"
desktop_icon=yes
self_test=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift ;;
    --prefix=*) prefix=${1#--prefix=} ;;
    --no-desktop-icon) desktop_icon=no ;;
    --no-self-test) self_test=no ;;
    -h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "Tùy chọn không rõ / unknown option: $1" >&2; exit 2 ;;
  esac
  shift
done

if [ ! -x "$here/labour-survey" ]; then
  echo "Không thấy chương trình bên cạnh install.sh / labour-survey is not beside install.sh: $here" >&2
  exit 2
fi
data_home=${XDG_DATA_HOME:-$HOME/.local/share}

# The program: copied beside the old one, then swapped in, so that a failed copy (a full disk)
# leaves the installed version working.
if [ "$here" != "$(cd "$(dirname "$prefix")" 2>/dev/null && pwd)/$(basename "$prefix")" ]; then
  mkdir -p "$(dirname "$prefix")"
  rm -rf "$prefix.new" "$prefix.old"
  cp -a "$here" "$prefix.new"
  if [ -e "$prefix" ]; then mv "$prefix" "$prefix.old"; fi
  mv "$prefix.new" "$prefix"
  rm -rf "$prefix.old"
fi

# The menu entry and the command.
entry="$data_home/applications/labour-survey.desktop"
mkdir -p "$data_home/applications" "$HOME/.local/bin"
sed -e "s|@EXEC@|\"$prefix/labour-survey\"|" -e "s|@ICON@|$prefix/labour-survey.png|" \
  "$prefix/labour-survey.desktop" > "$entry"
chmod 644 "$entry"
ln -sfn "$prefix/labour-survey" "$HOME/.local/bin/labour-survey"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$data_home/applications" 2>/dev/null || true

# The desktop icon, on the desktop folder the desktop environment uses (its name is translated).
if [ "$desktop_icon" = yes ]; then
  desktop=$(xdg-user-dir DESKTOP 2>/dev/null || true)
  [ -n "$desktop" ] || desktop="$HOME/Desktop"
  if [ -d "$desktop" ] && [ "$desktop" != "$HOME" ]; then
    cp "$entry" "$desktop/labour-survey.desktop"
    chmod 755 "$desktop/labour-survey.desktop"
    # GNOME starts a desktop file only once it is marked trusted.
    command -v gio >/dev/null 2>&1 && gio set "$desktop/labour-survey.desktop" metadata::trusted true 2>/dev/null || true
  fi
fi

echo "Đã cài đặt labour-survey vào / installed in: $prefix"
echo "Dữ liệu của cán bộ ở / the officer's data is in: ${LABOUR_SURVEY_DATA:-$data_home/labour-survey}"
if [ "$self_test" = yes ]; then
  if ! "$prefix/labour-survey" --self-test; then
    echo "Tự kiểm tra không đạt / the self-test failed: xem các dòng trên / see the lines above." >&2
    exit 1
  fi
fi
