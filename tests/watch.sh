#!/usr/bin/env bash
# Watch mode (--watch DIR) driven for real in tmux: an empty folder, dumps
# renamed into it one by one while the explorer runs (as Heapsift.dump
# writes them), one written in place slowly, temporary and dot files beside
# them, a file that is no dump; the place kept as each dump arrives; and
# the views exported at the end equal to what --report and --suspects say
# of the same dumps. Then polling instead of inotify, over a glob of names.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

. "${top_srcdir:-.}/tests/tmux.sh"
M=$SRCDIR/tests/modern/ruby-3.1

tap_plan 49

# ---- usage ---------------------------------------------------------------------------------
check_status "--watch takes no dumps on the command line" 2 "$HEAPSIFT" --watch="$WORK" "$M/d1.json.gz"
check_grep "and says so" "--watch takes its dumps from its folder, not from the command line" "$WORK/err"
check_status "a folder that does not exist is an error" 1 "$HEAPSIFT" --watch="$WORK/none"
check_grep "naming it" "none: cannot watch it: No such file or directory" "$WORK/err"
check_status "--watch with a report option is a usage error" 2 "$HEAPSIFT" --watch="$WORK" --report
check_grep "it opens the explorer" "--watch opens the explorer: it needs a terminal, and no report option" "$WORK/err"

# arrive NAME SOURCE: SOURCE copied in under a dot name, then renamed into
# the watched folder, as Heapsift.dump does.
arrive() {
    cp "$2" "$WORK/w/.incoming.tmp"
    mv "$WORK/w/.incoming.tmp" "$WORK/w/$1"
}

# ---- an empty folder, then the first dumps --------------------------------------------------
mkdir "$WORK/w"
start 120 30 --watch=w
wait_for "an empty folder: the explorer waits for dumps" "Waiting for dumps in w"
wait_for "told by inotify" "told by inotify; 0 being written"
echo "scratch" > "$WORK/w/notes.txt"
cp "$M/d3.json.gz" "$WORK/w/.d3.json.gz"
arrive d1.json.gz "$M/d1.json.gz"
wait_for "the first dump renamed in is loaded: every object of it" "all: [0-9]+ objects .*, 1 dump "
arrive d2.json.gz "$M/d2.json.gz"
wait_for "the second one arrives: the new objects of dump 2" "new: 1360 objects 72 KB, 2 dumps +42 groups"
wait_for "the status line says so" "d2\.json\.gz arrived: comparing 2 dumps"
wait_for "dot files and other files are no dumps: still 2" "new: 1360 objects 72 KB, 2 dumps +42 groups"

# The place: OBJECT accounts.rb:50 selected (row 5 of 2 dumps, row 4 of 3).
keys / a c c o u n t s . r b : 5 0 Enter
wait_for "the group to keep is selected" "group 5/42 +by site"
# Dump 3 written in place, slowly: half, a pause longer than a second, the rest.
gzip -dc "$M/d3.json.gz" > "$WORK/d3.json"
half=$(($(wc -c < "$WORK/d3.json") / 2))
(
    head -c "$half" "$WORK/d3.json"
    sleep 2
    tail -c +$((half + 1)) "$WORK/d3.json"
) > "$WORK/w/d3.json" &
writer=$!
wait_for "a dump being written is noticed" "watch: 1 being written"
sleep 1.2
if screen | grep -qE "retained: .* 3 dumps"; then
    tap_fail "a dump being written is not read half" "$(screen)"
else
    tap_ok "a dump being written is not read half"
fi
wait "$writer"
wait_for "once closed it is read: the retained objects of 3 dumps" "retained: 1154 objects 56 KB, 3 dumps +37 groups"
wait_for "the selected group stays selected" "group 4/37 +by site"
wait_for "trends grow by one dump" "OBJECT +▁██ +0 80 80 /app/accounts\.rb:50"

