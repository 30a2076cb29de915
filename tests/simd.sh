#!/usr/bin/env bash
# The simdjson kernels (src/json_scan_kernel.h): the objects built once per
# kernel share no symbol, and every kernel this CPU runs, forced with
# HEAPSIFT_SIMD, passes the report goldens, the dumps of other Rubies, the
# damaged dumps, the reader agreement tests and the fuzz regressions, and
# writes the same reports, warnings included, as the kernel chosen by
# default. Only simdjson's own words for a line it rejects may differ: its
# stage 1 kernels look for the faults of a broken line in different orders
# ("A string is opened, but never closed." from one, "unescaped characters"
# from another, for the same line), so that phrase is left out of the
# comparison (it was never the same from one CPU to another).
#
# From make check, with KERNELS (the kernels built), NM and READELF set.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

BUILD=${top_builddir:-.}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
KERNELS=${KERNELS:-}
NM=${NM:-nm}
READELF=${READELF:-readelf}
if [ -z "$KERNELS" ]; then
    echo "simd.sh: KERNELS is not set (run it from make check)" >&2
    exit 99
fi
nkernels=$(echo $KERNELS | wc -w)
# Sub-suites run per kernel, then the compared reports.
SUITES="golden.sh modern.sh hostile.sh json.sh test_json_scan test_heap replay_line replay_dump"
nsuites=$(echo $SUITES | wc -w)
REPORTS=6
# (The builtin object is one kernel too: as many names as objects.)
tap_plan $((4 + 1 + 1 + nkernels * (1 + nsuites + REPORTS)))

# ---- one definition of every symbol -----------------------------------------

# The symbols an object defines that the linker may match with another
# object's (global, weak, unique): "TYPE NAME" lines.
exported() {
    "$NM" --defined-only "$1" | awk 'NF == 3 && $2 ~ /^[A-Zuvw]$/ { print $2, $3 }'
}

if [ "$KERNELS" = builtin ]; then
    # One object, compiled with the flags of the rest of the program
    # (configure's choice off x86-64, or --disable-simd-kernels).
    for check in "exports its table alone" "no shared weak symbol" "no shared symbol" "no COMDAT group"; do
        tap_skip "kernel objects: $check" "one kernel, built with the program's own flags"
    done
else
    odd=""
    for k in $KERNELS; do
        got=$(exported "$BUILD/src/json_scan_$k.o")
        [ "$got" = "D json_scan_kernel_$k" ] || [ "$got" = "R json_scan_kernel_$k" ] || odd="$odd $k: $(echo $got | head -c 300);"
    done
    check_equal "each kernel object exports its table and nothing else" "" "$odd"

    weak_shared=$(for k in $KERNELS; do exported "$BUILD/src/json_scan_$k.o" | awk '$1 ~ /^[VWuvw]$/ { print $2 }' | sort -u; done |
        sort | uniq -d | head -n 5)
    check_equal "no weak symbol is defined by two kernel objects" "" "$weak_shared"

    shared=$(for k in $KERNELS; do exported "$BUILD/src/json_scan_$k.o" | awk '{ print $2 }' | sort -u; done | sort | uniq -d | head -n 5)
    check_equal "no symbol at all is defined by two kernel objects" "" "$shared"

    groups=""
    for k in $KERNELS; do
        n=$("$READELF" -g -W "$BUILD/src/json_scan_$k.o" | grep -c COMDAT || true)
        [ "$n" = 0 ] || groups="$groups $k: $n COMDAT groups;"
    done
    check_equal "no kernel object keeps a COMDAT group the linker could share" "" "$groups"
fi

# What the objects as compiled share, which the steps above made local
# (none with -O2 today; hundreds with -O0): said, not judged.
raw_shared=$(for k in $KERNELS; do
    [ -f "$BUILD/src/json_scan_$k.raw.o" ] && exported "$BUILD/src/json_scan_$k.raw.o" | awk '{ print $2 }' | sort -u
done | sort | uniq -d | wc -l)
echo "# as compiled, the kernel objects define $raw_shared symbols of the same name"

# ---- the kernels, forced -------------------------------------------------------

"$HEAPSIFT" --version > "$WORK/version"
runs=$(sed -n 's/.*; this CPU runs: //p' "$WORK/version")
# The kernels by the names HEAPSIFT_SIMD takes (the builtin object's is
# simdjson's name for it, "fallback" or "arm64" ...).
names=$(sed -n 's/.*; built: \(.*\); this CPU runs: .*/\1/p' "$WORK/version")
default=$(sed -n 's/.*, kernel \([a-z0-9_]*\) (.*/\1/p' "$WORK/version")
check_grep "--version names the kernel and those built" "kernel $default \(stage 1: [a-z0-9_]+\); built: " "$WORK/version"

