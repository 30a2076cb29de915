#!/usr/bin/env bash
# Hostile and broken dumps, made here at run time: for each, the exact exit
# status, the message (file, line, byte and reason) and what is still shown.
# Then terminal safety: text from a dump that holds escape sequences,
# control characters, bidirectional overrides and 10 kB lines reaches a
# terminal only escaped, in the report, --why and --path.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

# ---- helpers -----------------------------------------------------------------

# str ADDR FILE LINE GEN: a STRING line as Ruby 3.1 writes it (ADDR decimal).
str() {
    printf '{"address":"0x%x", "type":"STRING", "class":"0x1000", "bytesize":3, "value":"abc", "encoding":"UTF-8", "file":"%s", "line":%d, "method":"m", "generation":%d, "memsize":40, "flags":{"wb_protected":true}}\n' \
        "$1" "$2" "$3" "$4"
}

# top: a ROOT record and the class String, as every dump below starts.
top() {
    echo '{"type":"ROOT", "root":"vm", "references":["0x1000", "0x2000"]}'
    echo '{"address":"0x1000", "type":"CLASS", "class":"0x1028", "name":"String", "references":[], "memsize":100}'
}

# byte_of FILE LINE: the byte offset of LINE (1-based) in FILE.
byte_of() { head -n $(($2 - 1)) "$1" | wc -c | tr -d ' '; }

# check_no_grep NAME PATTERN FILE: no line matches.
check_no_grep() {
    if grep -qE -- "$2" "$3"; then
        tap_fail "$1" "a line matches /$2/:" "$(grep -E -- "$2" "$3" | head -c 400)"
    else
        tap_ok "$1"
    fi
}

# check_fixed NAME TEXT FILE: the text occurs as it is.
check_fixed() {
    if grep -qF -- "$2" "$3"; then
        tap_ok "$1"
    else
        tap_fail "$1" "no line holds '$2' in:" "$(head -c 600 "$3")"
    fi
}

# measure NAME STATUS COMMAND...: check_status under a time limit, with the
# time and the peak resident size in a TAP comment (and in $SECS, $PEAK_MB).
measure() {
    local name=$1 want=$2 got=0 t0 t1
    shift 2
    t0=$(date +%s%N)
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f %M -o "$WORK/rss" timeout 120 "$@" > "$WORK/out" 2> "$WORK/err" || got=$?
    else
        echo 0 > "$WORK/rss"
        timeout 120 "$@" > "$WORK/out" 2> "$WORK/err" || got=$?
    fi
    t1=$(date +%s%N)
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
    PEAK_MB=$(awk '{ kb = $1 } END { printf "%d", kb / 1024 }' "$WORK/rss")
    echo "# $name: $SECS s, peak $PEAK_MB MB"
    if [ "$got" -eq "$want" ]; then
        tap_ok "$name"
    else
        tap_fail "$name" "exit status $got, expected $want" "stderr: $(head -c 400 "$WORK/err")"
    fi
}

# at_most NAME VALUE LIMIT: a number is no larger than a limit.
at_most() {
    if awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then
        tap_ok "$1"
    else
        tap_fail "$1" "$2 is more than $3"
    fi
}

D=$WORK

# ---- every line invalid --------------------------------------------------------

printf 'x\n{"a":1}\n\n{"address":"0x10"}\n' > "$D/allbad.json"
check_status "every line invalid: exit 1" 1 "$HEAPSIFT" "$D/allbad.json"
check_grep "every line invalid: file, count, first line, byte and reason" \
    "allbad.json: not a Ruby heap dump: no line holds a heap object \(3 of its 3 lines were skipped; the first: line 1, byte 0: not a heap object line: does not start with '\{'\)$" \
    "$WORK/err"

# The same as dump 2 of three: nothing is compared, and it is named.
{ top; str 8232 a.rb 1 1; } > "$D/ok1.json"
check_status "every line invalid in dump 2 of 3: exit 1" 1 "$HEAPSIFT" --allow-same "$D/ok1.json" "$D/allbad.json" "$D/ok1.json"
check_grep "every line invalid in dump 2 of 3: that dump is named" "^heapsift: [^ ]*allbad.json: not a Ruby heap dump" "$WORK/err"

# One bad line among good ones: the others are all kept and counted.
{ top; for i in 1 2 3; do str $((8192 + i * 40)) a.rb 1 1; done; echo 'garbage'; str 9000 b.rb 2 1; } > "$D/onebad.json"
check_status "one bad line: the rest is reported" 0 "$HEAPSIFT" "$D/onebad.json"
check_grep "one bad line: named with line and byte" "onebad.json:6: \(byte $(byte_of "$D/onebad.json" 6)\) skipped: not a heap object line: does not start with '\{'" "$WORK/err"
check_grep "one bad line: counted" "onebad.json: 1 of 7 lines were not valid JSON: 0 repaired \(objects kept\), 1 skipped" "$WORK/err"
check_grep "one bad line: the objects before it are all shown" "^Live 3 STRING objects of size 9/120 at: a.rb:1$" "$WORK/out"
check_grep "one bad line: the object after it is shown" "^Live 1 STRING objects of size 3/40 at: b.rb:2$" "$WORK/out"

