#!/usr/bin/env bash
# The explorer driven for real in tmux: a private server, a fixed size,
# keys sent with send-keys, the screen read with capture-pane, and polling
# for the expected text rather than sleeping.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

. "${top_srcdir:-.}/tests/tmux.sh"
APP=("$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$DATA/app-3.json.gz")

tap_plan 172

# ---- load, the group list, the biggest leak -------------------------------------
start 80 24 "${APP[@]}"
wait_for "the group list appears" "^ +283 .*STRING .*products_controller.rb:7"
wait_for "the header names the lists, the dumps and totals" "Suspects \| Groups  retained: 3485 objects 361 KB, 3 dumps  32 groups"
wait_for "trends are drawn with block glyphs" "[▁▂▃▄▅▆▇█]{3}"
wait_for "the status line shows the selection and sort" "group 1/32 +by site +sort count"
wait_for "the retained size of each group is shown" "^ +COUNT +BYTESIZE +MEMSIZE +RETAINED +TYPE"

# ---- sort pane: memsize first, selection kept -------------------------------------
keys s
wait_for "the sort pane opens" "Sort groups by"
keys j Enter
wait_for "sorted by memsize: the biggest memsize first" "^ +130 .* 121 KB +[0-9.]+ KB HASH .*lib/rackish.rb:27"
wait_for "the status line shows the new sort" "sort memsize"
keys r
wait_for "r reverses the sort" "sort memsize \(reversed\)"
keys r s j j j j Enter
wait_for "sorted by retained size: the Procs first" "^ +130 .* 245 KB DATA .*audit_log.rb:14"
keys s k k k k k Enter
wait_for "back to sorting by count" "sort count$"

# ---- filter pane: by path, live, Esc restores, Enter keeps ---------------------------
keys f
wait_for "the filter pane opens" "Path contains"
keys a p p / m o d e l s
wait_for "the list updates as the person types" "groups?, [0-9]+ objects shown"
wait_for "only app/models is left" "app/models/session.rb:9"
keys Escape
wait_for "Esc restores the previous filter" "group [0-9]+/32 +by site +sort count$"
keys f a p p / m o d e l s Enter
wait_for "Enter keeps the filter" "filter app/models"
wait_for "the kept filter shows app/models only" "^ +76 .*OBJECT .*app/models/session.rb:9"

# ---- drill in: group -> objects -> object -> referrer --------------------------------
keys G
wait_for "G goes to the last group" "group [0-9]+/[0-9]+ +by site"
keys g
keys /
keys O B J E C T Enter
wait_for "search finds the OBJECT group" "^ +76 .*OBJECT"
keys Enter
wait_for "Enter lists the group's objects" "^ADDRESS +TYPE +CLASS"
wait_for "objects show their class" "OBJECT +Session "
keys Enter
wait_for "Enter shows the object" "^object 0x[0-9a-f]+ in dump 3: OBJECT Session app/models/session.rb"
wait_for "the title says where: a breadcrumb" "heapsift  Groups › OBJECT session.rb:9 › 0x[0-9a-f]+ *$"
wait_for "it opens with its retained size in view, not scrolled past it" "^Retained size: [0-9.]+ [KMG]?B"
wait_for "its members are shown" "generation: [0-9]+"
keys G
wait_for "its referrers are listed" "^Referrers \([0-9]+\)"
wait_for "the referrer is the class-level array" "ARRAY Array app/models/session.rb"
keys Enter
wait_for "Enter on a referrer moves there" "^object 0x[0-9a-f]+ in dump 3: ARRAY"
wait_for "the breadcrumb grows" "heapsift  Groups › OBJECT session.rb:9 › 0x[0-9a-f]+ › 0x[0-9a-f]+ *$"
keys h
wait_for "h goes back along the stack" "in dump 3: OBJECT Session"
wait_gone "and the breadcrumb shrinks" "› 0x[0-9a-f]+ › 0x"
keys g
wait_for "the object view shows the retained size" "^Retained size: 278 B \(what freeing it would free, in dump 3\)"
wait_for "and the path from a GC root" "^Path from a GC root \(4 hops from the vm root, in dump 3\)"
keys j j Enter
wait_for "Enter on a hop of the path goes there" "in dump 3: ARRAY Array app/models/session.rb:3"
keys h
keys ']'
wait_for "] scrolls long rows right" "^ \(what freeing it would free, in dump 3\)"
keys '['
wait_for "[ scrolls them back" "^Retained size: [0-9.]+ [KMG]?B"
keys / a d d r e s s Enter
keys Enter
wait_for "Enter on a member shows its whole value" "The whole value"
wait_for "decoded and escaped" "^ +address \(14 bytes\):"
keys q
wait_gone "q closes it" "The whole value"