HEAPSIFT_SIMD=no-such-kernel check_status "HEAPSIFT_SIMD naming no kernel is a usage error" 2 \
    "$HEAPSIFT" -q --report "$DATA/app-1.json.gz"

APP=("$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$DATA/app-3.json.gz")
# simdjson's reason, in a warning about a line that was not valid JSON.
unreasoned() {
    sed -e 's/not valid JSON ([^)]*)/not valid JSON (simdjson: ...)/'
}
# reports DIR: the reports compared between kernels, warnings on stderr kept.
reports() {
    local dir=$1
    mkdir -p "$dir"
    "$HEAPSIFT" --no-header --report "${APP[@]}" > "$dir/site" 2> "$dir/site.err" || true
    "$HEAPSIFT" --no-header --report --trend --sort=memsize "${APP[@]}" > "$dir/trend" 2> "$dir/trend.err" || true
    "$HEAPSIFT" --no-header --report --suspects --format=json "${APP[@]}" > "$dir/suspects" 2> "$dir/suspects.err" || true
    local r
    for r in site trend suspects; do
        unreasoned < "$dir/$r.err" >> "$dir/$r"
    done
    "$HEAPSIFT" --report "$DATA/broken-paths.json" 2>&1 | unreasoned > "$dir/broken" || true
    "$HEAPSIFT" --report --top=10 "$DATA/truncated.json" 2>&1 | unreasoned > "$dir/truncated" || true
    local m
    : > "$dir/modern"
    for m in "$SRCDIR"/tests/modern/*/; do
        [ -d "$m" ] || continue
        set -- "$m"*.json*
        [ -f "$1" ] || continue
        "$HEAPSIFT" --no-header --report --group-by=class "$@" 2>&1 | unreasoned >> "$dir/modern" || true
    done
}
reports "$WORK/default"

# suite NAME: runs one test program or script; passes when it plans tests
# and none fails.
suite() {
    local name=$1 out=$WORK/suite.out st=0
    case $name in
    *.sh) bash "$SRCDIR/tests/$name" > "$out" 2>&1 || st=$? ;;
    replay_*) "$BUILD/tests/fuzz/$name" > "$out" 2>&1 || st=$? ;;
    *) CMOCKA_MESSAGE_OUTPUT=TAP "$BUILD/tests/$name" > "$out" 2>&1 || st=$? ;;
    esac
    local planned passed failed
    planned=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$out" | head -n 1)
    passed=$(grep -c '^ok ' "$out" || true)
    failed=$(grep -c '^not ok ' "$out" || true)
    if [ "$st" = 0 ] && [ -n "$planned" ] && [ "$failed" = 0 ] && [ "$passed" = "$planned" ]; then
        tap_ok "HEAPSIFT_SIMD=$HEAPSIFT_SIMD: $name ($passed tests)"
    else
        tap_fail "HEAPSIFT_SIMD=$HEAPSIFT_SIMD: $name" "exit $st, planned ${planned:-none}, $passed ok, $failed not ok:" \
            "$(grep -A3 '^not ok ' "$out" | head -n 12)"
    fi
}

[ "$(echo $names | wc -w)" = "$nkernels" ] || echo "# --version names $names, built objects: $KERNELS"
for k in $names; do
    if ! [[ " $runs " == *" $k "* ]]; then
        for n in $(seq $((1 + nsuites + REPORTS))); do
            tap_skip "HEAPSIFT_SIMD=$k (check $n)" "this CPU cannot run the $k kernel"
        done
        continue
    fi
    export HEAPSIFT_SIMD=$k
    "$HEAPSIFT" --stats -q --report "$DATA/app-1.json.gz" 2> "$WORK/stats" > /dev/null || true
    check_grep "HEAPSIFT_SIMD=$k: --stats says the $k kernel read the dump" "kernel $k \(stage 1: $k\)" "$WORK/stats"
    for s in $SUITES; do
        suite "$s"
    done
    reports "$WORK/$k"
    for r in site trend suspects broken truncated modern; do
        check_same "HEAPSIFT_SIMD=$k: $r report as with the default kernel ($default)" "$WORK/default/$r" "$WORK/$k/$r"
    done
    unset HEAPSIFT_SIMD
done
tap_done
