#!/usr/bin/env bash
# valgrind.sh: the report modes under valgrind's memcheck, on the shipped
# dumps: no invalid read or write, no use of uninitialised memory, no leak
# (definite, indirect or possible). TAP. Run by .ci/run on the normal build
# (not by make check: the sanitizer build cannot run under valgrind).
#
#   tests/valgrind.sh            (HEAPSIFT: the binary, default src/heapsift)
set -euo pipefail
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
# shellcheck source=tests/lib.sh
. "$top_srcdir/tests/lib.sh"

APP=("$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$DATA/app-3.json.gz")
runs=(
    "the classic report|--report --identity=address ${APP[*]}"
    "the identity report with trends and retained sizes|--report --trend --sort=retained ${APP[*]}"
    "--why|--why=audit_log.rb:11 ${APP[*]}"
    "--path|--path=0x7f587bff4aa8 ${APP[*]}"
    "--suspects, filtered|--report --suspects --exclude=gems/ --type=STRING,HASH ${APP[*]}"
    "grouped by gem, on a dump with invalid lines|--report --group-by=gem $DATA/broken-paths.json"
    "a truncated dump|--report $DATA/truncated.json"
    "-o (the atomic write)|--report --force -o $WORK/report.txt ${APP[*]}"
)
tap_plan ${#runs[@]}
if ! command -v valgrind > /dev/null; then
    for run in "${runs[@]}"; do tap_skip "${run%%|*}" "valgrind is not installed"; done
    exit 0
fi
for run in "${runs[@]}"; do
    name=${run%%|*}
    read -r -a args <<< "${run#*|}"
    status=0
    valgrind -q --error-exitcode=99 --leak-check=full \
        --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
        "$HEAPSIFT" "${args[@]}" > /dev/null 2> "$WORK/valgrind.err" || status=$?
    if [ "$status" -eq 0 ]; then
        tap_ok "valgrind: $name"
    else
        mapfile -t lines < <(grep -v '^heapsift: ' "$WORK/valgrind.err" | head -n 30)
        tap_fail "valgrind: $name" "exit status $status" "${lines[@]}"
    fi
done