# ---- export ------------------------------------------------------------------------------
keys e
wait_for "export offers a default name" "Export view to: heapsift-object-0x[0-9a-f]+\.txt"
keys Enter
wait_for "export says where it went" "exported to heapsift-object-0x"
keys q q
wait_for "q goes back to the group list" "group [0-9]+/[0-9]+ +by site"
keys e
keys C-u
keys r e p o r t . t x t Enter
wait_for "the group list is exported" "exported to report.txt"
if grep -qE "^Retained 76 OBJECT objects of size 0/[0-9]+ at: app/models/session.rb:9  retained: [0-9]+  trend: 24 100 162$" "$WORK/report.txt" &&
    grep -q "^# filter: path app/models" "$WORK/report.txt"; then
    tap_ok "the export uses --report's format, with the retained size and trend shown, and says the filter"
else
    tap_fail "the export uses --report's format and says the filter" "$(head -c 600 "$WORK/report.txt")"
fi
keys e C-u r e p o r t . t x t Enter
wait_for "an existing file is not replaced without asking" "report.txt exists. Replace it\? \(y/n\)"
keys n
wait_for "n keeps it" "not exported: report.txt exists"

# ---- why: what holds a group ---------------------------------------------------------------
keys f C-u Enter
keys g / s e r v e r . r b Enter
wait_for "a search says which match of how many" "match 1/14"
keys n
wait_for "n goes to the next match" "match 2/14"
keys j
wait_for "moving onto a match says which it is" "match 3/14"
keys g
wait_for "off the matches, the count stays" "14 matches"
keys / a u d i t _ l o g . r b : 1 1 Enter
wait_for "search finds the closure's strings" "group [0-9]+/32"
keys w
wait_for "w explains the group: its retained size" "retained size: 5200 bytes"
wait_for "what holds it: the closures' environments" "130 of them \(5200 bytes\) by IMEMO app/middleware/audit_log.rb:14"
wait_for "and the path through the Proc" "DATA Proc app/middleware/audit_log.rb:14"
wait_for "the why pane has its own key bar" "^ j scroll  g top  G end  e export  q close"
for _ in $(seq 40); do keys j; done
wait_for "j stops at the end of the text, not past it" "DATA Proc app/middleware/audit_log.rb:14"
keys g
wait_for "g goes back to its top" "retained size: 5200 bytes"
keys e
wait_for "e in the why pane proposes a file for its text" "Export view to: heapsift-why.txt"
keys C-u "$WORK/why.txt" Enter
wait_for "the why text is exported, and the pane stays open" "exported to .*why\.txt"
if grep -q "retained size: 5200 bytes" "$WORK/why.txt" && grep -q "DATA Proc app/middleware/audit_log.rb:14" "$WORK/why.txt"; then
    tap_ok "the exported why text is the pane's"
else
    tap_fail "the exported why text is the pane's" "$(head -c 600 "$WORK/why.txt")"
fi
keys q
wait_gone "q closes the why pane" "Why is this group retained"

# ---- help, resize, quit ---------------------------------------------------------------------
keys '?'
wait_for "? shows help generated from the actions" "j Down +move down"
keys q
"${T[@]}" resize-window -t hs -x 30 -y 8
wait_for "a tiny terminal is told it is too small" "terminal too small"
"${T[@]}" resize-window -t hs -x 100 -y 30
wait_for "a resize redraws the list" "group [0-9]+/[0-9]+ +by site"
keys Q
wait_for "Q quits with status 0" "EXITED 0" 5
wait_for "the terminal is restored after Q" "TERMINAL-RESTORED" 5