# ---- a 100 MB single line ------------------------------------------------------

# big_line QUOTE: an object whose value is 100 MiB of 'x', between two small
# ones. QUOTE is put into its file path: '"' breaks the line as Ruby does.
big_line() {
    top
    str 8232 a.rb 1 1
    printf '{"address":"0x3000", "type":"STRING", "class":"0x1000", "bytesize":104857600, "value":"'
    head -c 104857600 /dev/zero | tr '\0' x
    printf '", "encoding":"UTF-8", "file":"big%s.rb", "line":7, "method":"m", "generation":1, "memsize":104857640, "flags":{"wb_protected":true}}\n' "$1"
    str 8272 a.rb 1 1
}
big_line "" > "$D/bigline.json"
measure "100 MB line: read" 0 "$HEAPSIFT" "$D/bigline.json"
check_grep "100 MB line: its object is shown with its size" "^Live 1 STRING objects of size 104857600/104857640 at: big.rb:7$" "$WORK/out"
check_grep "100 MB line: the objects around it are shown" "^Live 2 STRING objects of size 6/80 at: a.rb:1$" "$WORK/out"
check_no_grep "100 MB line: no warning" "." "$WORK/err"
at_most "100 MB line: under 30 s" "$SECS" 30
measure "100 MB line: --path to the object after it" 0 "$HEAPSIFT" --path=0x2050 "$D/bigline.json"
check_grep "100 MB line: --path shows the object" "^  0x2050 STRING String a.rb:1 \"abc\"" "$WORK/out"
at_most "100 MB line: --path under 1.5 GB" "$PEAK_MB" 1536

big_line '"' > "$D/bigline-broken.json"
measure "100 MB line, not JSON: read" 0 "$HEAPSIFT" "$D/bigline-broken.json"
check_grep "100 MB line, not JSON: repaired, with line and byte" \
    "bigline-broken.json:4: \(byte $(byte_of "$D/bigline-broken.json" 4)\) repaired: not valid JSON" "$WORK/err"
check_grep "100 MB line, not JSON: its object is kept" "^Live 1 STRING objects of size 104857600/104857640 at: big\".rb:7$" "$WORK/out"
check_grep "100 MB line, not JSON: the objects around it are shown" "^Live 2 STRING objects of size 6/80 at: a.rb:1$" "$WORK/out"
at_most "100 MB line, not JSON: under 30 s" "$SECS" 30
rm -f "$D/bigline-broken.json"

# ---- 10 million references on one object ---------------------------------------

{
    top
    str 8232 a.rb 1 1
    printf '{"address":"0x2000", "type":"ARRAY", "class":"0x1000", "length":10000000, "references":['
    awk 'BEGIN { for (i = 0; i < 10000000; i++) printf "%s\"0x%s\"", i ? ", " : "", i % 2 ? "2050" : "2028" }'
    printf '], "file":"many.rb", "line":3, "method":"m", "generation":1, "memsize":80000040, "flags":{"wb_protected":true}}\n'
    str 8272 a.rb 1 1
} > "$D/refs.json"
measure "10M references: --path" 0 "$HEAPSIFT" --path=0x2050 "$D/refs.json"
check_grep "10M references: the path goes through the array" "^  0x2000 ARRAY String many.rb:3  \(retained 80000120 bytes\)$" "$WORK/out"
check_grep "10M references: to the object" "^  0x2050 STRING String a.rb:1 \"abc\"  \(retained 40 bytes\)$" "$WORK/out"
at_most "10M references: under 30 s" "$SECS" 30
at_most "10M references: under 1.5 GB" "$PEAK_MB" 1536
measure "10M references: report sorted by retained size" 0 "$HEAPSIFT" --sort=retained "$D/refs.json"
check_grep "10M references: the array retains everything below it" "^Live 1 ARRAY objects of size 0/80000040 at: many.rb:3  retained: 80000120$" "$WORK/out"
# The same dump cut while it is parsed (which takes about half a second):
# either the load won (exit 0) or the change is seen (exit 1, and said);
# never a signal.
cp "$D/refs.json" "$D/shrinking.json"
( sleep 0.2; truncate -s 1000000 "$D/shrinking.json" ) &
cutter=$!
got=0
timeout 60 "$HEAPSIFT" --sort=retained "$D/shrinking.json" > "$WORK/out" 2> "$WORK/err" || got=$?
wait "$cutter" || true
if [ "$got" -eq 0 ] || { [ "$got" -eq 1 ] && grep -q "shrinking.json: the file changed while it was being read: it shrank from $(wc -c < "$D/refs.json") to 1000000 bytes" "$WORK/err"; }; then
    tap_ok "a dump truncated while it is parsed: no signal (exit $got)"