# The group opened, an object of it selected, then dump 4.
keys Enter j j
wait_for "the group's objects are open" "object 3/80 in OBJECT /app/accounts\.rb:50"
arrive d4.json.gz "$M/d4.json.gz"
wait_for "dump 4 arrives while the objects are open" "d4\.json\.gz arrived: comparing 4 dumps"
wait_for "the same object list and object stay open" "object 3/80 in OBJECT /app/accounts\.rb:50"
wait_for "the breadcrumb is where the person was" "Groups › OBJECT accounts\.rb:50 *$"
keys Enter
wait_for "the object opens in the latest dump" "in dump 4: OBJECT Account /app/accounts\.rb:50"

# A pane open when a dump is ready: it comes in once the pane closes.
keys '?'
wait_for "the help pane opens" "heapsift keys"
arrive d5.json.gz "$M/d5.json.gz"
wait_for "a dump ready behind a pane waits for it" "dump 5: ready, shown once the pane closes" 20
keys q
wait_for "it comes in when the pane closes" "d5\.json\.gz arrived: comparing 5 dumps"
wait_for "and the object shown is the latest dump's" "in dump 5: OBJECT Account /app/accounts\.rb:50"

# A file that is no dump: said, and the five dumps stay.
echo '{"not":"a dump"}' > "$WORK/w/.bad.json"
mv "$WORK/w/.bad.json" "$WORK/w/bad.json"
wait_for "a file that is no dump is not added, and said so" "not added: w/bad\.json: not a Ruby heap dump"
wait_for "the five dumps stay" "still comparing 5 dumps"

# The views, exported, are what the report modes say of the five dumps.
keys h h Tab
wait_for "the suspects over five dumps: the steady leak grows in every window" "grows +HASH Hash at /app/memo\.rb:7"
keys e C-u "$WORK/suspects.txt" Enter
wait_for "the suspects are exported" "exported to .*suspects\.txt"
keys Tab e C-u "$WORK/groups.txt" Enter
wait_for "the groups are exported" "exported to .*groups\.txt"
for k in 1 2 3 4 5; do cp "$M/d$k.json.gz" "$WORK/r$k.json.gz"; done
(cd "$WORK" && "$HEAPSIFT" --report --suspects r1.json.gz r2.json.gz r3.json.gz r4.json.gz r5.json.gz > suspects-cli.txt 2>/dev/null)
(cd "$WORK" && "$HEAPSIFT" --report --trend r1.json.gz r2.json.gz r3.json.gz r4.json.gz r5.json.gz > groups-cli.txt 2>/dev/null)
if diff <(grep -v '^#' "$WORK/suspects.txt") <(grep -v '^#' "$WORK/suspects-cli.txt") > "$WORK/suspects.diff"; then
    tap_ok "the suspects exported are what --suspects says of the five dumps"
else
    tap_fail "the suspects exported are what --suspects says of the five dumps" "$(head -c 800 "$WORK/suspects.diff")"
fi
if diff <(grep -v '^#' "$WORK/groups.txt" | sed 's/  retained: [0-9]*//') <(grep -v '^#' "$WORK/groups-cli.txt") > "$WORK/groups.diff"; then
    tap_ok "the groups exported are what --report --trend says of the five dumps"
else
    tap_fail "the groups exported are what --report --trend says of the five dumps" "$(head -c 800 "$WORK/groups.diff")"
fi
keys q
wait_for "q leaves with status 0, the terminal restored" "EXITED 0"
wait_for "the terminal is restored" "TERMINAL-RESTORED"

# ---- the README's recipe: a process's dumps taken with Heapsift.dump while --watch runs --------
# An application that keeps 200 more strings between dumps, three dumps a
# second apart into one folder, and heapsift watching its dumps by its PID,
# as the README runs it on a server.
if command -v ruby > /dev/null 2>&1; then
    mkdir "$WORK/heap"
    cat > "$WORK/leaky.rb" <<'RUBY'