# ---- colours: none with NO_COLOR or --color=never, some otherwise ----------------------
colour_codes() { "${T[@]}" capture-pane -e -p -t hs | grep -cE $'\e\[[0-9;]*(3[0-7]|4[0-7])[;m]' || true; }
start 80 24 "${APP[@]}"
wait_for "the list appears (colour)" "group 1/32"
if [ "$(colour_codes)" -gt 0 ]; then tap_ok "colours are used by default"; else tap_fail "colours are used by default"; fi
keys Q
new_server
"${T[@]}" new-session -d -s hs -x 80 -y 24 "cd '$WORK' && NO_COLOR=1 LANG=C.UTF-8 '$HEAPSIFT' --view=groups ${APP[*]}; sleep 60"
wait_for "the list appears (NO_COLOR)" "group 1/32"
if [ "$(colour_codes)" -eq 0 ]; then tap_ok "NO_COLOR turns colours off"; else tap_fail "NO_COLOR turns colours off"; fi
keys Q
start 80 24 --color=never "${APP[@]}"
wait_for "the list appears (--color=never)" "group 1/32"
if [ "$(colour_codes)" -eq 0 ]; then tap_ok "--color=never turns colours off"; else tap_fail "--color=never turns colours off"; fi
keys Q

# ---- signals: SIGHUP (the SSH connection dropping), SIGTERM and crashes restore the terminal ----
signal_test() {
    local sig=$1 status=$2
    start 80 24 "${APP[@]}"
    wait_for "the list appears (SIG$sig)" "group 1/32"
    local pane pid="" i
    pane=$("${T[@]}" display-message -p -t hs '#{pane_pid}' 2>/dev/null || true)
    for ((i = 0; i < 100; i++)); do
        pid=$(pgrep -P "$pane" -f heapsift 2>/dev/null | head -n 1 || true)
        [ -n "$pid" ] && break
        sleep 0.05
    done
    [ -n "$pid" ] && kill -s "$sig" "$pid"
    wait_for "SIG$sig ends heapsift with status $status" "EXITED $status" 5
    wait_for "the terminal is restored after SIG$sig" "TERMINAL-RESTORED" 5
}
signal_test HUP 129
signal_test TERM 143
# A crash (abort() on running out of memory, or a bug) restores it too.
signal_test ABRT 134

# ---- the loading screen shows at once, and q cancels a load that is waiting ------------
mkfifo "$WORK/slow.json"
exec 7<>"$WORK/slow.json" # holds the FIFO open: the load waits for data
start 80 24 "$WORK/slow.json"
wait_for "the loading screen appears while the dump is read" "loading 1 dump"
wait_for "the loading screen offers to cancel" "q cancel"
keys Escape
sleep 0.3
if screen | grep -q "loading 1 dump"; then tap_ok "a stray Esc does not cancel the load"; else tap_fail "a stray Esc does not cancel the load" "$(screen)"; fi
keys q
wait_for "q cancels the load (status 1)" "EXITED 1" 5
wait_for "and says so" "heapsift: loading cancelled \(q\): nothing was compared"
wait_for "the terminal is restored after cancelling" "TERMINAL-RESTORED" 5
exec 7>&-

# ---- the Suspects view: the first screen, Tab, Enter and back, w, export ------------------
start_on_suspects 100 30 "${APP[@]}"
wait_for "it opens on the Suspects, the tab marked in the header" "heapsift  Suspects \| Groups  retained: 3485 objects 361 KB, 3 dumps  9 suspects"
wait_for "the biggest holder first: the audit log's array" "^ +2080 +233 KB .* 64\.6% grows +ARRAY Array at app/middleware/audit_log\.rb:4"
wait_for "a folded row says how many hold" "HASH Hash at lib/rackish\.rb:27 \(35 holders\)"
wait_for "its key bar" "^ Enter open  Tab groups  / search"
keys Tab
wait_for "Tab shows the groups" "group 1/32 +by site"
keys Tab
wait_for "Tab again, the suspects" "suspect 1/9"
keys Enter
wait_for "Enter opens the suspect" "^Suspect 1: ARRAY Array at app/middleware/audit_log\.rb:4 \(0x7f587bfeaff8\)"
wait_for "with its holder's path from a GC root" "0x7f587bfeb070 CLASS AuditLog app/middleware/audit_log\.rb:3"
wait_for "and what it holds, as groups" "What it holds: 21 groups"
wait_for "the breadcrumb" "heapsift  Suspects › ARRAY audit_log\.rb:4"
keys Enter
wait_for "Enter on a group lists the objects it holds of it" "Suspects › ARRAY audit_log\.rb:4 › STRING products_controller\.rb:40"
keys h h
wait_for "h comes back to the suspects" "suspect 1/9"
keys w
wait_for "w shows the suspect in full" "growth: grows in every window \\(still held, of each window's allocations: 2080 of dumps 1-2,"
keys q
keys e
wait_for "e proposes the suspects' export" "Export view to: heapsift-suspects\.txt"
keys C-u "$WORK/suspects.txt" Enter
wait_for "the suspects are exported" "exported to .*suspects\.txt"
"$HEAPSIFT" --report --suspects "${APP[@]}" > "$WORK/suspects-cli.txt" 2>/dev/null
if diff <(grep -v '^#' "$WORK/suspects.txt") <(grep -v '^#' "$WORK/suspects-cli.txt") > "$WORK/suspects.diff"; then
    tap_ok "the export is what --suspects writes"