else
    tap_fail "a dump truncated while it is parsed: no signal" "exit $got" "$(head -c 400 "$WORK/err")"
fi
rm -f "$D/shrinking.json"
rm -f "$D/refs.json"

# ---- cycles and self-references ------------------------------------------------

{
    echo '{"type":"ROOT", "root":"vm", "references":["0x2000"]}'
    echo '{"address":"0x2000", "type":"ARRAY", "references":["0x2028"], "file":"c.rb", "line":1, "generation":1, "memsize":40}'
    echo '{"address":"0x2028", "type":"ARRAY", "references":["0x2050"], "file":"c.rb", "line":2, "generation":1, "memsize":40}'
    echo '{"address":"0x2050", "type":"ARRAY", "references":["0x2000", "0x2050", "0x2050"], "file":"c.rb", "line":3, "generation":1, "memsize":40}'
    echo '{"address":"0x3000", "type":"ARRAY", "references":["0x3000"], "file":"self.rb", "line":1, "generation":1, "memsize":40}'
} > "$D/cycle.json"
check_status "a cycle: --path" 0 "$HEAPSIFT" --path=0x2050 "$D/cycle.json"
check_grep "a cycle: the path is the shortest, 3 hops" "^# 3 hops from the vm root$" "$WORK/out"
check_grep "a cycle: it ends at the object" "^  0x2050 ARRAY c.rb:3  \(retained 40 bytes\)$" "$WORK/out"
check_status "a cycle: retained sizes" 0 "$HEAPSIFT" --sort=retained "$D/cycle.json"
check_grep "a cycle: its head retains the whole cycle" "^Live 1 ARRAY objects of size 0/40 at: c.rb:1  retained: 120$" "$WORK/out"
check_status "an object referencing itself: --path" 0 "$HEAPSIFT" --path=0x3000 "$D/cycle.json"
check_grep "an object referencing itself: no root reaches it" "^# no GC root reaches it" "$WORK/out"

# A cycle of 200,000 objects: no recursion over the graph.
awk 'BEGIN {
    n = 200000
    print "{\"type\":\"ROOT\", \"root\":\"vm\", \"references\":[\"0x100000\"]}"
    for (i = 0; i < n; i++)
        printf "{\"address\":\"0x%x\", \"type\":\"ARRAY\", \"references\":[\"0x%x\"], \"file\":\"ring.rb\", \"line\":1, \"generation\":1, \"memsize\":40}\n", 1048576 + i * 40, 1048576 + ((i + 1) % n) * 40
}' > "$D/ring.json"
measure "a 200,000-object cycle: --path to its last" 0 "$HEAPSIFT" --path=0x8a11d8 "$D/ring.json"
check_grep "a 200,000-object cycle: every hop counted" "^# 200000 hops from the vm root$" "$WORK/out"
check_grep "a 200,000-object cycle: the middle is elided" "^  \.\.\. 199976 hops not shown \.\.\.$" "$WORK/out"

# ---- duplicated addresses -------------------------------------------------------

{ top; str 8232 a.rb 1 1; str 8232 a.rb 1 1; str 8272 a.rb 1 1; } > "$D/dup.json"
check_status "duplicated address: read" 0 "$HEAPSIFT" "$D/dup.json"
check_grep "duplicated address: warned, with both lines and bytes" \
    "dup.json: 1 object has the address of an earlier one, the first at line 4 \(byte $(byte_of "$D/dup.json" 4)\): 0x2028, as at line 3 \(byte $(byte_of "$D/dup.json" 3)\); Ruby writes each address once" \
    "$WORK/err"
check_grep "duplicated address: every object is kept" "^Live 3 STRING objects of size 9/120 at: a.rb:1$" "$WORK/out"
cat "$D/dup.json" "$D/dup.json" > "$D/two-in-one.json"
check_status "two dumps in one file: read" 0 "$HEAPSIFT" --allow-same "$D/ok1.json" "$D/ok1.json" "$D/two-in-one.json"
check_grep "two dumps in one file: warned, counted" "two-in-one.json: 5 objects have the address of an earlier one, the first at object 3: 0x2028, as at object 2" "$WORK/err"

# ---- addresses that are not hex, or overflow 64 bits ----------------------------

