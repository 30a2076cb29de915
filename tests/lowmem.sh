#!/usr/bin/env bash
# heapsift under memory limits (ulimit -v): the up-front estimate names the
# address-space limit; a dump that cannot be mapped says so; a load that
# fits but whose reference graph does not leaves the report modes that need
# the graph (--why, --path, --suspects, --sort=retained) with status 1 and
# a message saying how much it needed, and the explorer running without
# retained sizes, saying so. A load that fits but whose grouping does not
# (an allocation site per object) leaves --group-by, --suspects and --why
# with status 1 and a message saying what could not be done and how much it
# needed. Never an abort.
#
# The dump is made here: 700,000 small objects in a tree (108 MB of text,
# a second to write). Where the graph stops fitting depends on the machine (threads,
# libraries), so the limit is found by bisection on --suspects's outcome.
# A sanitizer build cannot run under an address-space limit (its shadow
# memory is terabytes of it): then every check is skipped.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

CHECKS=29
if grep -aq -e __asan_init -e __tsan_init "$HEAPSIFT"; then
    tap_plan "$CHECKS"
    for ((i = 0; i < CHECKS; i++)); do tap_skip "memory limits" "built with a sanitizer (ulimit -v breaks it)"; done
    exit 0
fi
tap_plan "$CHECKS"

# The allocator's arenas (64 MB of address space each, one per thread that
# allocates) and the parser threads are pinned, so that what fits does not
# depend on how the threads were scheduled.
export MALLOC_ARENA_MAX=1
# limited KB COMMAND...: COMMAND with its address space limited to KB.
limited() {
    local kb=$1
    shift
    (ulimit -v "$kb" && exec "$@")
}

# ---- the up-front estimate, and a dump that cannot be mapped -------------------------------
# A sparse file: 3 GiB to the estimate and to mmap, nothing on disk.
truncate -s 3G "$WORK/huge.json"
check_status "the estimate refuses a load beyond the address-space limit" 1 \
    limited 1000000 "$HEAPSIFT" --report "$WORK/huge.json"
check_grep "the refusal names the address-space limit and both figures" \
    "these dumps need about [0-9.]+ GB of memory \(estimated from their sizes, their mapped text included\), more than the [0-9.]+ [MG]B the address-space limit leaves \(RLIMIT_AS, ulimit -v: 1\.0 GB, [0-9.]+ [KMG]?B in use\); nothing was loaded" \
    "$WORK/err"
check_status "a dump that cannot be mapped is an error" 1 \
    limited 1000000 "$HEAPSIFT" --report --max-memory=0 "$WORK/huge.json"
check_grep "the failed mmap is said as such, with the file and the reason" \
    "huge\.json: cannot map the file \(3\.2 GB\) into memory: Cannot allocate memory" "$WORK/err"
if grep -q "out of memory after" "$WORK/err"; then
    tap_fail "the file is not read into memory instead" "$(cat "$WORK/err")"
else
    tap_ok "the file is not read into memory instead"
fi

# ---- a dump whose graph does not fit ---------------------------------------------------------
# A binary tree of objects (object i holds 2i and 2i + 1) under a root.
awk -v n=700000 'BEGIN {
    print "{\"type\":\"ROOT\", \"root\":\"vm\", \"references\":[\"0x10000000\", \"0x10000028\"]}"
    print "{\"address\":\"0x10000000\", \"type\":\"CLASS\", \"class\":\"0x10000000\", \"name\":\"Node\", \"references\":[], \"memsize\":100}"
    for (i = 1; i <= n; i++) {
        a = 268435456 + i * 40
        refs = ""
        if (2 * i <= n) refs = sprintf("\"0x%x\"", a + i * 40)
        if (2 * i + 1 <= n) refs = refs sprintf(", \"0x%x\"", a + i * 40 + 40)
        printf "{\"address\":\"0x%x\", \"type\":\"OBJECT\", \"class\":\"0x10000000\", \"references\":[%s], \"file\":\"app/node.rb\", \"line\":%d, \"generation\":%d, \"memsize\":40}\n", a, refs, 1 + i % 7, 1 + i % 3
    }
}' > "$WORK/big.json"
BIG=(--max-memory=0 -j2 "$WORK/big.json")
GRAPH_MSG="big\.json: not enough memory for the reference graph: .*: [0-9.]+ [KMG]?B of memory needed, of which [0-9.]+ [KMG]?B could not be allocated \(Cannot allocate memory\)"

