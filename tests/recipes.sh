#!/usr/bin/env bash
# The README's leak check for CI, run as written: its script/leak_check.rb
# and its three commands, on an application that leaks one String per
# request into a constant (README, "Leak checks in CI").
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

tap_plan 7
if ! command -v ruby >/dev/null 2>&1; then
    for k in $(seq 7); do tap_skip "recipe $k" "no ruby"; done
    tap_done
fi

# The README's indented blocks under "Leak checks in CI": the script (the
# block that starts with its name) and the commands (the block after it).
readme="$SRCDIR/README"
block() { # block N: the Nth indented block of the section, unindented
    awk -v want="$1" '
        /^Leak checks in CI$/ { on = 1; next }
        on && /^[A-Z][a-z]+( [a-z]+)*$/ && !/^Leak/ { exit }
        on && /^    / { if (!inblock) { n++; inblock = 1 } if (n == want) print substr($0, 5); next }
        on { inblock = 0 }
    ' "$readme"
}
app="$WORK/app"
mkdir -p "$app/lib" "$app/script" "$WORK/bin"
cp "$SRCDIR/data/ruby/heapsift.rb" "$app/lib/heapsift.rb"
ln -sf "$HEAPSIFT" "$WORK/bin/heapsift"
block 1 > "$app/script/leak_check.rb"
block 2 > "$WORK/commands.sh"
cat > "$app/app.rb" <<'RUBY'
# A Rack application that keeps a line of every request it sees.
class App
  SEEN = []

  def call(env)
    SEEN << "seen #{env['PATH_INFO']}"
    [200, { 'content-type' => 'text/plain' }, ['ok']]
  end
end
RUBY

if grep -q "require_relative '../lib/heapsift'" "$app/script/leak_check.rb" && [ "$(wc -l < "$WORK/commands.sh")" -eq 3 ]; then
    tap_ok "the README's script and commands were found"
else
    tap_fail "the README's script and commands were found" "$(cat "$app/script/leak_check.rb" "$WORK/commands.sh")"
fi
status=0
(cd "$app" && PATH="$WORK/bin:$PATH" bash -e "$WORK/commands.sh") > "$WORK/out" 2> "$WORK/err" || status=$?
check_equal "the gate fails the build: exit 3" "3" "$status"
check_grep "it names the leak on standard error" "suspect 1 grows by more than --fail-growing=100 objects in every window: ARRAY Array" "$WORK/err"
check_grep "the text report names the holder first" "^Suspect 1: ARRAY Array at /?.*app.rb:3 .* holds 500 retained objects" "$app/leak-report.txt"
verdict=$(ruby -rjson -e 'd = JSON.parse(File.read(ARGV[0])); s = d["suspects"][0]; puts [s["count"], s["growth"], s["holder"]["line"]].join(" / ")' "$app/leak-report.json" 2>&1 || true)
check_equal "the JSON report says the same" "500 / grows in every window / 3" "$verdict"
n=$(find "$app/tmp/heap" -name "heap-*.json" 2>/dev/null | wc -l)
check_equal "three dumps were taken" "3" "$n"
leftover=$(find "$app/tmp/heap" -name '.*' -type f 2>/dev/null | wc -l)
check_equal "no temporary file is left" "0" "$leftover"
tap_done