else
    tap_fail "the export is what --suspects writes" "$(head -c 800 "$WORK/suspects.diff")"
fi
keys s
wait_for "s sorts the suspects" "Sort suspects by"
keys j Enter
wait_for "by count, the status line says" "suspect 1/9  sort count"
keys Q

# ---- one dump: a site without a file says so ----------------------------------------------
start 100 24 "$DATA/app-3.json.gz"
wait_for "a site with no file reads (no file), not a lone colon" "^ +2874 .* IMEMO +\(no file\) *$"
keys Q

# ---- the mouse: a click selects, a double-click opens, the wheel scrolls, a tab's name -----
# xterm's X10 mouse reports, as the terminal would send them: ESC [ M, then
# 32 + button, 32 + column + 1, 32 + row + 1 (button 0 left, 3 release,
# 64/65 the wheel up/down).
mouse() { "${T[@]}" send-keys -t hs -H 1b 5b 4d "$(printf '%x' $((32 + $1)))" "$(printf '%x' $((33 + $2)))" "$(printf '%x' $((33 + $3)))"; }
start 100 24 "${APP[@]}"
wait_for "the list appears (mouse)" "group 1/32"
mouse 0 10 4
mouse 3 10 4
wait_for "a click on the list's third row selects it" "group 3/32"
mouse 65 10 4
wait_for "the wheel down moves three rows" "group 6/32"
mouse 64 10 4
wait_for "the wheel up moves back" "group 3/32"
mouse 0 10 4
mouse 3 10 4
mouse 0 10 4
mouse 3 10 4
wait_for "a double-click opens the group" "^ADDRESS +TYPE +CLASS"
keys h
mouse 0 12 0
mouse 3 12 0
wait_for "a click on Suspects in the title shows that tab" "suspect 1/9"
keys Q

# ---- y copies with OSC 52, o opens the source in $EDITOR ---------------------------------
mkdir -p "$WORK/app/controllers"
echo "# the source of the leak" > "$WORK/app/controllers/products_controller.rb"
printf '#!/bin/sh\necho "$@" > "%s/editor-args"\n' "$WORK" > "$WORK/editor.sh"
chmod +x "$WORK/editor.sh"
start 100 24 "${APP[@]}"
"${T[@]}" set-option -s set-clipboard on
wait_for "the list appears (y, o)" "group 1/32"
keys y
wait_for "y says what it copied" "copied app/controllers/products_controller\.rb:7 \(to the clipboard, by OSC 52\)"
buffer=$("${T[@]}" show-buffer 2>/dev/null || true)
if [ "$buffer" = "app/controllers/products_controller.rb:7" ]; then tap_ok "the terminal (tmux) got it by OSC 52"; else tap_fail "the terminal (tmux) got it by OSC 52" "buffer: $buffer"; fi
keys Enter y
wait_for "in the object list, y copies the address" "copied 0x[0-9a-f]+ \(to the clipboard"
keys Q
new_server
"${T[@]}" new-session -d -s hs -x 100 -y 24 \
    "cd '$WORK' && EDITOR='$WORK/editor.sh' VISUAL= LANG=C.UTF-8 '$HEAPSIFT' --view=groups ${APP[*]}; echo \"EXITED \$?\"; sleep 60"