# outcome KB: how --suspects ends under KB: load (the dump did not load),
# graph (it loaded, its graph did not fit), ok, or crash (anything else:
# a signal, a status that is not 0 or 1).
outcome() {
    local got=0
    limited "$1" "$HEAPSIFT" --report --suspects "${BIG[@]}" > /dev/null 2> "$WORK/probe.err" || got=$?
    if [ "$got" -eq 0 ]; then
        echo ok
    elif [ "$got" -eq 1 ] && grep -qE -- "$GRAPH_MSG" "$WORK/probe.err"; then
        echo graph
    elif [ "$got" -eq 1 ]; then
        echo load
    else
        echo "crash $got: $(head -c 300 "$WORK/probe.err")"
    fi
}

# Bisection, in KB, until a limit under which the graph does not fit is
# found; then its window's edges, so that the checks run in its middle.
lo=100000 hi=2000000 at="" crashes=""
for ((i = 0; i < 12; i++)); do
    mid=$(((lo + hi) / 2))
    o=$(outcome "$mid")
    case $o in
        load) lo=$mid ;;
        ok) hi=$mid ;;
        graph) at=$mid; break ;;
        *) crashes+="$mid KB: $o; "; break ;;
    esac
done
if [ -n "$at" ]; then
    a=$lo b=$at
    while ((b - a > 16000)); do m=$(((a + b) / 2)); o=$(outcome "$m"); case $o in load) a=$m ;; graph) b=$m ;; *) crashes+="$m KB: $o; "; break ;; esac; done
    low=$b
    a=$at b=$hi
    while ((b - a > 16000)); do m=$(((a + b) / 2)); o=$(outcome "$m"); case $o in graph) a=$m ;; ok) b=$m ;; *) crashes+="$m KB: $o; "; break ;; esac; done
    high=$a
    LIMIT=$(((low + high) / 2))
    echo "# the graph does not fit from $low KB to $high KB: checked at $LIMIT KB"
fi
if [ -z "$crashes" ]; then
    tap_ok "no limit tried ends heapsift by a signal or an unknown status"
else
    tap_fail "no limit tried ends heapsift by a signal or an unknown status" "$crashes"
fi
if [ -z "$at" ]; then
    tap_fail "a limit is found under which the dump loads but its graph does not fit" "between $lo and $hi KB"
    while [ "$TAP_N" -lt "$CHECKS" ]; do tap_skip "memory limits" "no such limit found"; done
    exit 0
fi
tap_ok "a limit is found under which the dump loads but its graph does not fit"

# Every report mode that needs the graph: status 1, the message.
for mode in --suspects --why=app/node.rb:3 --path=0x10000028 --sort=retained; do
    check_status "$mode without the memory for the graph exits 1" 1 limited "$LIMIT" "$HEAPSIFT" --report "$mode" "${BIG[@]}"
    check_grep "$mode says the graph did not fit, and how much it needed" "^heapsift: .*$GRAPH_MSG" "$WORK/err"
done
# The plain report needs no graph: it is written.
check_status "the report without --sort=retained needs no graph" 0 limited "$LIMIT" "$HEAPSIFT" --report "${BIG[@]}"

# ---- a dump whose grouping does not fit ------------------------------------------------------
# 300,000 objects, each allocated at a line of its own (and their class):
# a group each.
awk -v n=300000 'BEGIN {
    print "{\"type\":\"ROOT\", \"root\":\"vm\", \"references\":[\"0x20000000\"]}"
    print "{\"address\":\"0x20000000\", \"type\":\"CLASS\", \"class\":\"0x20000000\", \"name\":\"Site\", \"references\":[], \"memsize\":100}"
    for (i = 1; i <= n; i++)
        printf "{\"address\":\"0x%x\", \"type\":\"OBJECT\", \"class\":\"0x20000000\", \"references\":[], \"file\":\"app/sites.rb\", \"line\":%d, \"generation\":1, \"memsize\":40}\n", 536870912 + i * 40, i
}' > "$WORK/sites.json"
SITES=(--max-memory=0 -j2 "$WORK/sites.json")
GROUP_MSG="^heapsift: cannot group 300001 objects by site: [0-9.]+ [KMG]?B of memory needed, of which [0-9.]+ [KMG]?B could not be allocated \(Cannot allocate memory\)"

