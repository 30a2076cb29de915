#!/usr/bin/env bash
# The command line: options, exit statuses, and the message for each kind of
# bad input (it must name the file, and the line and byte for content).
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

APP=("$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$DATA/app-3.json.gz")
tap_plan 104

check_status "--help exits 0" 0 "$HEAPSIFT" --help
check_grep "--help lists --fail-over" "--fail-over=N" "$WORK/out"
check_status "--version exits 0" 0 "$HEAPSIFT" --version
check_grep "--version prints the version" "^heapsift [0-9]+\.[0-9]+" "$WORK/out"
check_status "no dump is a usage error" 2 "$HEAPSIFT"
check_grep "no dump: says so" "no dump given" "$WORK/err"
check_status "unknown option is a usage error" 2 "$HEAPSIFT" --frobnicate "${APP[@]}"
check_grep "unknown option: heapsift's own words and prefix" "^heapsift: unknown option '--frobnicate'$" "$WORK/err"
check_status "an option without its value is a usage error" 2 "$HEAPSIFT" "${APP[@]}" --top
check_grep "missing value: named" "^heapsift: option '--top' needs a value$" "$WORK/err"
check_status "a short option in a cluster" 2 "$HEAPSIFT" -Rz "${APP[@]}"
check_grep "is named by its letter" "^heapsift: unknown option '-z'$" "$WORK/err"
check_status "a value for an option that takes none" 2 "$HEAPSIFT" --report=1 "${APP[@]}"
check_grep "is said so" "^heapsift: option '--report=1' takes no value$" "$WORK/err"
check_status "an ambiguous abbreviation" 2 "$HEAPSIFT" --s "${APP[@]}"
check_grep "is said so, not called unknown" "^heapsift: option '--s' is ambiguous: give more of its name$" "$WORK/err"
check_status "a missing third dump exits 1" 1 "$HEAPSIFT" "$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$WORK/gone.json"
check_grep "and is named before the first is read" "^heapsift: .*gone.json: cannot open: No such file or directory$" "$WORK/err"
check_status "unknown grouping is a usage error" 2 "$HEAPSIFT" --group-by=colour "${APP[@]}"
check_status "unknown type is a usage error" 2 "$HEAPSIFT" --type=STRING,WIDGET "${APP[@]}"
check_status "bad --top is a usage error" 2 "$HEAPSIFT" --top=lots "${APP[@]}"

check_status "missing file exits 1" 1 "$HEAPSIFT" "$WORK/nope.json"
check_grep "missing file: named, with the reason" "nope.json: cannot open: No such file" "$WORK/err"
check_status "directory exits 1" 1 "$HEAPSIFT" "$WORK"
check_grep "directory: says so" "is a directory" "$WORK/err"
: > "$WORK/empty.json"
check_status "empty file exits 1" 1 "$HEAPSIFT" "$WORK/empty.json"
check_grep "empty file: says so" "empty.json: the file is empty" "$WORK/err"
printf 'hello\nworld\n' > "$WORK/text.json"
check_status "a text file that is no dump exits 1" 1 "$HEAPSIFT" "$WORK/text.json"
check_grep "not a dump: file, line and byte" "text.json: not a Ruby heap dump.*line 1, byte 0" "$WORK/err"
check_status "dumps out of order exit 1" 1 "$HEAPSIFT" "$DATA/app-3.json.gz" "$DATA/app-2.json.gz" "$DATA/app-1.json.gz"
check_grep "out of order: names both dumps" "out of order: .*app-2.json.gz.*app-3.json.gz" "$WORK/err"
check_status "the same file twice is an error" 1 "$HEAPSIFT" "$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$DATA/app-1.json.gz"
check_grep "naming both arguments" "^heapsift: dumps 1 and 3 are the same file \(.*app-1.json.gz, .*app-1.json.gz\): give each dump once, or --allow-same$" "$WORK/err"
check_status "--allow-same: the same dump three times still reports" 0 "$HEAPSIFT" --allow-same "$DATA/app-1.json.gz" "$DATA/app-1.json.gz" "$DATA/app-1.json.gz"
check_grep "the same dump twice is said, not met with silence" "app-1.json.gz \(dump 2\) holds exactly the objects of dump 1: the same dump twice\? Nothing is new between them" "$WORK/err"