{
    top
    str 8232 a.rb 1 1
    echo '{"address":"0xzz12", "type":"STRING", "file":"a.rb", "line":1, "generation":1}'
    echo '{"address":"0x123456789abcdef01", "type":"STRING", "file":"a.rb", "line":1, "generation":1}'
    echo '{"address":"", "type":"STRING", "file":"a.rb", "line":1, "generation":1}'
    str 8272 a.rb 1 1
} > "$D/badaddr.json"
check_status "bad addresses: the rest is reported" 0 "$HEAPSIFT" "$D/badaddr.json"
check_grep "bad addresses: counted" "badaddr.json: 3 of 7 lines were not valid JSON: 0 repaired \(objects kept\), 3 skipped" "$WORK/err"
check_grep "not hex: line, byte, reason" "badaddr.json:4: \(byte $(byte_of "$D/badaddr.json" 4)\) skipped: not a heap object line: address is not a hex number; no address$" "$WORK/err"
check_grep "over 64 bits: line, byte, reason" "badaddr.json:5: \(byte $(byte_of "$D/badaddr.json" 5)\) skipped: not a heap object line: address is not a hex number; no address$" "$WORK/err"
check_grep "bad addresses: the good objects are shown" "^Live 2 STRING objects of size 6/80 at: a.rb:1$" "$WORK/out"

# ---- numbers where strings belong, and the reverse ------------------------------

# one_line NAME LINE: a dump of top, LINE, and a good object; the message
# for line 3 goes to $WORK/err.
one_line() {
    { top; echo "$2"; str 8272 a.rb 1 1; } > "$D/$1.json"
    check_status "$1: read" 0 "$HEAPSIFT" "$D/$1.json"
}
one_line type-number '{"address":"0x3000", "type":7, "file":"a.rb", "line":1, "generation":1}'
check_grep "type is a number: skipped, saying so" "type-number.json:3: \(byte $(byte_of "$D/type-number.json" 3)\) skipped: not a heap object line: type is not a string \(left out\); no type$" "$WORK/err"
check_grep "type is a number: the good object is shown" "^Live 1 STRING objects of size 3/40 at: a.rb:1$" "$WORK/out"
one_line strings-numbers '{"address":"0x3000", "type":"STRING", "file":42, "line":"5", "method":7, "generation":"1", "memsize":"40"}'
check_grep "file and method are numbers, numbers are strings: each named" \
    "strings-numbers.json:3: \(byte $(byte_of "$D/strings-numbers.json" 3)\) repaired: not a heap object line: file is not a string \(left out\); line is a number written as a string; method is not a string \(left out\); generation is a number written as a string" \
    "$WORK/err"
check_grep "numbers written as strings are read" "^Live 1 STRING objects of size 0/40 at: :5$" "$WORK/out"
one_line line-word '{"address":"0x3000", "type":"STRING", "file":"w.rb", "line":"one", "generation":true, "memsize":null}'
check_grep "a word where a number belongs: named" "line-word.json:3: \(byte $(byte_of "$D/line-word.json" 3)\) repaired: not a heap object line: line is a string, not a number \(left out\); generation is not a whole number \(left out\); memsize is not a whole number \(left out\)$" "$WORK/err"
check_grep "a word where a number belongs: the object is kept" "^Live 1 STRING objects of size 0/0 at: w.rb:$" "$WORK/out"
one_line bare-refs '{"address":"0x3000", "type":"ARRAY", "class":4096, "references":[1, "0x2050", "zz"], "file":"r.rb", "line":1, "generation":1}'
check_status "bare references: --path" 0 "$HEAPSIFT" --path=0x2050 "$D/bare-refs.json"
check_grep "bare references: named, the others kept" "bare-refs.json:3: \(byte $(byte_of "$D/bare-refs.json" 3)\) repaired: not a heap object line: unquoted class read as hex; 2 references are not quoted hex addresses \(left out\)$" "$WORK/err"

# ---- deeply nested JSON in an unknown member ------------------------------------

nested() { # DEPTH CLOSE: CLOSE=1 closes every bracket
    printf '{"address":"0x3000", "type":"STRING", "file":"deep.rb", "line":1, "deep":'
    head -c "$1" /dev/zero | tr '\0' '['
    if [ "$2" = 1 ]; then head -c "$1" /dev/zero | tr '\0' ']'; fi
    printf ', "generation":1, "memsize":40}\n'
}
{ top; nested 1000000 1; str 8272 a.rb 1 1; } > "$D/deep.json"
measure "a million nested arrays: read" 0 "$HEAPSIFT" "$D/deep.json"
check_no_grep "a million nested arrays: valid JSON, no warning" "." "$WORK/err"
check_grep "a million nested arrays: the object is shown" "^Live 1 STRING objects of size 0/40 at: deep.rb:1$" "$WORK/out"
check_status "a million nested arrays: its members show (--path)" 0 "$HEAPSIFT" --path=0x3000 "$D/deep.json"
{ top; nested 1000000 0; str 8272 a.rb 1 1; } > "$D/deep-open.json"
check_status "a million unclosed arrays: read" 0 "$HEAPSIFT" "$D/deep-open.json"
check_grep "a million unclosed arrays: repaired (not cut short), with line and byte" "deep-open.json:3: \(byte $(byte_of "$D/deep-open.json" 3)\) repaired: not valid JSON .*line ends inside the object$" "$WORK/err"
check_grep "a million unclosed arrays: the object is kept" "^Live 1 STRING objects of size 0/0 at: deep.rb:1$" "$WORK/out"
check_grep "a million unclosed arrays: the next object is shown" "^Live 1 STRING objects of size 3/40 at: a.rb:1$" "$WORK/out"

