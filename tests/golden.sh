#!/usr/bin/env bash
# Golden-file tests of the report mode: real dumps in data/, reports in
# tests/golden/. HEAPSIFT_UPDATE_GOLDEN=1 rewrites the golden files (read the
# diff before committing it). When Ruby is installed the classic script and
# the identity and suspects oracles in tests/ruby/ are run live as well.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

APP=("$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$DATA/app-3.json.gz")

# NAME: golden file name; the rest: heapsift arguments. Headers name the
# dumps by path, which depends on the build directory, so golden runs use
# --no-header unless they test the header (then paths are cut to file names).
golden() {
    local name=$1
    shift
    "$HEAPSIFT" -q "$@" > "$WORK/$name" 2> "$WORK/$name.err" || true
    sed -i -e 's|# dump \([0-9]*\): .*/|# dump \1: |' "$WORK/$name"
    if [ "${HEAPSIFT_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$WORK/$name" "$GOLDEN/$name"
    fi
    check_same "golden $name" "$GOLDEN/$name" "$WORK/$name"
}

tap_plan 31

golden app-site.txt --no-header "${APP[@]}"
golden app-header.txt "${APP[@]}"
golden app-class.txt --no-header --group-by=class "${APP[@]}"
golden app-gem.txt --no-header --group-by=gem "${APP[@]}"
golden app-file.txt --no-header --group-by=file "${APP[@]}"
golden app-method.txt --no-header --group-by=method --top=12 "${APP[@]}"
golden app-generation.txt --no-header --group-by=generation "${APP[@]}"
golden app-struct.txt --no-header --group-by=struct "${APP[@]}"
golden app-trend.txt --no-header --trend --top=10 "${APP[@]}"
golden app-filter.txt --no-header --filter=app/models --type=STRING,OBJECT "${APP[@]}"
golden app-glob.txt --no-header --filter='app/*/*_controller.rb' --exclude=products "${APP[@]}"
golden app-memsize.txt --no-header --sort=memsize --min-count=100 "${APP[@]}"
golden app-location-reversed.txt --no-header --sort=location --reverse --top=15 "${APP[@]}"
golden app-two-dumps.txt --no-header --top=15 "$DATA/app-1.json.gz" "$DATA/app-2.json.gz"
golden app-one-dump.txt --no-header --top=15 "$DATA/app-3.json.gz"
golden broken-paths.txt "$DATA/broken-paths.json"
golden truncated.txt --top=10 "$DATA/truncated.json"
golden app-suspects.txt --suspects "${APP[@]}"
golden app-suspects-filter.txt --no-header --suspects --exclude=gems/ --type=STRING,HASH --min-count=30 --top=3 \
    "${APP[@]}"
golden app-suspects-two-dumps.txt --no-header --suspects --top=4 "$DATA/app-1.json.gz" "$DATA/app-2.json.gz"

# Every retained object belongs to exactly one suspect: the Suspect lines'
# counts add up to the report's total, whatever the filters.
suspects_add_up() {
    local total sum
    total=$("$HEAPSIFT" -q "$@" "${APP[@]}" | sed -n 's/^# [0-9]* groups, \([0-9]*\) objects$/\1/p')
    sum=$("$HEAPSIFT" -q --suspects --top=1 "$@" "${APP[@]}" |
        awk '/^Suspect / { for (i = 1; i < NF; i++) if ($i == "holds") s += $(i + 1) }
             /^# [0-9]+ more suspects not shown: / { s += $7 } END { print s + 0 }')
    if [ -n "$total" ] && [ "$sum" = "$total" ]; then
        tap_ok "suspects add up to the report's total ($total) with: ${*:-no filter}"
    else
        tap_fail "suspects add up to the report's total with: ${*:-no filter}" "suspects: $sum, report: $total"
    fi
}
suspects_add_up
suspects_add_up --exclude=gems/ --type=STRING,HASH --min-count=30
suspects_add_up --filter='app/*' --min-count=100

# The classic script's output, byte for byte, with --identity=address.
"$HEAPSIFT" -q --identity=address "${APP[@]}" > "$WORK/classic"
check_same "identity=address equals the classic script (shipped output)" \
    "$DATA/expected/app-classic.txt" "$WORK/classic"

if command -v ruby >/dev/null 2>&1; then
    ruby "$SRCDIR/tests/ruby/classic-diff.rb" "${APP[@]}" > "$WORK/classic-live"
    check_same "identity=address equals the classic script (run live)" "$WORK/classic-live" "$WORK/classic"
    ruby "$SRCDIR/tests/ruby/identity-diff.rb" "${APP[@]}" > "$WORK/identity-live"
    "$HEAPSIFT" -q --no-header "${APP[@]}" > "$WORK/identity"
    check_same "default identity equals the Ruby identity oracle" "$WORK/identity-live" "$WORK/identity"
else
    tap_skip "identity=address equals the classic script (run live)" "no ruby"
    tap_skip "default identity equals the Ruby identity oracle" "no ruby"
fi

# The suspects oracle computes its own dominators (Cooper, Harvey and
# Kennedy) and holders: its Suspect lines are heapsift's, on every shipped
# dump that Ruby's JSON reads (the damaged fixtures it cannot).
suspects_oracle() {
    local name=$1
    shift
    if ! command -v ruby >/dev/null 2>&1; then
        tap_skip "suspects equal the Ruby suspects oracle: $name" "no ruby"
        return
    fi
    ruby "$SRCDIR/tests/ruby/suspects-oracle.rb" "$@" > "$WORK/suspects-live"
    "$HEAPSIFT" -q --suspects "$@" | grep '^Suspect ' > "$WORK/suspects" || true
    check_same "suspects equal the Ruby suspects oracle: $name" "$WORK/suspects-live" "$WORK/suspects"
}
suspects_oracle "three dumps" "${APP[@]}"
suspects_oracle "three dumps, filtered" --exclude=gems/ --type=STRING,HASH --min-count=30 "${APP[@]}"
suspects_oracle "three dumps, app strings" --filter=app/ --type=STRING "${APP[@]}"
suspects_oracle "two dumps" "$DATA/app-1.json.gz" "$DATA/app-2.json.gz"
suspects_oracle "one dump" "$DATA/app-3.json.gz"
tap_done
