#!/usr/bin/env bash
# Builds heapsift's libFuzzer targets with clang and runs each of them.
#
#   tests/fuzz.sh [SECONDS]      run every target for SECONDS (default 60)
#
# Environment:
#   FUZZ_TARGETS  which targets, in order (default "line dump")
#   FUZZ_RUNS     stop each target after this many executions instead
#   FUZZ_WORKERS  processes per target sharing its corpus (default 1); with
#                 FUZZ_RUNS each runs its share of the executions
#   FUZZ_BUILD    build directory (default build-fuzz/ in the source tree)
#   FUZZ_ARGS     more libFuzzer options, e.g. "-only_ascii=1"
#
# The library is configured and built in its own copy of the sources under
# FUZZ_BUILD (the source tree may be configured for its own build), with
# clang and -fsanitize=fuzzer-no-link,address,undefined. The seed corpus is
# made from data/ and, when present, ../shared/fixtures/external/; what a
# target adds to it is kept in FUZZ_BUILD/corpus/TARGET between runs. A
# crashing input is left as FUZZ_BUILD/crash-TARGET-*; once fixed, copy it
# into tests/fuzz/regress/TARGET/ under a name that says what it found.
# Each worker is one process on one core; libFuzzer's workers pick up what
# the others add to the corpus.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
targets=${FUZZ_TARGETS:-line dump}
build=${FUZZ_BUILD:-$top/build-fuzz}
external=${HEAPSIFT_EXTERNAL:-$top/../shared/fixtures/external}

for tool in clang clang++ pkg-config; do
    command -v "$tool" >/dev/null || { echo "fuzz.sh: $tool is needed (Debian package clang)" >&2; exit 2; }
done
mkdir -p "$build"
build=$(cd "$build" && pwd)

# ---- the library, instrumented --------------------------------------------
# A copy of the sources (the tracked files of a git checkout, or the whole
# unpacked tarball), refreshed on every run; tar keeps modification times,
# so make rebuilds what changed.
src=$build/src
mkdir -p "$src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    (cd "$top" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) |
        tar -xf - -C "$src"
    [ -x "$src/configure" ] || (cd "$src" && ./autogen.sh >/dev/null 2>&1)
elif [ -f "$top/config.status" ]; then
    echo "fuzz.sh: the source tree is configured in place: run 'make distclean' first" >&2
    exit 2
else
    (cd "$top" && tar --exclude=./build-fuzz -cf - .) | tar -xf - -C "$src"
fi
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
flags="-g -O1 -fno-omit-frame-pointer $san"
if [ ! -f "$src/Makefile" ]; then
    (cd "$src" && ./configure CC=clang CXX=clang++ \
        CFLAGS="$flags -fsanitize=fuzzer-no-link" CXXFLAGS="$flags -fsanitize=fuzzer-no-link" \
        LDFLAGS="$san" >"$build/configure.log" 2>&1) ||
        { echo "fuzz.sh: configure failed, see $build/configure.log" >&2; exit 1; }
fi
make -C "$src" -j2 libheapsift-core.a >"$build/make.log" 2>&1 ||
    { tail -n 30 "$build/make.log" >&2; exit 1; }

libs=$(pkg-config --libs simdjson zlib)
for t in line dump; do
    clang++ -x c -std=c11 $flags -fsanitize=fuzzer -I"$src" -I"$src/src" \
        "$src/tests/fuzz/fuzz_$t.c" -x none "$src/libheapsift-core.a" $libs -lpthread \
        -o "$build/fuzz_$t"
done

# ---- seed corpora -----------------------------------------------------------
dumps=()
for f in "$top"/data/*.json "$top"/data/*.json.gz "$external"/*.json; do
    [ -f "$f" ] && dumps+=("$f")
done
text() { case $1 in *.gz) gzip -dc "$1" ;; *) cat "$1" ;; esac; }

seeds=$build/seeds
if [ ! -d "$seeds" ]; then
    mkdir -p "$seeds/line" "$seeds/dump"
    # Lines: every distinct line up to 4 KiB, thinned evenly to 3000.
    for f in "${dumps[@]}"; do text "$f"; echo; done |
        awk 'length($0) > 0 && length($0) <= 4096 && !seen[$0]++' > "$build/lines.txt"
    total=$(wc -l < "$build/lines.txt")
    step=$(( total / 3000 + 1 ))
    awk -v step="$step" -v dir="$seeds/line" \
        'NR % step == 0 { f = sprintf("%s/%05d", dir, NR); printf "%s", $0 > f; close(f) }' \
        "$build/lines.txt"
    # Dumps: short runs of lines from the start and middle of each dump,
    # alone and, for the app series, as three dumps in a row.
    n=0
    for f in "${dumps[@]}"; do
        lines=$(text "$f" | wc -l)
        for start in 1 $(( lines / 2 + 1 )); do
            n=$((n + 1))
            text "$f" | awk -v s="$start" 'NR >= s && length($0) <= 600' | head -n 8 \
                > "$seeds/dump/$n" || true
        done
    done
    series=()
    for f in "$top"/data/app-*.json.gz; do [ -f "$f" ] && series+=("$f"); done
    if [ "${#series[@]}" -ge 3 ]; then
        for start in 1 500 5000; do
            n=$((n + 1))
            for k in 0 1 2; do
                [ "$k" -gt 0 ] && printf '%%%%\n'
                text "${series[$k]}" | awk -v s="$start" 'NR >= s && length($0) <= 400' | head -n 4
            done > "$seeds/dump/$n" || true
        done
    fi
fi

# ---- run --------------------------------------------------------------------
# A line rarely needs more than 4 KiB to show a bug, nor a series of dumps:
# small inputs keep the executions per second up.
max_len() { case $1 in line) echo 4096 ;; dump) echo 4096 ;; esac; }
workers=${FUZZ_WORKERS:-1}
status=0
for t in $targets; do
    corpus=$build/corpus/$t
    mkdir -p "$corpus"
    limit=("-max_total_time=$seconds")
    [ -n "${FUZZ_RUNS:-}" ] && limit=("-runs=$(( (FUZZ_RUNS + workers - 1) / workers ))")
    echo "fuzz.sh: $t for ${FUZZ_RUNS:-$seconds s}${FUZZ_RUNS:+ runs}, $workers worker(s); log in $build/$t.log"
    dirs=("$corpus" "$seeds/$t")
    [ -d "$top/tests/fuzz/regress/$t" ] && dirs+=("$top/tests/fuzz/regress/$t")
    rm -f "$build/$t".[0-9]*.log
    pids=()
    for ((w = 1; w <= workers; w++)); do
        log=$build/$t.log
        [ "$w" -gt 1 ] && log=$build/$t.$w.log
        (cd "$build" && exec "$build/fuzz_$t" "${dirs[@]}" \
            -dict="$top/tests/fuzz/dump.dict" -max_len="$(max_len "$t")" -timeout=10 \
            -rss_limit_mb=2048 -artifact_prefix="$build/crash-$t-" -print_final_stats=1 \
            "${limit[@]}" ${FUZZ_ARGS:-} > "$log" 2>&1) &
        pids+=("$!")
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || status=1
    done
    for log in "$build/$t.log" "$build/$t".[0-9]*.log; do
        [ -f "$log" ] || continue
        grep -E '^stat::(number_of_executed_units|average_exec_per_sec)|^(==|SUMMARY|fuzz_)' \
            "$log" | head -n 20 || true
    done
done
exit "$status"