# group_outcome KB: how --group-by=site ends under KB: load, group (the
# grouping did not fit), ok, or crash.
group_outcome() {
    local got=0
    limited "$1" "$HEAPSIFT" --report --group-by=site "${SITES[@]}" > /dev/null 2> "$WORK/probe.err" || got=$?
    if [ "$got" -eq 0 ]; then
        echo ok
    elif [ "$got" -eq 1 ] && grep -qE -- "$GROUP_MSG" "$WORK/probe.err"; then
        echo group
    elif [ "$got" -eq 1 ]; then
        echo load
    else
        echo "crash $got: $(head -c 300 "$WORK/probe.err")"
    fi
}
lo=50000 hi=2000000 gat="" crashes=""
for ((i = 0; i < 14; i++)); do
    mid=$(((lo + hi) / 2))
    o=$(group_outcome "$mid")
    case $o in
        load) lo=$mid ;;
        ok) hi=$mid ;;
        group) gat=$mid; break ;;
        *) crashes+="$mid KB: $o; "; break ;;
    esac
done
if [ -z "$crashes" ]; then
    tap_ok "no limit tried for the grouping ends heapsift by a signal or an unknown status"
else
    tap_fail "no limit tried for the grouping ends heapsift by a signal or an unknown status" "$crashes"
fi
if [ -z "$gat" ]; then
    tap_fail "a limit is found under which the dump loads but its grouping does not fit" "between $lo and $hi KB"
    for ((i = 0; i < 6; i++)); do tap_skip "the grouping under a memory limit" "no such limit found"; done
else
    echo "# the grouping does not fit at $gat KB"
    tap_ok "a limit is found under which the dump loads but its grouping does not fit"
    check_status "--group-by=site without the memory for the groups exits 1" 1 \
        limited "$gat" "$HEAPSIFT" --report --group-by=site "${SITES[@]}"
    check_grep "--group-by=site says what could not be done and how much it needed" "$GROUP_MSG" "$WORK/err"
    # The others group too (--suspects and --why by site, after the graph):
    # whichever of their steps runs out first says so, never an abort.
    for mode in --suspects --why=app/sites.rb:3; do
        check_status "$mode without the memory for the groups exits 1" 1 \
            limited "$gat" "$HEAPSIFT" --report "$mode" "${SITES[@]}"
        check_grep "$mode says what could not be had, and how much was needed" \
            "^heapsift: .*[0-9.]+ [KMG]?B of memory needed, of which [0-9.]+ [KMG]?B could not be allocated" "$WORK/err"
    done
fi

# ---- the explorer: still up, without retained sizes, saying why ---------------------------
if ! command -v tmux > /dev/null 2>&1; then
    while [ "$TAP_N" -lt "$CHECKS" ]; do tap_skip "the explorer under a memory limit" "tmux is not installed"; done
    exit 0
fi
. "${top_srcdir:-.}/tests/tmux.sh"
PANE_SETUP="ulimit -v $LIMIT && export MALLOC_ARENA_MAX=1"
start_on_suspects 120 30 "${BIG[@]}"
wait_for "the explorer shows the list" "suspect 0/0|group 1/" 30
wait_for "the status line says there are no retained sizes" "no retained sizes" 30
wait_for "the Suspects list says the graph did not fit, and how much it needed" \
    "No suspects: .*big\.json: not enough memory for the reference graph" 10
keys Tab
wait_for "the explorer still takes keys: Tab shows the groups" "group 1/[0-9]+ +by site" 10
keys Q
wait_for "and quits normally (status 0)" "EXITED 0" 10
tap_done