wait_for "the list appears (EDITOR)" "group 1/32"
keys o
wait_for "o comes back from the editor" "back from .*editor\.sh"
if [ "$(cat "$WORK/editor-args" 2>/dev/null)" = "+7 app/controllers/products_controller.rb" ]; then
    tap_ok "o opened the group's file at its line"
else
    tap_fail "o opened the group's file at its line" "args: $(cat "$WORK/editor-args" 2>/dev/null)"
fi
wait_for "the screen is back after the editor" "group 1/32 +by site"
keys j o
wait_for "a file not on this machine is said" "app/services/page_cache\.rb: No such file or directory"
keys Q

# ---- exports into FIFOs: none that nothing reads, none that kills the explorer --------------
mkfifo "$WORK/export.fifo"
start 100 24 "${APP[@]}"
wait_for "the list appears (FIFO)" "group 1/32"
keys e C-u "$WORK/export.fifo" Enter
wait_for "a FIFO that nothing reads is refused at once, not waited on" "a FIFO that nothing reads yet"
# A reader that leaves mid-export raises SIGPIPE: the explorer ignores it
# (the write fails with EPIPE and is reported) rather than die with the
# terminal left raw. The signal itself, sent as the kernel would:
pane=$("${T[@]}" display-message -p -t hs '#{pane_pid}' 2>/dev/null || true)
hs_pid=$(pgrep -P "$pane" -f heapsift 2>/dev/null | head -n 1 || true)
[ -n "$hs_pid" ] && kill -s PIPE "$hs_pid"
sleep 0.2
keys Tab Tab j
wait_for "SIGPIPE does not end the explorer" "group 2/32"
# While "terminal too small" shows, keys do nothing unseen.
"${T[@]}" resize-window -t hs -x 30 -y 8
wait_for "too small (keys)" "terminal too small"
keys e Enter
"${T[@]}" resize-window -t hs -x 100 -y 24
wait_for "back to full size" "group 2/32"
if [ ! -e "$WORK/heapsift-report.txt" ] && ! screen | grep -q "Export view to"; then
    tap_ok "keys typed while too small did nothing"
else
    tap_fail "keys typed while too small did nothing" "$(screen)"
fi
keys Q

# ---- the export prompt takes ~ for $HOME, as a shell would ---------------------------------
mkdir -p "$WORK/home"
new_server
"${T[@]}" new-session -d -s hs -x 100 -y 24 \
    "cd '$WORK' && HOME='$WORK/home' LANG=C.UTF-8 '$HEAPSIFT' --view=groups ${APP[*]}; echo \"EXITED \$?\"; sleep 60"
wait_for "the list appears (HOME set)" "group 1/32"
keys e C-u '~/tilde.txt' Enter
wait_for "~/ is the home directory" "exported to $WORK/home/tilde\.txt"
if [ -s "$WORK/home/tilde.txt" ]; then tap_ok "the file is in the home directory"; else tap_fail "the file is in the home directory"; fi
keys Q

# ---- a missing dump is said at once, before any screen -----------------------------------
start 80 24 "$DATA/app-1.json.gz" "$WORK/no-such-dump.json"
wait_for "a missing dump is named on the terminal" "^heapsift: .*no-such-dump.json: cannot open: No such file"
wait_for "and heapsift leaves with status 1, no key needed" "EXITED 1" 5

# ---- a terminal that cannot place the cursor is refused, not left blank ----------------
new_server
"${T[@]}" new-session -d -s hs -x 80 -y 24 \
    "cd '$WORK' && TERM=dumb '$HEAPSIFT' ${APP[*]}; echo \"EXITED \$?\"; sleep 60"
wait_for "TERM=dumb: told to use --report" "heapsift: the terminal \(TERM=dumb\) cannot place the cursor; use --report"
wait_for "TERM=dumb: status 1" "EXITED 1" 5

# ---- help at 80x15: clear of the status line, scrolled to what does not fit ------------
start 80 15 "${APP[@]}"
wait_for "the list appears (80x15)" "group 1/32"
keys '?'
wait_for "help says it scrolls" "heapsift keys  \(j/k scroll\)"
wait_for "the status line stays in view under help" "^ group 1/32  by site  sort count"
keys G
wait_for "G shows the last keys: d" "^ +d +the dumps: compare from another one"
wait_for "and !" "^ +! +what was wrong with the dumps"
keys q
wait_gone "q closes help" "heapsift keys"
keys Q

