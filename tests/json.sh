#!/usr/bin/env bash
# --format=json: every document is valid JSON (Ruby's parser reads it) and
# says what the text says, field by field (tests/ruby/check-json.rb); the
# filters, --top and -o work as for the text; --fail-growing gates on a
# suspect that grows in every window.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

APP=("$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$DATA/app-3.json.gz")
CHECK="$top_srcdir/tests/ruby/check-json.rb"
tap_plan 24

# text and JSON of the same run; check-json.rb compares them.
same_as_text() {
    local name=$1 kind=$2
    shift 2
    "$HEAPSIFT" -q "$@" > "$WORK/$kind.txt"
    "$HEAPSIFT" -q --format=json "$@" > "$WORK/$kind.json"
    if ruby "$CHECK" "$kind" "$WORK/$kind.txt" "$WORK/$kind.json" > "$WORK/check" 2>&1; then
        tap_ok "$name ($(cat "$WORK/check"))"
    else
        tap_fail "$name" "$(head -20 "$WORK/check")"
    fi
}

if ! command -v ruby >/dev/null 2>&1; then
    for k in $(seq 24); do tap_skip "json check $k" "no ruby to read the JSON"; done
    tap_done
fi

same_as_text "the report's JSON says what its text says" report "${APP[@]}"
same_as_text "--trend: the trends too" report --trend "${APP[@]}"
same_as_text "a filtered report" report --filter=app/ --type=STRING,HASH --min-count=100 "${APP[@]}"
same_as_text "--top limits the rows" report -n 3 "${APP[@]}"
same_as_text "--sort=retained: the retained sizes" report --sort=retained "${APP[@]}"
same_as_text "--suspects" suspects --suspects "${APP[@]}"
same_as_text "--suspects, filtered" suspects --suspects --exclude=gems/ "${APP[@]}"
same_as_text "--why" why --why=products_controller.rb:40 "${APP[@]}"
same_as_text "--why, filtered" why --why=products_controller.rb:40 --type=HASH "${APP[@]}"
same_as_text "--path" path --path=0x7f587bff5b38 "${APP[@]}"

# Facts of the header, as numbers.
"$HEAPSIFT" -q --format=json "${APP[@]}" > "$WORK/r.json"
fact() { ruby -rjson -e "d = JSON.parse(File.read(ARGV[0])); puts($1)" "$WORK/r.json"; }
check_equal "format_version is 1" "1" "$(fact 'd["format_version"]')"
check_equal "the mode and identity" "retained exact" "$(fact '[d["mode"], d["identity"]].join(" ")')"
check_equal "the dumps' object counts" "10362 13838 17468" "$(fact 'd["dumps"].map { |x| x["objects"] }.join(" ")')"
check_equal "the totals" "32 3485 78800 361171" "$(fact '[d["groups"], d["objects"], d["bytesize"], d["memsize"]].join(" ")')"
check_equal "rows' numbers are numbers" "Integer Integer" "$(fact '[d["rows"][0]["count"].class, d["rows"][0]["line"].class].join(" ")')"

# -o writes the same document into a file.
check_status "--format=json -o FILE" 0 "$HEAPSIFT" -q --format=json -o "$WORK/o.json" "${APP[@]}"
if cmp -s "$WORK/o.json" "$WORK/r.json"; then tap_ok "-o FILE holds the same document"; else tap_fail "-o FILE holds the same document"; fi

# Dump bytes that are not UTF-8 (broken-paths.json has them) still make
# valid JSON: Ruby's parser reads it.
"$HEAPSIFT" -q --format=json "$DATA/broken-paths.json" > "$WORK/broken.json"
if ruby -rjson -e 'JSON.parse(File.read(ARGV[0]))' "$WORK/broken.json" 2> "$WORK/err"; then
    tap_ok "invalid UTF-8 in a dump: still valid JSON"
else
    tap_fail "invalid UTF-8 in a dump: still valid JSON" "$(head -c 300 "$WORK/err")"
fi

check_status "--format=xml is a usage error" 2 "$HEAPSIFT" --format=xml "${APP[@]}"
check_grep "it says which formats there are" "--format is text or json, not 'xml'" "$WORK/err"

# --fail-growing: suspect 1 of the shipped dumps gains 2080 and 2284
# objects in the two windows.
check_status "--fail-growing=2000: suspect 1 grows more in every window: exit 3" 3 \
    "$HEAPSIFT" -q --fail-growing=2000 "${APP[@]}"
check_grep "it names the suspect" "suspect 1 grows by more than --fail-growing=2000 objects in every window: ARRAY Array at app/middleware/audit_log.rb:4" "$WORK/err"
check_status "--fail-growing=2100: 2080 in the first window is not more: exit 0" 0 \
    "$HEAPSIFT" -q --fail-growing=2100 "${APP[@]}"
check_status "--fail-growing on two dumps is a usage error" 2 \
    "$HEAPSIFT" -q --fail-growing=1 "${APP[0]}" "${APP[1]}"
tap_done