check_status "repaired lines still give a report" 0 "$HEAPSIFT" "$DATA/broken-paths.json"
check_grep "repaired lines are counted on stderr" "17 of 103 lines were not valid JSON: 17 repaired" "$WORK/err"
check_grep "the first bad line is named with its byte" "broken-paths.json:11: \(byte [0-9]+\) repaired" "$WORK/err"
check_status "a truncated dump loads" 0 "$HEAPSIFT" "$DATA/truncated.json"
check_grep "the cut line is reported" "truncated.json:306: \(byte [0-9]+\) cut short" "$WORK/err"
head -c 100000 "$DATA/app-1.json.gz" > "$WORK/cut.json.gz"
check_status "a truncated gzip loads what it holds" 0 "$HEAPSIFT" "$WORK/cut.json.gz"
check_grep "a truncated gzip is reported" "gzip stream is cut short" "$WORK/err"

check_status "--fail-over below the count exits 3" 3 "$HEAPSIFT" --fail-over=100 "${APP[@]}"
check_grep "--fail-over says why" "3485 objects retained, more than --fail-over=100" "$WORK/err"
check_status "--fail-over above the count exits 0" 0 "$HEAPSIFT" --fail-over=3485 "${APP[@]}"
check_status "--fail-over counts after filters" 0 "$HEAPSIFT" --fail-over=131 --filter=gems/leaky "${APP[@]}"

check_status "-o writes the report" 0 "$HEAPSIFT" -o "$WORK/report.txt" "${APP[@]}"
check_grep "-o: the report is in the file" "^Retained 283 STRING objects of size 51565/63451 at: app/controllers/products_controller.rb:7$" "$WORK/report.txt"
echo precious > "$WORK/keep.txt"
check_status "-o refuses to replace a file" 1 "$HEAPSIFT" -o "$WORK/keep.txt" "${APP[@]}"
check_grep "-o: the refusal says how to force it" "keep.txt already exists \(use --force" "$WORK/err"
check_grep "-o: the existing file is untouched" "^precious$" "$WORK/keep.txt"
check_status "-o --force replaces it" 0 "$HEAPSIFT" --force -o "$WORK/keep.txt" "${APP[@]}"
check_grep "-o --force: the new report is there" "^Total Size: " "$WORK/keep.txt"
leftovers=$(find "$WORK" -name '*.tmp.*' | wc -l)
if [ "$leftovers" -eq 0 ]; then tap_ok "-o leaves no temporary file"; else tap_fail "-o leaves no temporary file" "$leftovers left"; fi

# A file that is no regular file is written to, never replaced: renaming a
# temporary file over /dev/null would put a regular file in its place. A
# FIFO stands in for it here.
mkfifo "$WORK/pipe"
cat "$WORK/pipe" > "$WORK/from-pipe.txt" &
reader=$!
check_status "-o into a FIFO, without --force" 0 "$HEAPSIFT" -o "$WORK/pipe" "${APP[@]}"
wait "$reader"
if [ -p "$WORK/pipe" ]; then tap_ok "-o: the FIFO is still a FIFO"; else tap_fail "-o: the FIFO is still a FIFO" "$(ls -l "$WORK/pipe")"; fi
check_grep "-o: the report came through the FIFO" "^Total Size: " "$WORK/from-pipe.txt"
check_status "-o into a directory is refused" 1 "$HEAPSIFT" -o "$WORK" "${APP[@]}"
check_grep "-o into a directory: says so" "is a directory: give a file name" "$WORK/err"
# A symbolic link is followed: the file it names gets the report.
echo old > "$WORK/target.txt"
ln -s target.txt "$WORK/link.txt"
check_status "-o --force through a symbolic link" 0 "$HEAPSIFT" --force -o "$WORK/link.txt" "${APP[@]}"
if [ -L "$WORK/link.txt" ] && grep -q "^Total Size: " "$WORK/target.txt"; then
    tap_ok "-o: the link stays, its target has the report"
else
    tap_fail "-o: the link stays, its target has the report" "$(ls -l "$WORK")"
fi

# --suspects: report mode like the report, with -o, --top and --fail-over.
check_status "--suspects writes the suspects" 0 "$HEAPSIFT" --suspects "${APP[@]}"
check_grep "--suspects: the first suspect is the array of closures" \
    "^Suspect 1: ARRAY Array at app/middleware/audit_log.rb:4 \(0x[0-9a-f]+\) holds 2080 retained objects, 233376 bytes \(64.6% of retained bytes\)$" "$WORK/out"
