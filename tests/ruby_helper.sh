#!/usr/bin/env bash
# The Ruby side, data/ruby/heapsift.rb, run for real with this machine's
# Ruby, Rack and WEBrick: Heapsift.dump (atomic, mode 0600, gzip, tracing),
# Heapsift.every, every answer of Heapsift::Endpoint through Rack, and the
# README's config.ru and curl recipes against a real server, whose three
# dumps heapsift reads to find the leak planted in the application.
# Whatever is not installed (Ruby, Rack, rackup with WEBrick, curl) skips
# the checks that need it.
set -euo pipefail
. "${top_srcdir:-.}/tests/lib.sh"

HELPER=$SRCDIR/data/ruby/heapsift.rb
TOKEN=0123456789abcdef0123456789abcdef
NAME_RE='heap-[0-9]{8}-[0-9]{6}\.[0-9]{3}-[0-9]+\.json'
tap_plan 97

SERVERS=()
# The servers get 5 s to stop (a request held in GC.start would keep one
# up), then are killed.
cleanup() {
    local pid
    for pid in "${SERVERS[@]}"; do kill "$pid" 2> /dev/null || true; done
    for pid in "${SERVERS[@]}"; do
        for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2> /dev/null || true
        wait "$pid" 2> /dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

# need WHAT...: SKIP says why the next checks cannot run, or is empty.
SKIP=
need() {
    SKIP=
    local what
    for what in "$@"; do
        case $what in
            ruby) command -v ruby > /dev/null || SKIP="no ruby" ;;
            rack) ruby -e 'require "rack"' 2> /dev/null || SKIP="no Rack (Debian: ruby-rack)" ;;
            server) { command -v rackup > /dev/null && ruby -e 'require "webrick"' 2> /dev/null; } ||
                        SKIP="no rackup with WEBrick (Debian: ruby-rack, ruby-webrick)" ;;
            curl) command -v curl > /dev/null || SKIP="no curl" ;;
        esac
        [ -z "$SKIP" ] || return 0
    done
}
t_equal() { if [ -n "$SKIP" ]; then tap_skip "$1" "$SKIP"; else check_equal "$@"; fi; }
t_grep() { if [ -n "$SKIP" ]; then tap_skip "$1" "$SKIP"; else check_grep "$@"; fi; }
t_status() { if [ -n "$SKIP" ]; then tap_skip "$1" "$SKIP"; else check_status "$@"; fi; }
# t_match NAME REGEX STRING
t_match() {
    if [ -n "$SKIP" ]; then tap_skip "$1" "$SKIP"
    elif [[ $3 =~ ^($2)$ ]]; then tap_ok "$1"
    else tap_fail "$1" "'$3' does not match /^($2)\$/"; fi
}
# fact FILE KEY: the value of the line KEY=VALUE
fact() { sed -n "s/^$2=//p" "$1" 2> /dev/null | head -n 1; }
mode_of() { stat -c %a "$1" 2> /dev/null || echo missing; }
size_of() { stat -c %s "$1" 2> /dev/null || echo missing; }
# run_ruby NAME OUT SCRIPT ARGS...: one check that the script ran cleanly.
run_ruby() {
    local name=$1 out=$2 status=0
    shift 2
    if [ -n "$SKIP" ]; then tap_skip "$name" "$SKIP"; : > "$out"; return 0; fi
    ruby --disable-gems "$@" > "$out" 2> "$out.err" || status=$?
    if [ "$status" -eq 0 ]; then tap_ok "$name"
    else tap_fail "$name" "exit status $status" "$(head -c 600 "$out.err")"; fi
}

# ---- Heapsift.dump ----------------------------------------------------------
need ruby
mkdir -p "$WORK/dump"
: > "$WORK/a-file"
cat > "$WORK/dump.rb" <<'RUBY'
require ARGV[0]
dir, a_file = ARGV[1], ARGV[2]
puts "rack=#{defined?(::Rack) ? 'loaded' : 'not loaded'}"
puts "pid=#{Process.pid}"
puts "plain=#{Heapsift.dump(dir)}"
puts "gzip=#{Heapsift.dump(dir, gzip: true)}"
failing = File.join(dir, 'failing')
boom = TracePoint.new(:return, :c_return) { |tp| raise IOError, 'disk on fire' if tp.method_id == :dump_all }
begin
  boom.enable { Heapsift.dump(failing) }
  puts 'failed=no error'