# ---- NUL bytes and invalid UTF-8 --------------------------------------------------

{
    top
    printf '{"address":"0x3000", "type":"STRING", "file":"n\0ul.rb", "line":1, "method":"x\0y", "generation":1, "memsize":40}\n'
    printf '\0\0\0\0\n'
    printf '{"address":"0x3028", "type":"STRING", "file":"a.rb", "line":1, "generation":1, "memsize":40}\0\0\n'
    str 8272 a.rb 1 1
} > "$D/nul.json"
check_status "NUL bytes: the rest is reported" 0 "$HEAPSIFT" "$D/nul.json"
check_grep "NUL in a path: repaired, with line and byte" "nul.json:3: \(byte $(byte_of "$D/nul.json" 3)\) repaired: not valid JSON \(Within strings, some characters must be escaped, we found unescaped characters\)$" "$WORK/err"
check_grep "a line of NULs: skipped, with line and byte" "nul.json:4: \(byte $(byte_of "$D/nul.json" 4)\) skipped: not a heap object line: does not start with '\{'$" "$WORK/err"
check_grep "NULs after an object: repaired, with line and byte" "nul.json:5: \(byte $(byte_of "$D/nul.json" 5)\) repaired: not valid JSON" "$WORK/err"
check_grep "NUL bytes: all counted" "nul.json: 3 of 6 lines were not valid JSON: 2 repaired \(objects kept\), 1 skipped$" "$WORK/err"
check_grep "NULs after an object: it is kept" "^Live 2 STRING objects of size 3/80 at: a.rb:1$" "$WORK/out"
if perl -0777 -ne 'exit(/^Live 1 STRING objects of size 0\/40 at: n\x00ul\.rb:1$/m ? 0 : 1)' "$WORK/out"; then
    tap_ok "a path with a NUL is kept whole"
else
    tap_fail "a path with a NUL is kept whole" "$(od -c "$WORK/out" | head -n 20)"
fi

{
    top
    printf '{"address":"0x3050", "type":"STRING", "file":"caf\351\377\300\200.rb", "line":1, "method":"\355\240\200", "generation":1, "memsize":40}\n'
    str 8272 a.rb 1 1
} > "$D/utf8.json"
check_status "invalid UTF-8: read" 0 "$HEAPSIFT" "$D/utf8.json"
check_grep "invalid UTF-8: repaired, with line, byte and reason" "utf8.json:3: \(byte $(byte_of "$D/utf8.json" 3)\) repaired: not valid JSON \(The input is not valid UTF-8\)$" "$WORK/err"
check_fixed "invalid UTF-8: the path is kept byte for byte" "at: caf"$'\351\377\300\200'".rb:1" "$WORK/out"
check_grep "invalid UTF-8: the next object is shown" "^Live 1 STRING objects of size 3/40 at: a.rb:1$" "$WORK/out"

# ---- gzip cut short, corrupt, or empty ------------------------------------------

{ top; for i in $(seq 1 3000); do str $((1048576 + i * 40)) gz.rb 4 1; done; } > "$D/gz.json"
gzip -c "$D/gz.json" > "$D/gz.json.gz"
gz_size=$(wc -c < "$D/gz.json.gz")
head -c $((gz_size / 2)) "$D/gz.json.gz" > "$D/cut.json.gz"
check_status "gzip cut short: what it holds is read" 0 "$HEAPSIFT" "$D/cut.json.gz"
check_grep "gzip cut short: where, and what was kept" "^heapsift: warning: [^ ]*cut.json.gz: the gzip stream is cut short at compressed byte $((gz_size / 2)); kept the [0-9]+ bytes inflated before it$" "$WORK/err"
check_grep "gzip cut short: its last line is named" "cut.json.gz:[0-9]+: \(byte [0-9]+\) (skipped|cut short)" "$WORK/err"
kept=$(sed -n 's/^Live \([0-9]*\) STRING objects .* at: gz.rb:4$/\1/p' "$WORK/out")
if [ -n "$kept" ] && [ "$kept" -gt 100 ] && [ "$kept" -lt 3000 ]; then
    tap_ok "gzip cut short: the objects before the cut are shown ($kept)"
else
    tap_fail "gzip cut short: the objects before the cut are shown" "got '$kept'"
