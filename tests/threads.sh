#!/usr/bin/env bash
# The explorer while its loader thread works, driven in tmux: drawing and
# moving while the graph pass runs, exporting and regrouping during it,
# quitting during it and during the trends pass, and cancelling a load (of
# a file, and of a FIFO that sends nothing), which must end every thread.
# .ci/run runs this under ThreadSanitizer too: then the dumps are smaller
# and any report fails the run.
#
# The dump is made here: objects with eight references each, read with one
# parser thread (-j1), so that the graph pass takes a second or two: keys
# sent as soon as the list shows arrive while it runs. Each check of "while
# it runs" says so when the pass was over too soon instead of passing.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/tmux.sh"

tap_plan 28

# ThreadSanitizer makes everything about ten times slower; AddressSanitizer
# two or three times, which only makes the graph pass last longer.
if grep -aq __tsan_init "$HEAPSIFT"; then N=250000; else N=1000000; fi
# dump FILE COUNT: COUNT objects of eight references each, and their class.
dump() {
    awk -v n="$2" -v k=8 'BEGIN {
        print "{\"type\":\"ROOT\", \"root\":\"vm\", \"references\":[\"0x10000000\", \"0x10000028\"]}"
        print "{\"address\":\"0x10000000\", \"type\":\"CLASS\", \"class\":\"0x10000000\", \"name\":\"Node\", \"references\":[], \"memsize\":100}"
        for (i = 1; i <= n; i++) {
            refs = ""
            for (j = 1; j <= k; j++)
                refs = refs (j > 1 ? ", " : "") sprintf("\"0x%x\"", 268435456 + ((i * k + j) % n + 1) * 40)
            printf "{\"address\":\"0x%x\", \"type\":\"OBJECT\", \"class\":\"0x10000000\", \"references\":[%s], \"file\":\"app/n%d.rb\", \"line\":%d, \"generation\":%d, \"memsize\":40}\n", 268435456 + i * 40, refs, i % 5, 1 + i % 7, 1 + i % 3
        }
    }' > "$1"
}
dump "$WORK/big.json" "$N"
GRAPHING="retained sizes: (reading references|dominators)"

# during NAME: ok when the graph pass still runs (its progress shows).
during() {
    if screen | grep -qE -- "$GRAPHING"; then
        tap_ok "$1"
    else
        tap_fail "$1" "the graph pass was over before the keys came: make the dump bigger"
    fi
}

# ---- drawing and moving while the graph is read -------------------------------------------
start 100 24 -j1 "$WORK/big.json"
wait_for "the list shows while the graph is read" "$GRAPHING" 60
keys j j
wait_for "keys move the selection meanwhile" "group 3/[0-9]+ +by site"
keys Tab
wait_for "the Suspects tab says it waits for the graph" "Finding what holds the retained objects"
keys Tab
wait_for "and Tab comes back to the groups" "group 3/[0-9]+ +by site"
during "all that while the graph was read"
wait_gone "the graph pass ends" "retained sizes: " 120
wait_for "then the groups have their retained sizes" "^ +COUNT +BYTESIZE +MEMSIZE +RETAINED"
keys Tab
wait_for "and the suspects are found" "suspect 1/[0-9]+"
keys Q
wait_for "Q quits with status 0" "EXITED 0" 20

# ---- exporting and regrouping while the graph is read -------------------------------------
start 100 24 -j1 "$WORK/big.json"
wait_for "the list shows (export, regroup)" "$GRAPHING" 60
keys e
wait_for "e proposes a file while the graph is read" "Export view to: "
keys C-u "$WORK/during.txt" Enter
wait_for "the export is written meanwhile" "exported to .*during\.txt"
if grep -q "^Retained\|^Found\|objects of size" "$WORK/during.txt" 2>/dev/null; then
    tap_ok "the export holds the groups"
else
    tap_fail "the export holds the groups" "$(head -c 400 "$WORK/during.txt" 2>/dev/null)"
fi
keys f Tab Tab Tab Tab Right Enter
wait_for "regrouping meanwhile: by class" "group [0-9]+/[0-9]+ +by class"
during "the export and the regrouping came while the graph was read"
wait_gone "the graph pass ends after them" "retained sizes: " 120
wait_for "the new groups get their retained sizes" "^ +COUNT +BYTESIZE +MEMSIZE +RETAINED"
keys Q
wait_for "Q quits (export, regroup)" "EXITED 0" 20

# ---- quitting while the graph is read: its thread is cancelled and joined ---------------------
start 100 24 -j1 "$WORK/big.json"
wait_for "the list shows (quit)" "$GRAPHING" 60
during "Q comes while the graph is read"
keys Q
wait_for "Q during the graph pass quits with status 0" "EXITED 0" 30
wait_for "the terminal is restored" "TERMINAL-RESTORED" 5

# ---- three dumps: quitting as soon as the list shows, with the graph and the -----------------
# ---- trends passes (a thread of their own beside the loader's) to come or running -------------
head -n $((N * 4 / 10)) "$WORK/big.json" > "$WORK/one.json"
head -n $((N * 7 / 10)) "$WORK/big.json" > "$WORK/two.json"
start 100 24 -j1 "$WORK/one.json" "$WORK/two.json" "$WORK/big.json"
wait_for "three dumps: the list shows" "group 1/[0-9]+ +by site" 60
keys Q
wait_for "Q then quits with status 0" "EXITED 0" 30

# ---- cancelling a load: of a file, and of a FIFO that sends nothing ---------------------------
start 100 24 -j1 "$WORK/one.json" "$WORK/big.json"
wait_for "the loading screen (cancel)" "loading 2 dumps" 30
keys q
wait_for "q cancels the load (status 1)" "EXITED 1" 30
mkfifo "$WORK/slow.json"
exec 7<>"$WORK/slow.json" # a writer that sends nothing: the load waits in read
start 100 24 "$WORK/slow.json"
wait_for "the loading screen (FIFO)" "loading 1 dump"
keys q
wait_for "q cancels a load that waits for a FIFO, and it ends (status 1)" "EXITED 1" 10
exec 7>&-
tap_done