require_relative ARGV[0]
Heapsift.start_tracing
$stdout.sync = true
puts Process.pid
$stdin.gets # heapsift is watching
KEPT = []
3.times do
  200.times { |i| KEPT << "kept #{i}" * 2 }
  Heapsift.dump(ARGV[1])
  sleep 1
end
RUBY
    mkfifo "$WORK/go"
    ruby "$WORK/leaky.rb" "$SRCDIR/data/ruby/heapsift.rb" "$WORK/heap" < "$WORK/go" > "$WORK/pid" &
    ruby_pid=$!
    exec 7> "$WORK/go"
    for ((i = 0; i < 100; i++)); do
        [ -s "$WORK/pid" ] && break
        sleep 0.05
    done
    pid=$(cat "$WORK/pid")
    start 120 30 "--watch=heap/heap-*-$pid.json"
    wait_for "the recipe: the explorer waits for the process's dumps" "Waiting for dumps named heap-\\*-$pid\\.json in heap"
    echo go >&7
    exec 7>&-
    wait_for "the recipe: three dumps as Heapsift.dump renames them in" "comparing 3 dumps" 30
    wait_for "the recipe: the strings kept between the dumps are what is retained" "^ +200 .*STRING .* 200 400 600 .*leaky\\.rb:8" 10
    wait "$ruby_pid"
    keys q
    wait_for "the recipe: q leaves with status 0" "EXITED 0"
else
    for k in 1 2 3 4; do tap_skip "the recipe with Heapsift.dump ($k)" "no ruby"; done
fi

# ---- polling where inotify is not -----------------------------------------------------------
rm -rf "$WORK/w"
mkdir "$WORK/w"
cp "$M/d1.json.gz" "$M/d2.json.gz" "$WORK/w/"
touch -d '-2 min' "$WORK/w/d1.json.gz"
touch -d '-1 min' "$WORK/w/d2.json.gz"
cp "$M/d5.json.gz" "$WORK/w/other.json.gz"
PANE_SETUP="export HEAPSIFT_WATCH_POLL=1" start 120 30 "--watch=w/d*.json.gz"
# Dump 3 comes while the first two load, most likely: it is loaded once they
# are (nothing else wakes the explorer then).
arrive d3.json.gz "$M/d3.json.gz"
wait_for "polling: the dumps there at the start that the glob matches, oldest first" "Suspects \| Groups  (new: 1360 objects 72 KB, 2 dumps|retained: 1154 objects 56 KB, 3 dumps)"
wait_for "polling: a dump renamed in is taken within seconds" "d3\.json\.gz arrived: comparing 3 dumps"
wait_for "polling: the retained objects of 3 dumps" "retained: 1154 objects 56 KB, 3 dumps"

# ---- the dumps pane: compare from a later dump, and keep adding ----------------------------
keys d
wait_for "d lists the dumps, the first compared marked" "\\* dump 1 +[0-9.]+ KB +w/d1\\.json\\.gz"
keys j Enter
wait_for "the dumps from the one chosen are loaded again" "comparing 2 dumps from d2\\.json\\.gz \\(1 of 3 left out\\)"
wait_for "dump 2 is now dump 1: the new objects of d3" "new: [0-9]+ objects .*, 2 dumps"
arrive d4.json.gz "$M/d4.json.gz"
wait_for "a dump that arrives then is added after the chosen ones" "d4\\.json\\.gz arrived: comparing 3 dumps"
(cd "$WORK/w" && "$HEAPSIFT" -R d2.json.gz d3.json.gz d4.json.gz 2>/dev/null) > "$WORK/from2.txt"
want=$(sed -n 's/^# [0-9]* groups, \([0-9]*\) objects$/\1/p' "$WORK/from2.txt")
wait_for "the same retained objects as --report over d2, d3 and d4" "retained: ${want:-none} objects .*, 3 dumps"
keys q
wait_for "polling: q leaves with status 0" "EXITED 0"
tap_done
