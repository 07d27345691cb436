#!/bin/sh
# Remove labour-survey installed by install.sh: the program, its menu entry, desktop icon and
# command. The officer's data (~/.local/share/labour-survey) is kept: delete it by hand only
# after every household has been sent to the provincial server.
#   sh uninstall.sh [--prefix DIR]
set -eu

prefix="$HOME/.local/opt/labour-survey"
case "${1:-}" in
  --prefix) prefix=$2 ;;
  --prefix=*) prefix=${1#--prefix=} ;;
esac
data_home=${XDG_DATA_HOME:-$HOME/.local/share}
desktop=$(xdg-user-dir DESKTOP 2>/dev/null || true)
[ -n "$desktop" ] || desktop="$HOME/Desktop"

rm -f "$data_home/applications/labour-survey.desktop" "$desktop/labour-survey.desktop"
if [ -L "$HOME/.local/bin/labour-survey" ]; then rm -f "$HOME/.local/bin/labour-survey"; fi
if [ -x "$prefix/labour-survey" ]; then rm -rf "$prefix"; fi
echo "Đã gỡ labour-survey / removed. Dữ liệu vẫn giữ ở / the data is kept in: ${LABOUR_SURVEY_DATA:-$data_home/labour-survey}"
