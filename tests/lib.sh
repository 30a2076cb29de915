# lib.sh - TAP helpers for heapsift's shell tests (sourced, not run).
# Each check prints "ok N - name" or "not ok N - name" plus what differed.

HEAPSIFT=${HEAPSIFT:-${top_builddir:-.}/src/heapsift}
SRCDIR=${top_srcdir:-.}
# Absolute, so tests may change directory.
case $HEAPSIFT in /*) ;; */*) HEAPSIFT=$PWD/$HEAPSIFT ;; esac
case $SRCDIR in /*) ;; *) SRCDIR=$PWD/$SRCDIR ;; esac
DATA=$SRCDIR/data
GOLDEN=$SRCDIR/tests/golden
TAP_N=0
TAP_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/heapsift-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

tap_plan() { echo "1..$1"; }

tap_ok() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N - $1"
}

tap_fail() {
    TAP_N=$((TAP_N + 1))
    TAP_FAILED=$((TAP_FAILED + 1))
    echo "not ok $TAP_N - $1"
    shift
    for line in "$@"; do printf '# %s\n' "$line"; done
}

tap_skip() {
    TAP_N=$((TAP_N + 1))
    echo "ok $TAP_N - $1 # SKIP $2"
}

# check_same NAME EXPECTED_FILE ACTUAL_FILE
check_same() {
    if cmp -s "$2" "$3"; then
        tap_ok "$1"
    else
        tap_fail "$1" "differs from $2:"
        { diff -u "$2" "$3" || true; } | head -n 30 | sed 's/^/# /'
    fi
}

# check_status NAME EXPECTED_STATUS COMMAND...: runs COMMAND, stdout and
# stderr to $WORK/out and $WORK/err.
check_status() {
    local name=$1 want=$2 got=0
    shift 2
    "$@" > "$WORK/out" 2> "$WORK/err" || got=$?
    if [ "$got" -eq "$want" ]; then
        tap_ok "$name"
    else
        tap_fail "$name" "exit status $got, expected $want" "stderr: $(head -c 400 "$WORK/err")"
    fi
}

# check_grep NAME PATTERN FILE
check_grep() {
    if grep -qE -- "$2" "$3"; then
        tap_ok "$1"
    else
        tap_fail "$1" "no line matches /$2/ in:" "$(head -c 400 "$3")"
    fi
}

# check_equal NAME EXPECTED ACTUAL: two strings
check_equal() {
    if [ "$2" = "$3" ]; then
        tap_ok "$1"
    else
        tap_fail "$1" "got '$3', expected '$2'"
    fi
}

tap_done() { exit 0; }