fi
cp "$D/gz.json.gz" "$D/corrupt.json.gz"
printf '\377\377\377\377\377\377\377\377' | dd of="$D/corrupt.json.gz" bs=1 seek=$((gz_size / 2)) conv=notrunc 2> /dev/null
check_status "gzip corrupt: what it holds is read" 0 "$HEAPSIFT" "$D/corrupt.json.gz"
check_grep "gzip corrupt: where, why, what was kept" "corrupt.json.gz: the gzip stream is corrupt at compressed byte [0-9]+ \(zlib: [a-z ]+\); kept the [0-9]+ bytes inflated before it, which may hold damaged lines too$" "$WORK/err"
check_grep "gzip corrupt: the objects before the damage are shown" "^Live [0-9]+ STRING objects of size [0-9/]+ at: gz.rb:4$" "$WORK/out"
head -c 5 "$D/gz.json.gz" > "$D/stub.json.gz"
check_status "gzip with nothing inflatable: exit 1" 1 "$HEAPSIFT" "$D/stub.json.gz"
check_grep "gzip with nothing inflatable: where" "stub.json.gz: the gzip stream holds no data: it is cut short at compressed byte 5$" "$WORK/err"
printf '\037\213\010\000\000\000\000\000\000\003garbage' > "$D/garbage.json.gz"
check_status "gzip of garbage: exit 1" 1 "$HEAPSIFT" "$D/garbage.json.gz"
check_grep "gzip of garbage: where and why" "garbage.json.gz: the gzip stream holds no data: it is corrupt at compressed byte [0-9]+ \(zlib: invalid block type\)$" "$WORK/err"

# ---- a file that shrinks while it is read ----------------------------------------

# Dump 3 is a FIFO: heapsift opens it only once dump 2 (the subject, kept
# mapped) is loaded, and blocks reading it. The writer cuts dump 2 to
# nothing before it writes dump 3, so dump 2 shrinks between its load and
# the second read of its lines.
{ top; str 8232 a.rb 1 1; } > "$D/s1.json"
{ top; str 8232 a.rb 1 1; for i in $(seq 1 2000); do str $((1048576 + i * 40)) leak.rb 5 3; done; } > "$D/s2.src"
cp "$D/s2.src" "$D/s2.json"
s2_size=$(wc -c < "$D/s2.src")
mkfifo "$D/s3.fifo"
( exec 3> "$D/s3.fifo"; : > "$D/s2.json"; cat "$D/s2.src" >&3 ) &
writer=$!
check_status "a dump cut to nothing after it was loaded: exit 1" 1 timeout 60 "$HEAPSIFT" "$D/s1.json" "$D/s2.json" "$D/s3.fifo"
kill "$writer" 2> /dev/null || true
wait "$writer" 2> /dev/null || true
check_grep "a dump cut to nothing: named, both sizes, the byte, nothing kept" \
    "^heapsift: [^ ]*s2.json: the file changed while it was being read: it shrank from $s2_size to 0 bytes \(byte 0 could no longer be read\); nothing of it was kept" \
    "$WORK/err"
check_no_grep "a dump cut to nothing: no report" "." "$WORK/out"

rm -f "$D/bigline.json"

# ---- a FIFO, and no read permission ------------------------------------------------

mkfifo "$D/feed.fifo"
cat "$D/s2.src" > "$D/feed.fifo" &
check_status "a FIFO fed by a writer: read" 0 timeout 60 "$HEAPSIFT" "$D/feed.fifo"
wait
check_grep "a FIFO: every object is shown" "^Live 2000 STRING objects of size 6000/80000 at: leak.rb:5$" "$WORK/out"
: > "$D/feed.fifo" &
check_status "a FIFO whose writer writes nothing: exit 1" 1 timeout 60 "$HEAPSIFT" "$D/feed.fifo"
wait
check_grep "a FIFO whose writer writes nothing: says so" "feed.fifo: the file is empty$" "$WORK/err"

cp "$D/s1.json" "$D/secret.json"
chmod 000 "$D/secret.json"
if [ "$(id -u)" -ne 0 ]; then
    check_status "no read permission: exit 1" 1 "$HEAPSIFT" "$D/secret.json"
    check_grep "no read permission: the file and the reason" "secret.json: cannot open: Permission denied$" "$WORK/err"
elif command -v setpriv > /dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups "$HEAPSIFT" --version > /dev/null 2>&1; then
    # Root reads anything: run as nobody, who may enter $WORK but not read the file.
    chmod 711 "$WORK"
    check_status "no read permission (as nobody): exit 1" 1 setpriv --reuid=65534 --regid=65534 --clear-groups "$HEAPSIFT" "$D/secret.json"
    check_grep "no read permission: the file and the reason" "secret.json: cannot open: Permission denied$" "$WORK/err"
    chmod 700 "$WORK"
else
    tap_skip "no read permission: exit 1" "running as root, and cannot run as another user"
    tap_skip "no read permission: the file and the reason" "running as root, and cannot run as another user"