rescue IOError => e
  puts "failed=#{e.message}"
end
puts "failing_left=#{Dir.children(failing).sort.join(',')}"
begin
  Heapsift.dump(File.join(a_file, 'dumps'))
  puts 'not_a_dir=no error'
rescue SystemCallError => e
  puts "not_a_dir=#{e.class.ancestors.include?(SystemCallError)}"
end
# Without Rack the endpoint compares tokens on its own.
endpoint = Heapsift::Endpoint.new(File.join(dir, 'endpoint'), token: 'x' * 32, min_interval: 0)
post = ->(auth) { endpoint.call('REQUEST_METHOD' => 'POST', 'PATH_INFO' => '', 'HTTP_AUTHORIZATION' => auth)[0] }
puts "own_right=#{post.call("Bearer #{'x' * 32}")}"
puts "own_wrong=#{post.call("Bearer #{'x' * 31}y")}"
puts "own_short=#{post.call("Bearer #{'x' * 31}")}"
RUBY
run_ruby "Heapsift.dump: the script runs (ruby --disable-gems)" "$WORK/dump.facts" "$WORK/dump.rb" "$HELPER" "$WORK/dump" "$WORK/a-file"
F=$WORK/dump.facts
t_equal "heapsift.rb loads without Rack" "not loaded" "$(fact "$F" rack)"
plain=$(fact "$F" plain)
t_match "the dump's name: heap-DATE-TIME.MS-PID.json" "$WORK/dump/heap-[0-9]{8}-[0-9]{6}\.[0-9]{3}-$(fact "$F" pid)\.json" "$plain"
t_equal "the dump is mode 0600" 600 "$(mode_of "$plain")"
t_status "heapsift reads the dump" 0 "$HEAPSIFT" -R "$plain"
t_equal "heapsift has nothing to say about it" "" "$(cat "$WORK/err" 2> /dev/null)"
gz=$(fact "$F" gzip)
t_match "gzip: the name ends in .json.gz" "$WORK/dump/heap-[0-9]{8}-[0-9]{6}\.[0-9]{3}-[0-9]+\.json\.gz" "$gz"
t_equal "gzip: mode 0600" 600 "$(mode_of "$gz")"
t_equal "gzip: it is gzip" 1f8b "$(od -An -tx1 -N2 "$gz" 2> /dev/null | tr -d ' ')"
t_status "gzip: heapsift reads it" 0 "$HEAPSIFT" -R "$gz"
t_equal "gzip: heapsift has nothing to say about it" "" "$(cat "$WORK/err" 2> /dev/null)"
t_equal "no temporary file is left" "$(basename "$plain") $(basename "$gz")" \
    "$(cd "$WORK/dump" && find . -maxdepth 1 -type f -printf '%f\n' | sort | tr '\n' ' ' | sed 's/ $//')"
t_equal "a dump that fails after dump_all wrote: the error reaches the caller" "disk on fire" "$(fact "$F" failed)"
t_equal "and no file is left, temporary or not" "" "$(fact "$F" failing_left)"
t_equal "a directory that cannot be made: a SystemCallError" true "$(fact "$F" not_a_dir)"
t_equal "without Rack: the right token is taken" 200 "$(fact "$F" own_right)"
t_equal "without Rack: a token that differs in its last byte is refused" 401 "$(fact "$F" own_wrong)"
t_equal "without Rack: a shorter token is refused" 401 "$(fact "$F" own_short)"

# trace: true starts tracing for the objects allocated after the dump.
cat > "$WORK/trace.rb" <<'RUBY'
require ARGV[0]
puts "first=#{Heapsift.dump(ARGV[1], trace: true)}"
KEPT = Array.new(100) { |i| "kept #{i}" }
puts "second=#{Heapsift.dump(ARGV[1])}"
RUBY
mkdir -p "$WORK/trace"
run_ruby "trace: true: the script runs" "$WORK/trace.facts" "$WORK/trace.rb" "$HELPER" "$WORK/trace"
t_status "trace: true: heapsift compares the two dumps" 0 "$HEAPSIFT" -R "$(fact "$WORK/trace.facts" first)" "$(fact "$WORK/trace.facts" second)"
t_grep "trace: true: the strings allocated after it carry their site" "^New 100 STRING objects of size [0-9]+/[0-9]+ at: .*trace\.rb:3$" "$WORK/out"