# ---- hostile text is shown inert: escapes, controls, bidi overrides ---------------------
# A path, a method, a class name and a string value that would set the window
# title, clear the screen and reverse the text if a terminal interpreted them.
esc=$'\033' bel=$'\007' rlo=$'\u202e'
{
    printf '{"address":"0x7f0000000010", "type":"CLASS", "class":"0x7f0000000020", "name":"Evil%s[2JClass", "memsize":40}\n' "$esc"
    # A root holds the first string through an array, so that the why pane
    # has a path whose hop shows the value.
    printf '{"type":"ROOT", "root":"vm", "references":["0x7f0000000200"]}\n'
    printf '{"address":"0x7f0000000200", "type":"ARRAY", "references":["0x7f0000000110"], "length":1, "memsize":40}\n'
    for i in 1 2 3; do
        printf '{"address":"0x7f00000001%d0", "type":"STRING", "class":"0x7f0000000010", "bytesize":9, "value":"%s]2;PWNED%s", "file":"app/%sbr.ppa/evil.rb", "line":7, "method":"m%s[31m", "generation":5, "memsize":40}\n' \
            "$i" "$esc" "$bel" "$rlo" "$esc"
    done
} > "$WORK/hostile.json"
printf '{"address":"0x7f0000000999", "type":"STRING", "generation":1, "memsize":40}\n' > "$WORK/empty-1.json"
start 100 24 "$WORK/empty-1.json" "$WORK/hostile.json"
wait_for "a hostile path is shown escaped" 'app/\\u\{202[eE]\}br\.ppa/evil\.rb:7'
keys Enter
wait_for "a hostile class name is shown escaped" 'Evil\\x1b\[2JClass'
keys Enter
wait_for "a hostile string value is shown escaped" '\\x1b\]2;PWNED\\x07'
wait_for "a hostile method name is shown escaped" 'method: "m\\x1b\[31m"'
title=$("${T[@]}" display-message -p -t hs '#{pane_title}' 2>/dev/null || true)
if [ "$title" != PWNED ]; then tap_ok "the window title is untouched"; else tap_fail "the window title is untouched" "title: $title"; fi
keys q q
wait_for "back on the group list" "^ group 1/"
wait_gone "the graph is read" "retained sizes: "
keys w
wait_for "the why pane shows a hop's value escaped once" 'STRING Evil\\x1b\[2JClass app/\\u\{202[eE]\}br\.ppa/evil\.rb:7 "\\x1b\]2;PWNED\\x07"'
if screen | grep -qF '\\'; then tap_fail "no backslash is doubled in the why pane" "$(screen)"; else tap_ok "no backslash is doubled in the why pane"; fi
keys Q

# ---- the dumps' problems: counted on the status line, listed by ! ------------------------
cp "$DATA/broken-paths.json" "$WORK/broken-paths.json"
start 100 24 broken-paths.json
wait_for "damaged lines are counted on the status line" "17 lines repaired, 0 skipped \(! shows them\)"
keys '!'
wait_for "! lists them with line, byte and reason" "^ broken-paths\.json:11: \(byte 15428\) repaired: not valid JSON \(Within strings, some "
wait_for "a reason longer than the pane wraps at a space, under its own text" "^   be escaped, we found unescaped characters\\) *$"
keys '!'
wait_gone "! closes the pane" "What was wrong with the dumps"
keys Q

# ---- a dump that shrinks while the explorer reads it ----------------------------------------
# The object view reads the dump's text long after loading: past the new end
# it finds zeros (no SIGBUS), and the status line says so.
cp "$DATA/broken-paths.json" "$WORK/shrink.json"
start 120 24 shrink.json
wait_for "the list appears (a dump about to shrink)" "group 1/36"
truncate -s 100 "$WORK/shrink.json"
keys Enter
wait_for "its objects are listed" "^ADDRESS +TYPE"
keys Enter
wait_for "the status line says the dump shrank and from where" "dump 1 shrank while open: from byte [0-9]+ it reads as zeros; quit and rerun on a copy"
keys Q
wait_for "heapsift still quits normally" "EXITED 0" 5

