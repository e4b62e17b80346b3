#!/bin/sh
# CMAKE_CROSSCOMPILING_EMULATOR of the mingw build (mingw-w64.cmake):
#   wine-emulator.sh WINEPREFIX PROGRAM.exe [ARGS...]
# Runs a Windows program under wine in the build's own prefix (created on first use, ~7 s).
#
# Before the first program it starts a persistent wineserver and warms it up with every standard
# stream redirected. Otherwise the first program would start wine's services.exe and
# winedevice.exe, which inherit ctest's output pipe and keep ctest waiting forever; and without a
# persistent server every test pays ~2 s of wine start-up. The server exits after 10 idle minutes
# (scripts/test stops it at once with `wineserver -k`).
set -eu
WINEPREFIX=$(realpath -m "$1")  # wine wants an absolute path
shift
export WINEPREFIX WINEDEBUG=-all WINEARCH=win64 WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
mkdir -p "$(dirname "$WINEPREFIX")"

# One caller at a time sets the prefix up (ctest -j runs tests side by side).
exec 9>"$WINEPREFIX.lock"
flock 9
if ! wineserver -k0 2>/dev/null; then   # signal 0: only asks whether a server is running
  # 9>&-: the lock must not be inherited by the long-lived server and wine's services.
  wineserver -p600 </dev/null >/dev/null 2>&1 9>&- || true
  wine cmd /c ver </dev/null >/dev/null 2>&1 9>&- || true
fi
exec 9>&-
exec wine "$@"