# Atomicity: another process lists the directory all the time a large dump
# is written; it must see the temporary file grow, and never a *.json name
# with less than the whole dump.
cat > "$WORK/watch.rb" <<'RUBY'
dir, ready, stop = ARGV
seen = Hash.new { |h, k| h[k] = [] }
File.write(ready, '')
loop do
  last = File.exist?(stop)
  Dir.children(dir).each do |name|
    size = begin
      File.size(File.join(dir, name))
    rescue SystemCallError
      next
    end
    seen[name] << size unless seen[name].last == size
  end
  break if last
  sleep 0.001
end
seen.each { |name, sizes| puts "#{name} #{sizes.join(' ')}" }
RUBY
cat > "$WORK/big.rb" <<'RUBY'
require ARGV[0]
BIG = Array.new(300_000) { |i| "object number #{i}" }
puts "big=#{Heapsift.dump(ARGV[1])}"
RUBY
mkdir -p "$WORK/atomic"
if [ -z "$SKIP" ]; then
    ruby --disable-gems "$WORK/watch.rb" "$WORK/atomic" "$WORK/ready" "$WORK/stop" > "$WORK/watch.out" 2>&1 &
    watcher=$!
    for _ in $(seq 1 100); do [ -e "$WORK/ready" ] && break; sleep 0.05; done
fi
run_ruby "atomic: a 300,000-string heap is dumped while another process watches" "$WORK/big.facts" "$WORK/big.rb" "$HELPER" "$WORK/atomic"
if [ -z "$SKIP" ]; then
    touch "$WORK/stop"
    wait "$watcher" || true
fi
big=$(fact "$WORK/big.facts" big)
final_size=$(size_of "$big")
temps=$(awk -v final="$final_size" '$1 ~ /^\.heap-[0-9]+\.json\.[0-9a-f]+\.tmp$/ {
    for (i = 2; i <= NF; i++) if ($i + 0 < final + 0) partial++ } END { print partial + 0 }' "$WORK/watch.out" 2> /dev/null || echo 0)
if [ -n "$SKIP" ]; then tap_skip "atomic: the watcher saw the dump grow under a hidden .tmp name" "$SKIP"
elif [ "$temps" -gt 1 ]; then tap_ok "atomic: the watcher saw the dump grow under a hidden .tmp name"
else tap_fail "atomic: the watcher saw the dump grow under a hidden .tmp name" "$(head -c 600 "$WORK/watch.out")"; fi
t_equal "atomic: every *.json it saw had the whole dump, never less" "$(basename "$big") $final_size" \
    "$(awk '$1 ~ /^[^.].*\.json$/' "$WORK/watch.out" 2> /dev/null | tr '\n' ' ' | sed 's/ $//')"
t_equal "atomic: the temporary name is no *.json, and it is gone" "$(basename "$big")" \
    "$(cd "$WORK/atomic" && ls -A -- *.json .heap-* 2> /dev/null | tr '\n' ' ' | sed 's/ $//')"