fi

# ---- terminal safety ------------------------------------------------------------------

ESC=$'\033'
BEL=$'\007'
RLO=$'\342\200\256'   # U+202E right-to-left override
LRI=$'\342\201\246'   # U+2066 left-to-right isolate
CSI=$'\302\233'       # U+009B, the C1 control sequence introducer
LONG=$(head -c 10240 /dev/zero | tr '\0' L)
EVIL_FILE="app/${ESC}]0;pwned${BEL}${ESC}[2J${RLO}evil${LRI}.rb${CSI}31m"
ESCAPED_FILE='app/\x1b]0;pwned\x07\x1b[2J\u{202e}evil\u{2066}.rb\u{009b}31m'
# evil GEN WITH_LEAK: a dump whose class names, paths, methods and values
# hold escape sequences (raw, as Ruby before 3.3 writes names and every
# version paths; and JSON-escaped, as Ruby writes values).
evil() {
    echo '{"type":"ROOT", "root":"vm\u001b[2J\u202e", "references":["0x1000", "0x5000"]}'
    printf '{"address":"0x1000", "type":"CLASS", "name":"Evil%s[31mRed%sX", "references":[], "file":"%s", "line":1, "generation":1, "memsize":100}\n' "$ESC" "$RLO" "$EVIL_FILE"
    printf '{"address":"0x1100", "type":"CLASS", "name":"Esc\\u001b[7mAped\\u202e", "references":[], "memsize":100}\n'
    printf '{"address":"0x5000", "type":"ARRAY", "class":"0x1100", "length":2, "references":["0x6000", "0x6028"], "file":"%s", "line":3, "method":"m%s[0m", "generation":1, "memsize":80}\n' "$EVIL_FILE" "$ESC"
    if [ "$2" = 1 ]; then
        printf '{"address":"0x6000", "type":"STRING", "class":"0x1000", "bytesize":9, "value":"\\u001b[31mred\\u0007\\u202e\\u2069\\u0085", "file":"%s", "line":7, "method":"m\\u001b]8;;x", "generation":%d, "memsize":40}\n' "$EVIL_FILE" "$1"
        printf '{"address":"0x6028", "type":"STRING", "class":"0x1000", "bytesize":9, "value":"%s", "file":"%s%s", "line":9, "method":"%s", "generation":%d, "memsize":40}\n' "$LONG" "$EVIL_FILE" "$LONG" "$LONG" "$1"
    fi
}
evil 1 0 > "$D/t1.json"
evil 5 1 > "$D/t2.json"
evil 5 1 > "$D/t3.json"
T=("$D/t1.json" "$D/t2.json" "$D/t3.json")

# raw_bytes FILE: true when FILE holds a C0 control (other than tab, CR,
# LF), DEL, a C1 control, or an invisible or reordering code point.
raw_bytes() {
    LC_ALL=C perl -0777 -ne 'exit(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8b\x8e\x8f\xa8-\xae]|\xe2\x81[\xa6-\xa9]|\xef\xbb\xbf/ ? 0 : 1)' "$1"
}

# on_tty NAME COMMAND...: runs COMMAND with standard output on a terminal
# (script(1) makes one), standard error to $WORK/err; output in $WORK/out.
on_tty() {
    local name=$1 cmd got=0
    shift
    cmd=$(printf '%q ' "$@")
    SHELL=/bin/bash script -qec "$cmd 2> $(printf '%q' "$WORK/err") < /dev/null" /dev/null > "$WORK/out" || got=$?
    if [ "$got" -eq 0 ]; then
        tap_ok "$name"
    else
        tap_fail "$name" "exit status $got" "$(head -c 400 "$WORK/err")"
    fi
}

# no_raw NAME FILE
no_raw() {
    if raw_bytes "$2"; then
        tap_fail "$1" "raw control bytes in:" "$(head -c 600 "$2" | od -c | head -n 12)"
    else
        tap_ok "$1"
    fi
}

if ! command -v script > /dev/null || ! command -v perl > /dev/null; then
    for name in "report on a terminal" "-o /dev/tty" "--suspects -o /dev/stdout" "--why on a terminal" "--path on a terminal" "warnings on a terminal"; do
        tap_skip "$name" "no script(1) or perl"
    done