check_status "--suspects -o writes the file" 0 "$HEAPSIFT" --suspects -o "$WORK/suspects.txt" "${APP[@]}"
check_grep "--suspects -o: the header says when" "^# written [0-9]{4}-" "$WORK/suspects.txt"
check_status "--suspects -o refuses to replace a file" 1 "$HEAPSIFT" --suspects -o "$WORK/suspects.txt" "${APP[@]}"
check_status "--suspects --fail-over below the count exits 3" 3 "$HEAPSIFT" --suspects --fail-over=100 "${APP[@]}"
check_grep "--suspects --fail-over says why" "3485 objects retained, more than --fail-over=100" "$WORK/err"
check_status "--suspects --top=2" 0 "$HEAPSIFT" --suspects --top=2 "${APP[@]}"
if [ "$(grep -c '^Suspect ' "$WORK/out")" -eq 2 ] && grep -q "^# 7 more suspects not shown: 891 objects" "$WORK/out"; then
    tap_ok "--suspects --top=2: two suspects, and what was left out"
else
    tap_fail "--suspects --top=2: two suspects, and what was left out" "$(grep -E '^(Suspect|# [0-9]+ more)' "$WORK/out")"
fi

# Dumps that would not fit in memory are refused before anything is read.
check_status "--max-memory below the estimate refuses to start" 1 "$HEAPSIFT" --max-memory=1M "${APP[@]}"
check_grep "--max-memory: the refusal says how much is needed and how to force it" \
    "these dumps need about [0-9]+ MB of memory \(estimated from their sizes\), more than the 1.0 MB --max-memory allows; nothing was loaded.*--max-memory=0" "$WORK/err"
check_status "--max-memory=0 turns the check off" 0 "$HEAPSIFT" --max-memory=0 "${APP[@]}"
check_status "--max-memory needs a size" 2 "$HEAPSIFT" --max-memory=lots "${APP[@]}"

# A FIFO is read as a stream.
mkfifo "$WORK/fifo"
gzip -dc "$DATA/app-1.json.gz" > "$WORK/fifo" &
check_status "a FIFO is read" 0 timeout 60 "$HEAPSIFT" --top=1 --no-header "$WORK/fifo"
wait

# -o makes the file as any program would (0666 less the umask), and a
# replaced file keeps its mode.
rm -f "$WORK/mode.txt"
(umask 022 && "$HEAPSIFT" -q -o "$WORK/mode.txt" "${APP[@]}")
if [ "$(stat -c %a "$WORK/mode.txt")" = 644 ]; then tap_ok "-o: mode 644 under umask 022"; else tap_fail "-o: mode 644 under umask 022" "$(stat -c %a "$WORK/mode.txt")"; fi
chmod 640 "$WORK/mode.txt"
"$HEAPSIFT" -q --force -o "$WORK/mode.txt" "${APP[@]}"
if [ "$(stat -c %a "$WORK/mode.txt")" = 640 ]; then tap_ok "-o --force: the replaced file keeps its mode"; else tap_fail "-o --force: the replaced file keeps its mode" "$(stat -c %a "$WORK/mode.txt")"; fi

# A link to nothing, or a loop, is not replaced by a regular file; -o - is
# standard output.
ln -s "$WORK/nowhere/x" "$WORK/dangling.txt"
check_status "--force onto a dangling link: exit 1" 1 "$HEAPSIFT" -q --force -o "$WORK/dangling.txt" "${APP[@]}"
check_grep "it says what the link is" "dangling.txt is a symbolic link to nothing \(to .*nowhere/x\): not written" "$WORK/err"
if [ -L "$WORK/dangling.txt" ]; then tap_ok "the link is still a link"; else tap_fail "the link is still a link"; fi
ln -s "$WORK/loop-b" "$WORK/loop-a"
ln -s "$WORK/loop-a" "$WORK/loop-b"
check_status "--force onto a link loop: exit 1" 1 "$HEAPSIFT" -q --force -o "$WORK/loop-a" "${APP[@]}"
check_grep "it says it is a loop" "loop-a is a symbolic link in a loop" "$WORK/err"
check_status "-o - writes standard output" 0 "$HEAPSIFT" -q -o - "${APP[@]}"
check_grep "-o -: the report on standard output" "^Retained 283 STRING objects" "$WORK/out"
if [ ! -e ./- ]; then tap_ok "-o -: no file named -"; else tap_fail "-o -: no file named -"; fi

