# tmux.sh - driving the explorer in tmux, for the shell tests (sourced
# after lib.sh, not run): a private server per session, a fixed size, keys
# sent with send-keys, the screen read with capture-pane, and polling for
# the expected text rather than sleeping. Without tmux the test is skipped.

if ! command -v tmux >/dev/null 2>&1; then
    echo "1..0 # SKIP tmux is not installed"
    exit 0
fi

# Each session gets a server of its own (a new socket): starting a server
# while the previous one shuts down fails now and then.
SERVERS=0
SOCK="heapsift-test-$$-0"
T=(tmux -L "$SOCK" -f /dev/null)
new_server() {
    "${T[@]}" kill-server >/dev/null 2>&1 || true
    SERVERS=$((SERVERS + 1))
    SOCK="heapsift-test-$$-$SERVERS"
    T=(tmux -L "$SOCK" -f /dev/null)
}
cleanup() { "${T[@]}" kill-server >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

screen() { "${T[@]}" capture-pane -p -t hs; }

# wait_for NAME PATTERN [SECONDS]: polls the screen until PATTERN (ERE)
# shows, then records ok; else not ok with the screen.
wait_for() {
    local name=$1 pattern=$2 limit=${3:-10} i
    for ((i = 0; i < limit * 20; i++)); do
        if screen | grep -qE -- "$pattern"; then
            tap_ok "$name"
            return 0
        fi
        sleep 0.05
    done
    tap_fail "$name" "no /$pattern/ on the screen:"
    screen | sed 's/^/# | /'
    return 0
}

# wait_gone NAME PATTERN [SECONDS]: polls until PATTERN is no longer on the
# screen.
wait_gone() {
    local name=$1 pattern=$2 limit=${3:-10} i
    for ((i = 0; i < limit * 20; i++)); do
        if ! screen | grep -qE -- "$pattern"; then
            tap_ok "$name"
            return 0
        fi
        sleep 0.05
    done
    tap_fail "$name" "/$pattern/ is still on the screen"
}

keys() { "${T[@]}" send-keys -t hs "$@"; }

# start COLUMNS LINES ARGS...: runs heapsift in a new session on the group
# list (start_on_suspects: as it opens by default); when it ends the pane
# prints its exit status and whether the terminal came back. PANE_SETUP, when
# set, is a shell command run in the pane first (a ulimit, say).
start() {
    start_on_suspects "$1" "$2" --view=groups "${@:3}"
}
start_on_suspects() {
    local cols=$1 lines=$2
    shift 2
    new_server
    local cmd
    printf -v cmd '%q ' "$HEAPSIFT" "$@"
    "${T[@]}" new-session -d -s hs -x "$cols" -y "$lines" \
        "cd '$WORK' && ulimit -c 0 && ${PANE_SETUP:-true} && LANG=C.UTF-8 $cmd; echo \"EXITED \$?\"; stty -a | grep -q ' echo ' && echo TERMINAL-RESTORED; sleep 60"
}