else
    on_tty "report on a terminal: exit 0" "$HEAPSIFT" -R "${T[@]}"
    no_raw "report on a terminal: no raw control, C1 or bidi byte" "$WORK/out"
    check_fixed "report on a terminal: the path shown escaped" "Retained 1 STRING objects of size 9/40 at: $ESCAPED_FILE:7" "$WORK/out"
    check_fixed "report on a terminal: a 10 kB path shown whole" "$ESCAPED_FILE$LONG:9" "$WORK/out"

    # -o onto the terminal itself: escaped as standard output is.
    on_tty "-o /dev/tty: exit 0" "$HEAPSIFT" -R -o /dev/tty "${T[@]}"
    no_raw "-o /dev/tty: no raw control, C1 or bidi byte" "$WORK/out"
    check_fixed "-o /dev/tty: the path shown escaped" "Retained 1 STRING objects of size 9/40 at: $ESCAPED_FILE:7" "$WORK/out"
    on_tty "--suspects -o /dev/stdout on a terminal: exit 0" "$HEAPSIFT" -R --suspects -o /dev/stdout "${T[@]}"
    no_raw "--suspects -o /dev/stdout on a terminal: no raw control, C1 or bidi byte" "$WORK/out"

    on_tty "--why on a terminal: exit 0" "$HEAPSIFT" "--why=$EVIL_FILE:7" "${T[@]}"
    no_raw "--why on a terminal: no raw control, C1 or bidi byte" "$WORK/out"
    check_fixed "--why on a terminal: the site in its header, escaped" "allocated at $ESCAPED_FILE:7 retained?" "$WORK/out"
    check_fixed "--why on a terminal: a class name, escaped" 'ARRAY Esc\x1b[7mAped\u{202e} ' "$WORK/out"
    check_fixed "--why on a terminal: the root's name, escaped" 'root vm\x1b[2J\u{202e}' "$WORK/out"
    check_fixed "--why on a terminal: a value, escaped" '"\x1b[31mred\x07\u{202e}\u{2069}\u{0085}"' "$WORK/out"

    cp "$D/t3.json" "$D/evil${ESC}[2Jname.json"
    on_tty "--path on a terminal: exit 0" "$HEAPSIFT" --path=0x6028 "$D/t1.json" "$D/t2.json" "$D/evil${ESC}[2Jname.json"
    no_raw "--path on a terminal: no raw control, C1 or bidi byte" "$WORK/out"
    check_fixed "--path on a terminal: the dump's name, escaped" 'evil\x1b[2Jname.json' "$WORK/out"
    check_fixed "--path on a terminal: a raw class name, escaped" 'STRING Evil\x1b[31mRed\u{202e}X app/' "$WORK/out"
    check_fixed "--path on a terminal: the root's name, escaped" 'root vm\x1b[2J\u{202e}' "$WORK/out"

    # Warnings name the file: on a terminal it is escaped too (heapsift's own
    # progress line, which clears the line with ESC [K, is taken out first).
    SHELL=/bin/bash script -qec "$(printf '%q ' "$HEAPSIFT" "$D/evil${ESC}[2Jname.json") > /dev/null" /dev/null > "$WORK/tty-err" || true
    perl -pe 's/\r\e\[K//g' "$WORK/tty-err" > "$WORK/err"
    no_raw "warnings on a terminal: no raw control, C1 or bidi byte" "$WORK/err"
    check_fixed "warnings on a terminal: the file named, escaped" 'evil\x1b[2Jname.json:2: (byte ' "$WORK/err"
fi

# To a file the report is the dump's text as it is (the man page: -o never
# escapes), so tools that read it see the real paths.
check_status "-o keeps the text as it is" 0 "$HEAPSIFT" -o "$D/evil-report.txt" "${T[@]}"
check_fixed "-o: the path with its raw bytes" "at: $EVIL_FILE:7" "$D/evil-report.txt"
if command -v perl > /dev/null && raw_bytes "$D/evil-report.txt"; then
    tap_ok "-o: the raw bytes are there (the terminal checks above would see them)"
else
    tap_fail "-o: the raw bytes are there (the terminal checks above would see them)"
fi
# A root path is one hop a line wherever it goes: what each hop is (its
# class, site and value) is escaped in a file too, since a string's value may
# hold a newline; the group's own site, in the header, stays as it is.
check_status "--why to a file" 0 "$HEAPSIFT" "--why=$EVIL_FILE:7" "${T[@]}"
check_fixed "--why to a file: the site as it is" "at: $EVIL_FILE:7" "$WORK/out"
check_fixed "--why to a file: a hop's value, escaped" '0x6000 STRING Evil\x1b[31mRed\u{202e}X app/\x1b]0;pwned\x07\x1b[2J\u{202e}evil\u{2066}.rb\u{009b}31m:7 "\x1b[31mred\x07\u{202e}\u{2069}\u{0085}"  (retained 40)' "$WORK/out"
check_fixed "--why to a file: the root, escaped" '    root vm\x1b[2J\u{202e}' "$WORK/out"
# A hop's description is cut at 1 kB, and says so.
check_status "--path to an object with a 10 kB site" 0 "$HEAPSIFT" --path=0x6028 "${T[@]}"
check_grep "--path: a 10 kB hop is cut and marked" '^  0x6028 STRING Evil.*31mL{900,}\.\.\.  \(retained 40 bytes\)$' "$WORK/out"

tap_plan "$TAP_N"
tap_done