# -o /dev/stdout (and /dev/fd/N) is written through the descriptor in
# place: a file the shell opened with >> keeps what it had.
echo "kept line" > "$WORK/append.txt"
"$HEAPSIFT" -q -o /dev/stdout "${APP[@]}" >> "$WORK/append.txt"
if [ "$(head -1 "$WORK/append.txt")" = "kept line" ]; then tap_ok "-o /dev/stdout into a >> file keeps its content"; else tap_fail "-o /dev/stdout into a >> file keeps its content" "$(head -1 "$WORK/append.txt")"; fi
check_grep "-o /dev/stdout into a >> file: the report follows" "^Retained 283 STRING objects" "$WORK/append.txt"
"$HEAPSIFT" -q --force -o /dev/stdout "${APP[@]}" >> "$WORK/append.txt"
check_equal "-o /dev/stdout --force appends too" "2" "$(grep -c '^Total Size: ' "$WORK/append.txt")"
check_status "-o /dev/fd/3 writes descriptor 3" 0 bash -c 'out=$1; shift; "$0" -q -o /dev/fd/3 "$@" 3> "$out"' \
    "$HEAPSIFT" "$WORK/fd3.txt" "${APP[@]}"
check_grep "-o /dev/fd/3: the report in the file descriptor 3 was opened on" "^Total Size: " "$WORK/fd3.txt"

# -o --force over a file of another group keeps its group, as far as this
# user may (root keeps owner and group).
rm -f "$WORK/owned.txt"
"$HEAPSIFT" -q -o "$WORK/owned.txt" "${APP[@]}"
other_gid=$(getent group daemon | cut -d: -f3 || true)
if [ "$(id -u)" = 0 ] && [ -n "$other_gid" ]; then
    chown 1:"$other_gid" "$WORK/owned.txt"
    "$HEAPSIFT" -q --force -o "$WORK/owned.txt" "${APP[@]}"
    check_equal "-o --force keeps the replaced file's owner and group" "1:$other_gid" "$(stat -c %u:%g "$WORK/owned.txt")"
else
    tap_skip "-o --force keeps the replaced file's owner and group" "needs root and a daemon group"
fi

# A rename that fails (onto an immutable file: root with chattr) says which
# step failed, with both names, and leaves no temporary file.
rm -f "$WORK/immutable.txt"
touch "$WORK/immutable.txt"
if chattr +i "$WORK/immutable.txt" 2> /dev/null; then
    check_status "-o --force onto an immutable file: exit 1" 1 "$HEAPSIFT" -q --force -o "$WORK/immutable.txt" "${APP[@]}"
    check_grep "the failed rename is said, with the file and its temporary" \
        "immutable\.txt: renaming the temporary file .*immutable\.txt\.tmp\.[A-Za-z0-9]+ to it failed: Operation not permitted" \
        "$WORK/err"
    chattr -i "$WORK/immutable.txt"
    check_equal "no temporary file is left" "0" "$(find "$WORK" -maxdepth 1 -name 'immutable.txt.tmp.*' | wc -l)"
else
    for k in 1 2 3; do tap_skip "-o onto an immutable file ($k)" "chattr +i is not allowed here"; done
fi

# A file name of 250 bytes (NAME_MAX is 255): its temporary file must not
# need more.
long=$(printf 'r%.0s' $(seq 250))
check_status "-o with a 250-byte file name" 0 "$HEAPSIFT" -q -o "$WORK/$long" "${APP[@]}"
if [ -s "$WORK/$long" ] && [ "$(ls -A "$WORK" | grep -c '\.hs\.')" -eq 0 ]; then tap_ok "it is written, no temporary file left"; else tap_fail "it is written, no temporary file left"; fi

# SIGINT, SIGTERM and SIGHUP while -o waits for its dumps (a FIFO held open)
# end heapsift by the signal, with nothing written.
for sig in INT TERM HUP; do
    rm -f "$WORK/held"
    mkfifo "$WORK/held"
    exec 7<>"$WORK/held"
    "$HEAPSIFT" -o "$WORK/sig-$sig.txt" "$WORK/held" 2>/dev/null &
    pid=$!
    sleep 0.3
    kill -s "$sig" "$pid"
    status=0
    wait "$pid" || status=$?
    exec 7>&-
    want=$((128 + $(kill -l "$sig")))
    if [ "$status" -eq "$want" ]; then tap_ok "SIG$sig during -o exits $want"; else tap_fail "SIG$sig during -o exits $want" "got $status"; fi
    left=$(find "$WORK" -name "sig-$sig.txt*" | wc -l)
    if [ "$left" -eq 0 ]; then tap_ok "SIG$sig during -o leaves no file"; else tap_fail "SIG$sig during -o leaves no file" "$left left"; fi
done
# --stats counts every line where it was read: dump 1's 10362 object
# lines by the quick reader, its 4 ROOT lines by the full parser.
check_status "--stats runs" 0 "$HEAPSIFT" -q --stats "${APP[@]}"
check_grep "--stats says which reader read each line" \
    "dump 1: .* 10366 lines \\(10362 by the quick reader, 0 by simdjson in batches, 4 by the full parser one at a time\\)" \
    "$WORK/err"
tap_done
