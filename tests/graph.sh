#!/usr/bin/env bash
# Why is it retained: --why and --path on the shipped dumps (golden), and
# on real dumps Ruby writes here when it is installed: a class kept alive
# only by its instances, and a million-deep linked list.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

APP=("$DATA/app-1.json.gz" "$DATA/app-2.json.gz" "$DATA/app-3.json.gz")
tap_plan 18

golden() {
    local name=$1
    shift
    (cd "$DATA/.." && "$HEAPSIFT" -q "$@") > "$WORK/$name" 2>&1 || true
    if [ "${HEAPSIFT_UPDATE_GOLDEN:-}" = 1 ]; then cp "$WORK/$name" "$GOLDEN/$name"; fi
    check_same "golden $name" "$GOLDEN/$name" "$WORK/$name"
}

# Run from the source tree so the dumps are named data/...: the same in
# every build directory.
golden why-session.txt --why=app/models/session.rb:9 data/app-1.json.gz data/app-2.json.gz data/app-3.json.gz
golden why-closure.txt --why=audit_log.rb:11 data/app-1.json.gz data/app-2.json.gz data/app-3.json.gz
golden path-cache.txt --path=0x7f587bff5b38 data/app-1.json.gz data/app-2.json.gz data/app-3.json.gz

check_status "--why at a site with no retained group exits 1" 1 "$HEAPSIFT" --why=nowhere.rb:1 "${APP[@]}"
check_grep "--why says which site it could not find" "no retained objects group was allocated at nowhere.rb:1" "$WORK/err"
check_status "--why without a line number is a usage error" 2 "$HEAPSIFT" --why=app.rb "${APP[@]}"
check_status "--path to an address that is no object exits 1" 1 "$HEAPSIFT" --path=0x10 "${APP[@]}"

# Every filter and --top apply to --why: products_controller.rb:40 holds
# 260 STRING, 130 ARRAY and 130 HASH retained objects.
PC=app/controllers/products_controller.rb:40
"$HEAPSIFT" -q --why=$PC "${APP[@]}" | grep '^Retained' > "$WORK/why-all"
check_equal "--why lists every group at the site" "3" "$(wc -l < "$WORK/why-all")"
"$HEAPSIFT" -q --why=$PC -t HASH,ARRAY "${APP[@]}" | grep '^Retained' | cut -d' ' -f2-3 | tr '\n' ' ' > "$WORK/why-t"
check_equal "--why with --type explains only those types" "130 ARRAY 130 HASH " "$(cat "$WORK/why-t")"
"$HEAPSIFT" -q --why=$PC --min-count=200 "${APP[@]}" | grep '^Retained' | cut -d' ' -f2-3 > "$WORK/why-m"
check_equal "--why with --min-count hides the smaller groups" "260 STRING" "$(cat "$WORK/why-m")"
"$HEAPSIFT" -q --why=$PC -n 2 "${APP[@]}" | grep -c '^Retained' > "$WORK/why-n" || true
check_equal "--why with --top explains the first N" "2" "$(cat "$WORK/why-n")"
check_status "--why whose groups the filter leaves out exits 1" 1 "$HEAPSIFT" --why=$PC --exclude=controllers "${APP[@]}"
check_grep "--why says the filter left them out" \
    "the filter leaves out the retained objects allocated at $PC \\(3 groups\\)" "$WORK/err"

if ! command -v ruby >/dev/null 2>&1; then
    for name in "a class kept alive by its instances: dump" "the path to the class goes through an instance" \
        "a million-deep list: dump" "the path to its deepest node is elided, not cut" \
        "--suspects on the million-deep list: every object once"; do
        tap_skip "$name" "no ruby"
    done
    tap_done
fi

# An anonymous class: nothing names it but its instances.
cat > "$WORK/anon.rb" <<'RUBY'
require 'objspace'
require 'json'
ObjectSpace.trace_object_allocations_start
klass = Class.new
$keep = [klass.new]
addr = JSON.parse(ObjectSpace.dump(klass))['address']
klass = nil
GC.start
File.open(ARGV[0], 'w') { |f| ObjectSpace.dump_all(output: f) }
puts addr
RUBY
if addr=$(ruby --disable-gems "$WORK/anon.rb" "$WORK/anon.json"); then
    tap_ok "a class kept alive by its instances: dump"
else
    tap_fail "a class kept alive by its instances: dump"
fi
"$HEAPSIFT" -q --path="$addr" "$WORK/anon.json" > "$WORK/anon-path" 2>&1 || true
# The last two hops: the instance (an OBJECT) and then the class itself.
if tail -n 2 "$WORK/anon-path" | head -n 1 | grep -q " OBJECT " && tail -n 1 "$WORK/anon-path" | grep -q "^  $addr CLASS"; then
    tap_ok "the path to the class goes through an instance"
else
    tap_fail "the path to the class goes through an instance" "$(cat "$WORK/anon-path")"
fi

# A linked list a million arrays deep: no recursion may crash or crawl.
cat > "$WORK/deep.rb" <<'RUBY'
require 'objspace'
require 'json'
ObjectSpace.trace_object_allocations_start
first = [nil]
list = first
999_999.times { list = [list] }
$list = list
addr = JSON.parse(ObjectSpace.dump(first))['address']
first = list = nil
GC.start
File.open(ARGV[0], 'w') { |f| ObjectSpace.dump_all(output: f) }
puts addr
RUBY
if deep=$(ruby --disable-gems "$WORK/deep.rb" "$WORK/deep.json"); then
    tap_ok "a million-deep list: dump"
else
    tap_fail "a million-deep list: dump"
fi
"$HEAPSIFT" -q --path="$deep" "$WORK/deep.json" > "$WORK/deep-path" 2>&1 || true
if grep -qE "^# 100000[0-9] hops from the" "$WORK/deep-path" &&
    grep -qE "^  \.\.\. 9999[0-9]{2} hops not shown \.\.\.$" "$WORK/deep-path" &&
    tail -n 1 "$WORK/deep-path" | grep -q "^  $deep ARRAY Array"; then
    tap_ok "the path to its deepest node is elided, not cut"
else
    tap_fail "the path to its deepest node is elided, not cut" "$(head -c 1500 "$WORK/deep-path")"
fi
# One dump: every object is live, the whole list a chain of them under
# the roots, walked up without recursion.
"$HEAPSIFT" -q --suspects "$WORK/deep.json" > "$WORK/deep-suspects" 2>&1 || true
objects=$(sed -n 's/^# dump 1: .* (\([0-9]*\) objects.*/\1/p' "$WORK/deep-suspects")
held=$(awk '/^Suspect / { for (i = 1; i < NF; i++) if ($i == "holds") s += $(i + 1) } END { print s + 0 }' "$WORK/deep-suspects")
if [ -n "$objects" ] && [ "$held" = "$objects" ] && [ "$objects" -gt 1000000 ]; then
    tap_ok "--suspects on the million-deep list: every object once"
else
    tap_fail "--suspects on the million-deep list: every object once" "objects $objects, held $held" "$(head -c 600 "$WORK/deep-suspects")"
fi
tap_done
