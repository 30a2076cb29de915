#!/usr/bin/env bash
# lint.sh: cppcheck over src/ must report nothing (warnings, portability,
# performance). TAP; skipped where cppcheck is not installed.
set -euo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

tap_plan 1
if ! command -v cppcheck > /dev/null; then
    tap_skip "cppcheck finds nothing in src/" "cppcheck is not installed"
    exit 0
fi
status=0
cppcheck --quiet --enable=warning,portability,performance --std=c11 --inline-suppr --error-exitcode=1 \
    -I "$SRCDIR/src" -I "$top_builddir" --library="$SRCDIR/tests/lint/cppcheck.cfg" \
    --suppress=missingIncludeSystem "$SRCDIR"/src/*.c "$SRCDIR"/src/*.cpp > /dev/null 2> "$WORK/cppcheck.err" || status=$?
if [ "$status" -eq 0 ] && [ ! -s "$WORK/cppcheck.err" ]; then
    tap_ok "cppcheck finds nothing in src/"
else
    mapfile -t lines < <(head -n 40 "$WORK/cppcheck.err")
    tap_fail "cppcheck finds nothing in src/" "${lines[@]}"
fi