# ---- a load that fails says why, and how to leave --------------------------------------
printf 'hello\nworld\n' > "$WORK/not-a-dump.json"
start 80 24 "$WORK/not-a-dump.json"
wait_for "a failed load names the file" "not-a-dump.json: not a Ruby heap dump"
wait_for "a failed load says how to leave" "Press q or Enter to leave"
keys Enter
wait_for "Enter leaves with status 1" "EXITED 1" 5
# ---- each dump's count beside the trend, where the screen has room ----------------------
# The first group (STRING products_controller.rb:7) has 121, 404 and 679
# live objects in dumps 1, 2 and 3.
start 160 30 "${APP[@]}"
wait_for "160 columns: the LIVE heading" "TREND +LIVE +LOCATION"
wait_for "160 columns: each dump's count beside the trend glyphs" "^ +283 .* STRING +[^ ]+ +121 404 679 app/controllers/products_controller.rb:7"
keys Q
start 80 24 "${APP[@]}"
wait_for "80 columns: the list" "group 1/32"
wait_gone "80 columns: no LIVE column, the location keeps its room" "LIVE"
keys Q
# ---- an export error longer than the status line is shown whole ---------------------------
start 80 24 "${APP[@]}"
wait_for "the list appears (long export error)" "group 1/32"
keys e C-u "$WORK/no-such-directory-with-a-name-long-enough-to-push-the-reason-off-an-80-column-line/r.txt" Enter
wait_for "the whole error shows, wrapped: its reason at the end" "No such file or directory"
keys j
wait_gone "the next key clears it" "No such file or directory"
keys Q
# ---- compaction between dumps: the status line says so, ! says more -----------------------
# Short names in $WORK: the warnings name the dumps, and a long build path
# (make distcheck's) would wrap them differently.
for k in 1 2 3; do cp "$SRCDIR/tests/modern/compact-3.1/d$k.json.gz" "$WORK/c31-$k.json.gz"; done
start 100 24 c31-1.json.gz c31-2.json.gz c31-3.json.gz
wait_for "the status line says compaction moved objects" "compaction moved 1995 objects between dumps \(! says more\)"
keys '!'
wait_for "! says between which dumps" "c31-3.json.gz \\(dump 3\\): 203 objects without"
wait_for "and how to take dumps that compare" "Take dumps to compare with GC.auto_compact"
keys Q
# ---- a terminal that goes away without a SIGHUP ------------------------------------------
# The explorer on a pseudo-terminal that is nobody's controlling terminal
# (as after an SSH connection dropped with the signal lost): when its master
# side closes, the explorer leaves with status 1 and says why, rather than
# spinning or exiting 0 as a quit would.
if command -v ruby > /dev/null 2>&1; then
    ruby -rpty -e '
        master, slave = PTY.open
        pid = Process.spawn({ "TERM" => "xterm", "LANG" => "C.UTF-8" }, *ARGV[1..],
                            in: slave, out: slave, err: ARGV[0], pgroup: true)
        slave.close
        seen = +""
        deadline = Time.now + 20
        until seen.include?("group 1/") || Time.now > deadline
            next unless IO.select([master], nil, nil, 0.2)
            begin
                seen << master.read_nonblock(65536)
            rescue IO::WaitReadable, EOFError, Errno::EIO
            end
        end
        master.close
        status = nil
        100.times do
            _, status = Process.wait2(pid, Process::WNOHANG)
            break if status
            sleep 0.1
        end
        unless status
            Process.kill("KILL", pid)
            _, status = Process.wait2(pid)
        end
        puts status.exitstatus.inspect
    ' "$WORK/lost.err" "$HEAPSIFT" --view=groups "${APP[@]}" > "$WORK/lost.out"
    check_equal "a terminal lost without SIGHUP: exit status 1" "1" "$(cat "$WORK/lost.out")"
    check_grep "and it says so on standard error" "^heapsift: the terminal went away; leaving$" "$WORK/lost.err"
else
    tap_skip "a terminal lost without SIGHUP: exit status 1" "no ruby"
    tap_skip "and it says so on standard error" "no ruby"
fi
tap_done