# ---- Heapsift.every ---------------------------------------------------------
mkdir -p "$WORK/every"
echo "my notes" > "$WORK/every/notes.txt"
echo "another process's dump" > "$WORK/every/heap-20200101-000000.000-1.json"
cat > "$WORK/every.rb" <<'RUBY'
require ARGV[0]
dir = ARGV[1]
now = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }
mine = -> { Dir.children(dir).grep(/\Aheap-.*-#{Process.pid}\.json\z/).sort }
seen = []
thread = Heapsift.every(0.2, dir: dir, keep: 2)
deadline = now.call + 30
while seen.size < 5 && now.call < deadline
  seen |= mine.call
  sleep 0.02
end
puts "returned=#{thread.stop.equal?(thread)}"
seen |= mine.call
puts "seen=#{seen.size}"
puts "left=#{mine.call.join(' ')}"
puts "newest=#{seen.sort.last(2).join(' ')}"
puts "value=#{thread.value.map { |path| File.basename(path) }.join(' ')}"
puts "alive=#{thread.alive?}"
started = now.call
hourly = Heapsift.every(3600, dir: File.join(dir, 'hourly'), keep: 1)
sleep 0.2
hourly.stop
puts "stop_fast=#{now.call - started < 5}"
puts "hourly_dumps=#{Dir.exist?(File.join(dir, 'hourly')) ? Dir.children(File.join(dir, 'hourly')).size : 0}"
[[0, 1], [1, 0], [1, 1.5], [-1, 1]].each do |seconds, keep|
  begin
    Heapsift.every(seconds, dir: dir, keep: keep).stop
    puts "args_#{seconds}_#{keep}=accepted"
  rescue ArgumentError
    puts "args_#{seconds}_#{keep}=ArgumentError"
  end
end
RUBY
run_ruby "every: the script runs" "$WORK/every.facts" "$WORK/every.rb" "$HELPER" "$WORK/every"
F=$WORK/every.facts
t_equal "every: stop returns the thread" true "$(fact "$F" returned)"
seen=$(fact "$F" seen)
if [ -n "$SKIP" ]; then tap_skip "every: it took a dump every 0.2 s" "$SKIP"
elif [ "${seen:-0}" -ge 5 ]; then tap_ok "every: it took a dump every 0.2 s"
else tap_fail "every: it took a dump every 0.2 s" "saw $seen dumps" "$(head -c 400 "$F.err")"; fi
t_equal "every: keep: 2 leaves the two newest" "$(fact "$F" newest)" "$(fact "$F" left)"
t_equal "every: thread.value lists them" "$(fact "$F" left)" "$(fact "$F" value)"
t_equal "every: the thread has ended" false "$(fact "$F" alive)"
t_equal "every: a file it did not write is left alone" "my notes" "$(cat "$WORK/every/notes.txt" 2> /dev/null)"
t_equal "every: so is another process's dump" "another process's dump" "$(cat "$WORK/every/heap-20200101-000000.000-1.json" 2> /dev/null)"
t_equal "every: stop ends a long wait at once" true "$(fact "$F" stop_fast)"
t_equal "every: nothing is dumped before the first interval" 0 "$(fact "$F" hourly_dumps)"
t_equal "every: seconds: 0 is an ArgumentError" ArgumentError "$(fact "$F" args_0_1)"
t_equal "every: keep: 0 is an ArgumentError" ArgumentError "$(fact "$F" args_1_0)"
t_equal "every: keep: 1.5 is an ArgumentError" ArgumentError "$(fact "$F" args_1_1.5)"

# ---- Heapsift::Endpoint through Rack::MockRequest, each answer linted -------
need ruby rack
cat > "$WORK/endpoint.rb" <<'RUBY'
require ARGV[0]
require 'rack'
require 'stringio'
dir, token = ARGV[1], ARGV[2]
def show(name, res)
  puts "#{name}.status=#{res.status}"
  %w[allow retry-after www-authenticate content-type cache-control].each do |header|
    puts "#{name}.#{header}=#{res[header]}" if res[header]
  end
  puts "#{name}.body=#{res.body.chomp}"
  puts "#{name}.errors=#{res.errors.strip}" unless res.errors.to_s.empty?
end
host = ->(_env) { [200, { 'content-type' => 'text/plain' }, ["the host app\n"]] }
right = { 'HTTP_AUTHORIZATION' => "Bearer #{token}", lint: true }

ENV.delete('HEAPSIFT_TOKEN')
unset = Rack::MockRequest.new(Heapsift::Endpoint.new(File.join(dir, 'unset'), min_interval: 0))
show 'unset_post', unset.post('/', right)
show 'unset_get', unset.get('/', lint: true)
blank = Rack::MockRequest.new(Heapsift::Endpoint.new(File.join(dir, 'unset'), token: ' ', min_interval: 0))
show 'blank_post', blank.post('/', right)

ENV['HEAPSIFT_TOKEN'] = token
app = Rack::URLMap.new('/dump-memory' => Heapsift::Endpoint.new(File.join(dir, 'dumps')), '/' => host)
mock = Rack::MockRequest.new(app)
auth = ->(value) { { 'HTTP_AUTHORIZATION' => value, lint: true } }
show 'get', mock.get('/dump-memory', right)
show 'head', mock.request('HEAD', '/dump-memory', right)
show 'put', mock.put('/dump-memory', right)
show 'none', mock.post('/dump-memory', lint: true)
show 'wrong', mock.post('/dump-memory', auth.call("Bearer #{token.succ}"))
show 'prefix', mock.post('/dump-memory', auth.call("Bearer #{token[0..-2]}"))
show 'longer', mock.post('/dump-memory', auth.call("Bearer #{token}0"))
show 'basic', mock.post('/dump-memory', auth.call("Basic #{["heapsift:#{token}"].pack('m0')}"))
show 'two', mock.post('/dump-memory', auth.call("Bearer #{token} #{token}"))
show 'below', mock.post('/dump-memory/../../escape', right)
puts "refused_wrote=#{Dir.exist?(File.join(dir, 'dumps')) ? Dir.children(File.join(dir, 'dumps')).size : 0}"
show 'right', mock.post('/dump-memory', right)
show 'again', mock.post('/dump-memory', right)
show 'host', mock.get('/', lint: true)

# One dump at a time: the first is held in GC.start until the second is in.
busy = Rack::MockRequest.new(Heapsift::Endpoint.new(File.join(dir, 'busy'), min_interval: 0))
held = Queue.new
release = Queue.new
hold = TracePoint.new(:call, :c_call) do |tp|
  next unless tp.method_id == :start && tp.self == GC && Thread.current[:hold]
  held << true
  release.pop
end
hold.enable
first = Thread.new do
  Thread.current[:hold] = true
  busy.post('/', right)
end
held.pop
show 'busy', busy.post('/', right)
release << true
show 'first', first.value
hold.disable
show 'lowercase', busy.post('/', auth.call("bearer #{token}"))

# A dump that fails: a 500 with the message, logged, and the host goes on.
File.write(File.join(dir, 'a-file'), '')
broken = Rack::MockRequest.new(Rack::URLMap.new(
  '/dump-memory' => Heapsift::Endpoint.new(File.join(dir, 'a-file', 'dumps'), min_interval: 0), '/' => host))
show 'broken', broken.post('/dump-memory', right)
show 'after', broken.get('/', lint: true)
RUBY
mkdir -p "$WORK/ep"
if [ -z "$SKIP" ]; then
    status=0
    ruby "$WORK/endpoint.rb" "$HELPER" "$WORK/ep" "$TOKEN" > "$WORK/ep.facts" 2> "$WORK/ep.err" || status=$?
    if [ "$status" -eq 0 ]; then tap_ok "endpoint: the Rack script runs, every answer through Rack::Lint"
    else tap_fail "endpoint: the Rack script runs, every answer through Rack::Lint" "exit status $status" "$(head -c 800 "$WORK/ep.err")"; fi
else
    tap_skip "endpoint: the Rack script runs, every answer through Rack::Lint" "$SKIP"
    : > "$WORK/ep.facts"
fi
F=$WORK/ep.facts
t_equal "no token configured: POST with a token is refused, 403" 403 "$(fact "$F" unset_post.status)"
t_equal "no token configured: GET is refused, 403" 403 "$(fact "$F" unset_get.status)"
t_equal "a blank token counts as none: 403" 403 "$(fact "$F" blank_post.status)"
t_grep "403 says how to configure it" "^unset_post.body=no token is configured: set HEAPSIFT_TOKEN" "$F"
t_equal "GET: 405" 405 "$(fact "$F" get.status)"
t_equal "GET: allow: POST" POST "$(fact "$F" get.allow)"
t_equal "HEAD: 405" 405 "$(fact "$F" head.status)"
t_equal "PUT with the right token: 405" 405 "$(fact "$F" put.status)"
t_equal "no Authorization: 401" 401 "$(fact "$F" none.status)"
t_equal "401 names the scheme" 'Bearer realm="heapsift"' "$(fact "$F" none.www-authenticate)"
t_equal "a wrong token: 401" 401 "$(fact "$F" wrong.status)"
t_equal "the token less its last character: 401" 401 "$(fact "$F" prefix.status)"
t_equal "the token and one more character: 401" 401 "$(fact "$F" longer.status)"
t_equal "the token as Basic credentials: 401" 401 "$(fact "$F" basic.status)"
t_equal "the token twice: 401" 401 "$(fact "$F" two.status)"
t_equal "a path below the mount point: 404" 404 "$(fact "$F" below.status)"
t_equal "no refused request wrote a dump" 0 "$(fact "$F" refused_wrote)"
t_equal "the right token, from HEAPSIFT_TOKEN: 200" 200 "$(fact "$F" right.status)"
body=$(fact "$F" right.body)
t_match "200 answers NAME BYTES" "$NAME_RE [0-9]+" "$body"
name=${body% *}
t_equal "the dump is in the endpoint's directory, of that size" "${body#* }" "$(size_of "$WORK/ep/dumps/$name")"
t_equal "the dump is mode 0600" 600 "$(mode_of "$WORK/ep/dumps/$name")"
t_status "heapsift reads the endpoint's dump" 0 "$HEAPSIFT" -R "$WORK/ep/dumps/$name"
t_equal "answers are not to be cached" no-store "$(fact "$F" right.cache-control)"
t_equal "at once again: 429" 429 "$(fact "$F" again.status)"
t_match "429 with retry-after: the seconds left of the minute" "[1-9]|[1-5][0-9]|60" "$(fact "$F" again.retry-after)"
t_equal "the host app answers beside it" "the host app" "$(fact "$F" host.body)"
t_equal "while a dump is being written: 429" 429 "$(fact "$F" busy.status)"
t_match "while a dump is being written: retry-after" "[1-9][0-9]*" "$(fact "$F" busy.retry-after)"
t_equal "and the held dump completes: 200" 200 "$(fact "$F" first.status)"
t_equal "the scheme is case-insensitive (bearer): 200" 200 "$(fact "$F" lowercase.status)"
t_equal "a failing dump: 500" 500 "$(fact "$F" broken.status)"
t_grep "500 says what failed" "^broken.body=heapsift: dump failed: Errno::" "$F"
t_grep "and it is logged to rack.errors" "^broken.errors=heapsift: dump failed: Errno::" "$F"
t_equal "the host app still answers after it" "the host app" "$(fact "$F" after.body)"
stray=$(cd "$WORK/ep" 2> /dev/null && find . -name '*heap*' ! -path './dumps/*' ! -path './busy/*' | tr '\n' ' ')
t_equal "no dump was written outside the endpoints' directories" "" "$stray"

# ---- A real server: the README's config.ru and curl recipes -----------------
# A tiny application that leaks one string per request to /leak.
cat > "$WORK/app.rb" <<'RUBY'
class App
  LEAKED = []

  def call(env)
    LEAKED << "leaked by request #{LEAKED.size}" if env['PATH_INFO'] == '/leak'
    [200, { 'content-type' => 'text/plain' }, ["#{LEAKED.size} leaked\n"]]
  end
end
RUBY
# http.rb METHOD URL [AUTHORIZATION [TIMES]]: the last answer as facts.
cat > "$WORK/http.rb" <<'RUBY'
require 'net/http'
method, url, auth, times = ARGV
uri = URI(url)
res = nil
Net::HTTP.start(uri.host, uri.port) do |http|
  Integer(times || 1).times do
    req = Net::HTTPGenericRequest.new(method, method == 'POST', method != 'HEAD', uri.request_uri)
    req['Authorization'] = auth if auth && !auth.empty?
    res = http.request(req, method == 'POST' ? '' : nil)
  end
end
puts "status=#{res.code}"
%w[allow retry-after].each { |h| puts "#{h}=#{res[h]}" if res[h] }
puts "body=#{res.body.to_s.chomp}"
RUBY
# start_server DIR: rackup on a free loopback port; sets PORT and PID.
start_server() {
    local dir=$1
    (cd "$dir" && exec env HEAPSIFT_TOKEN="$TOKEN" rackup -s webrick -o 127.0.0.1 -p 0 config.ru) \
        > "$dir/server.out" 2> "$dir/server.err" &
    PID=$!
    SERVERS+=("$PID")
    PORT=
    for _ in $(seq 1 200); do
        PORT=$(sed -n 's/.*WEBrick::HTTPServer#start: pid=[0-9]* port=\([0-9]*\).*/\1/p' "$dir/server.err")
        [ -n "$PORT" ] && return 0
        kill -0 "$PID" 2> /dev/null || break
        sleep 0.05
    done
    return 1
}
# http NAME METHOD URL [AUTH [TIMES]]: facts in $WORK/NAME
http() {
    local name=$1
    shift
    ruby --disable-gems "$WORK/http.rb" "$@" > "$WORK/$name" 2>&1 || true
}
setup_app() {
    mkdir -p "$1/lib"
    cp "$HELPER" "$1/lib/heapsift.rb"
    cp "$WORK/app.rb" "$1/app.rb"
}

need ruby rack server
A=$WORK/readme-app
setup_app "$A"
awk '/^    # config\.ru$/ { on = 1 } on && !/^    / { exit } on { print substr($0, 5) }' "$SRCDIR/README" > "$A/config.ru"
t_grep "the README has the config.ru recipe" "Heapsift::Endpoint\.new" "$A/config.ru"
if [ -z "$SKIP" ] && ! start_server "$A"; then SKIP_WHY=$(head -c 600 "$A/server.err"); else SKIP_WHY=; fi
if [ -n "$SKIP" ]; then tap_skip "the README's config.ru serves with rackup (WEBrick)" "$SKIP"
elif [ -z "$SKIP_WHY" ]; then tap_ok "the README's config.ru serves with rackup (WEBrick)"
else tap_fail "the README's config.ru serves with rackup (WEBrick)" "$SKIP_WHY"; SKIP="the server did not start"; fi
URL=http://127.0.0.1:${PORT:-0}

need ruby rack server curl
[ -n "$SKIP" ] || [ -n "$PORT" ] || SKIP="the server did not start"
recipe=$(sed -n 's/^    \(curl -X POST .*\)$/\1/p' "$SRCDIR/README" | head -n 1)
t_match "the README has the curl recipe" "curl -X POST -d '' -H \"Authorization: Bearer \\\$HEAPSIFT_TOKEN\" https://[^ ]*/dump-memory" "$recipe"
recipe=${recipe//https:\/\/app.example.com/$URL}
if [ -z "$SKIP" ]; then
    HEAPSIFT_TOKEN=$TOKEN bash -c "$recipe" > "$WORK/curl.out" 2> "$WORK/curl.err" || true
else
    : > "$WORK/curl.out"
fi
body=$(cat "$WORK/curl.out")
t_match "the README's curl command takes a dump: NAME BYTES" "$NAME_RE [0-9]+" "$body"
name=${body% *}
t_equal "the dump is in tmp/heap, of that size" "${body#* }" "$(size_of "$A/tmp/heap/$name")"
t_equal "the dump is mode 0600" 600 "$(mode_of "$A/tmp/heap/$name")"
t_match "the dump is of the server's process" "heap-.*-${PID:-0}\.json" "$name"
if [ -z "$SKIP" ]; then
    HEAPSIFT_TOKEN=$TOKEN bash -c "${recipe/curl /curl -si }" > "$WORK/curl-again.out" 2>&1 || true
fi
t_grep "curl at once again: 429" "^HTTP/1\.[01] 429" "$WORK/curl-again.out"
t_grep "with Retry-After" "^[Rr]etry-[Aa]fter: [0-9]+" "$WORK/curl-again.out"

need ruby rack server
[ -n "$SKIP" ] || [ -n "$PORT" ] || SKIP="the server did not start"
[ -n "$SKIP" ] || http get GET "$URL/dump-memory"
t_equal "over HTTP: GET is 405" 405 "$(fact "$WORK/get" status)"
t_equal "over HTTP: with allow: POST" POST "$(fact "$WORK/get" allow)"
[ -n "$SKIP" ] || http wrong POST "$URL/dump-memory" "Bearer ${TOKEN}0"
t_equal "over HTTP: a wrong token is 401" 401 "$(fact "$WORK/wrong" status)"
[ -n "$SKIP" ] || http none POST "$URL/dump-memory"
t_equal "over HTTP: no token is 401" 401 "$(fact "$WORK/none" status)"
[ -n "$SKIP" ] || http home GET "$URL/"
t_equal "over HTTP: the application answers beside it" "0 leaked" "$(fact "$WORK/home" body)"

# Three dumps through the endpoint of a leaking server (no minimum interval
# here), with 40 leaking requests between the first two and 25 after: the
# report lists the 40.
B=$WORK/leak-app
setup_app "$B"
cat > "$B/config.ru" <<'RUBY'
require_relative 'lib/heapsift'
require_relative 'app'
Heapsift.start_tracing
# A dump waits in GC.start while the file "hold" exists, until "release".
TracePoint.new(:call, :c_call) do |tp|
  next unless tp.method_id == :start && tp.self == GC && File.exist?('hold')
  File.delete('hold')
  File.write('held', '')
  sleep 0.01 until File.exist?('release')
end.enable
run Rack::URLMap.new('/dump-memory' => Heapsift::Endpoint.new('tmp/heap', min_interval: 0), '/' => App.new)
RUBY
PORT=
[ -n "$SKIP" ] || start_server "$B" || SKIP="the leaking server did not start: $(head -c 300 "$B/server.err")"
URL=http://127.0.0.1:${PORT:-0}
if [ -z "$SKIP" ]; then
    http d1 POST "$URL/dump-memory" "Bearer $TOKEN"
    http leak1 GET "$URL/leak" "" 40
    http d2 POST "$URL/dump-memory" "Bearer $TOKEN"
    http leak2 GET "$URL/leak" "" 25
    http d3 POST "$URL/dump-memory" "Bearer $TOKEN"
fi
t_equal "leaking server: three dumps, each 200" "200 200 200" "$(fact "$WORK/d1" status) $(fact "$WORK/d2" status) $(fact "$WORK/d3" status)"
t_equal "leaking server: it leaked 65 strings" "65 leaked" "$(fact "$WORK/leak2" body)"
shopt -s nullglob
dumps=("$B"/tmp/heap/heap-*-"${PID:-0}".json)
shopt -u nullglob
t_equal "the glob heap-*-PID.json lists them oldest first" \
    "${dumps[*]}" "$B/tmp/heap/$(fact "$WORK/d1" body | cut -d' ' -f1) $B/tmp/heap/$(fact "$WORK/d2" body | cut -d' ' -f1) $B/tmp/heap/$(fact "$WORK/d3" body | cut -d' ' -f1)"
t_status "heapsift -R reads the three" 0 "$HEAPSIFT" -R "${dumps[@]}"
t_grep "the report lists the 40 strings leaked between dumps 1 and 2 at their line" \
    "^Retained 40 STRING objects of size [0-9]+/[0-9]+ at: .*app\.rb:5$" "$WORK/out"
t_grep "and they are the largest group" "^Retained 40 STRING objects" <(grep -m1 '^Retained' "$WORK/out" 2> /dev/null)

# One dump at a time over HTTP: the first waits in GC.start until the second
# has been answered.
if [ -z "$SKIP" ]; then
    touch "$B/hold"
    ruby --disable-gems "$WORK/http.rb" POST "$URL/dump-memory" "Bearer $TOKEN" > "$WORK/held" 2>&1 &
    held=$!
    for _ in $(seq 1 200); do [ -e "$B/held" ] && break; sleep 0.05; done
    http busy POST "$URL/dump-memory" "Bearer $TOKEN"
    touch "$B/release"
    wait "$held" || true
fi
t_equal "over HTTP: a request while a dump is written is 429" 429 "$(fact "$WORK/busy" status)"
t_match "with retry-after" "[1-9][0-9]*" "$(fact "$WORK/busy" retry-after)"
t_equal "the dump it waited for is 200" 200 "$(fact "$WORK/held" status)"

exit 0
