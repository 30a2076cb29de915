# make-fixtures.rb: regenerates the sample dumps shipped in data/.
#
#   ruby tests/ruby/make-fixtures.rb [DATADIR]      (default: data/ of this repo)
#
# Writes (data/README, also written here, says what each contains):
#   app-1.json.gz app-2.json.gz app-3.json.gz   three dumps of fixture-app/
#   broken-paths.json                            lines that are not valid JSON
#   truncated.json                               a dump whose last line is cut
#   expected/app-classic.txt                     classic-diff.rb on the app dumps
#   expected/app-identity.txt                    identity-diff.rb on the app dumps
#   README
#
# The dumps are real ObjectSpace.dump_all output of the Ruby running this
# (made with Ruby 3.1); addresses differ on every run, so regenerating changes
# every file, and README with them. Each program runs from a temporary
# directory under relative names, so no path of this machine ends up in a dump.
require 'fileutils'
require 'json'
require 'open3'
require 'rbconfig'
require 'set'
require 'tmpdir'
require 'zlib'

HERE = __dir__
DATA = File.expand_path(ARGV[0] || File.join(HERE, '..', '..', 'data'))
RUBY = RbConfig.ruby

# Runs a command; returns [stdout, stderr]; aborts when it fails.
def run!(*cmd, chdir:)
  out, err, status = Open3.capture3(*cmd, chdir: chdir)
  $stderr.print err unless err.empty?
  abort "make-fixtures: #{cmd.first(3).join(' ')} ... failed (#{status})" unless status.success?
  [out, err]
end

# Runs a Ruby file the way the fixtures need: no gems, relative file name,
# evaluated from -e so that Ruby does not keep the file's absolute real path.
def run_ruby_file(dir, file, *args)
  run!(RUBY, '--disable-gems', '-e',
       "eval(File.read(#{file.inspect}), TOPLEVEL_BINDING, #{file.inspect}, 1)", *args, chdir: dir)
end

# Loose per-line field extraction that also works on lines that are not JSON.
Rec = Struct.new(:lineno, :address, :type, :klass, :refs, :generation, :file, :valid, :root, :text)

def scan_line(line, lineno)
  valid = begin
    JSON.parse(line.dup) # JSON.parse re-tags a binary string as UTF-8 in place
    true
  rescue JSON::ParserError
    false
  end
  refs_field = line[/"references":\[([^\]]*)\]/, 1]
  Rec.new(lineno,
          line[/\A\{"address":"(0x\h+)"/, 1],
          line[/"type":"([A-Z_]+)"/, 1],
          line[/"class":"(0x\h+)"/, 1],
          refs_field ? refs_field.scan(/0x\h+/) : [],
          line[/"generation":(\d+)/, 1]&.to_i,
          line[/"file":"(.*?)", "line":/n, 1],
          valid,
          line[/\A\{"type":"ROOT", "root":"([a-z_]+)"/, 1],
          line)
end

def read_lines(path)
  io = File.open(path, 'rb')
  io = Zlib::GzipReader.new(io) if path.end_with?('.gz')
  io.each_line.to_a
ensure
  io&.close
end

def scan_dump(path)
  read_lines(path).each_with_index.map { |l, i| scan_line(l, i + 1) }
end

def data_path(*names)
  File.join(DATA, *names)
end

# Aborts when a file written here holds a path of this machine.
def check_no_local_paths(path, tmp)
  bytes = File.binread(path)
  [tmp, File.expand_path('../..', HERE), Dir.home].each do |local|
    abort "make-fixtures: #{path} holds the local path #{local}" if local.size > 1 && bytes.include?(local.b)
  end
end

# Identity when tracing was on: (address, generation); else (address, type).
def identity(rec)
  [rec.address, rec.generation || rec.type]
end

FACTS = {}

# -- the three app dumps -----------------------------------------------------

def make_app_dumps
  Dir.mktmpdir('heapsift-fixtures') do |tmp|
    FileUtils.cp_r(File.join(HERE, 'fixture-app', '.'), tmp)
    _, log = run_ruby_file(tmp, 'server.rb')
    FACTS[:server_log] = log
    (1..3).each do |n|
      raw = File.join(tmp, "app-#{n}.json")
      check_no_local_paths(raw, tmp)
      FACTS[:"app#{n}_raw"] = File.size(raw)
      bytes, = run!('gzip', '-9', '-n', '-c', raw, chdir: tmp)
      File.binwrite(data_path("app-#{n}.json.gz"), bytes)
    end
  end
  dumps = (1..3).map { |n| scan_dump(data_path("app-#{n}.json.gz")) }
  bad = dumps.flatten.count { |r| !r.valid }
  abort "make-fixtures: app dumps have #{bad} invalid lines" unless bad.zero?
  FACTS[:app_lines] = dumps.map(&:size)

  d1, d2, d3 = dumps.map { |d| d.select(&:address) }
  FACTS[:app_objects] = [d1, d2, d3].map(&:size)
  addr1 = d1.to_h { |r| [r.address, r] }
  ids1 = d1.map { |r| identity(r) }.to_set
  ids3 = d3.map { |r| identity(r) }.to_set
  addr3 = d3.map(&:address).to_set
  retained = d2.select { |r| !ids1.include?(identity(r)) && ids3.include?(identity(r)) }
  hidden = retained.select { |r| addr1.key?(r.address) }
  classic = d2.select { |r| !addr1.key?(r.address) && addr3.include?(r.address) }
  invented = classic.reject { |r| ids3.include?(identity(r)) }
  FACTS.update(retained: retained.size, classic: classic.size, hidden: hidden.size, invented: invented.size)
  puts "app dumps: #{FACTS[:app_objects].join('/')} objects; retained by identity: #{retained.size}, " \
       "by address alone: #{classic.size}"
  puts "  slot reuse: #{hidden.size} objects retained in dump 2 sit at an address that held " \
       'another object (other generation) in dump 1: classic diff misses them'
  puts "  slot reuse: #{invented.size} objects counted by classic diff are gone by dump 3 " \
       '(their address holds a newer object there)'
end

# -- broken-paths.json ---------------------------------------------------------

# Keeps the ROOT records, every object allocated by the program itself, every
# line that is not valid JSON, and enough of the rest for the dump to stay
# coherent: for each kept object, one path of references from a root (avoiding
# machine_context when another root reaches it) and its class, recursively.
ROOT_PREFERENCE = %w[vm global_tbl global_list end_proc finalizers object_id machine_context].freeze

def coherent_subset(recs, keep)
  by_addr = {}
  recs.each_with_index { |r, i| by_addr[r.address] = i if r.address }
  roots = recs.each_index.select { |i| recs[i].root }
  parent = {}
  queue = []
  roots.sort_by { |i| ROOT_PREFERENCE.index(recs[i].root) || ROOT_PREFERENCE.size }.each do |ri|
    recs[ri].refs.each do |a|
      i = by_addr[a]
      next if i.nil? || parent.key?(i)
      parent[i] = nil
      queue << i
    end
  end
  until queue.empty?
    i = queue.shift
    r = recs[i]
    (r.refs + [r.klass].compact).each do |a|
      j = by_addr[a]
      next if j.nil? || parent.key?(j)
      parent[j] = i
      queue << j
    end
  end
  kept = Set.new(roots)
  todo = keep.to_a
  until todo.empty?
    i = todo.pop
    next if kept.include?(i)
    kept << i
    todo << parent[i] if parent[i]
    k = by_addr[recs[i].klass]
    todo << k if k
  end
  kept.sort.map { |i| recs[i].text }
end

def program_object?(rec)
  rec.file && !rec.file.start_with?('<internal:') && !rec.file.start_with?('/')
end

def why_invalid(rec)
  t = rec.text
  if t.include?('"file":"lib/we"ird\\path.rb"')
    'the file name lib/we"ird\\path.rb is written unescaped: its quote ends the ' \
      'string early and "\\p" is not a JSON escape'
  elsif t.include?('\\u00ff') || t.include?("\0")
    'the method name (a non-ASCII name, café or ünïcode) is written as garbage: ' \
      'stray \\u00ff escapes, raw NUL bytes, and quotes'
  elsif !rec.valid
    'not valid JSON'
  else
    'valid JSON syntax, but the file name holds the byte 0xE9 raw (Latin-1 "é"), ' \
      'which is not UTF-8: Ruby\'s JSON accepts the line, a validating parser ' \
      '(simdjson) rejects it'
  end
end

def make_broken_paths
  Dir.mktmpdir('heapsift-fixtures') do |tmp|
    FileUtils.cp(File.join(HERE, 'fixture-tiny', 'broken_paths.rb'), tmp)
    run_ruby_file(tmp, 'broken_paths.rb', 'full.json')
    recs = scan_dump(File.join(tmp, 'full.json'))
    keep = recs.each_index.select { |i| !recs[i].valid || program_object?(recs[i]) }
    out = coherent_subset(recs, keep)
    File.binwrite(data_path('broken-paths.json'), out.join)
    check_no_local_paths(data_path('broken-paths.json'), tmp)
    FACTS[:broken_full_lines] = recs.size
    FACTS[:broken_full_bytes] = File.size(File.join(tmp, 'full.json'))
    puts "broken-paths.json: #{out.size} of #{recs.size} lines of the real dump kept"
  end
  recs = scan_dump(data_path('broken-paths.json'))
  FACTS[:broken_lines] = recs.size
  FACTS[:broken_program] = recs.count { |r| program_object?(r) }
  FACTS[:broken_bad] = recs.filter_map do |r|
    next if r.valid && r.file.to_s.b.force_encoding('UTF-8').valid_encoding?
    [r.lineno, r.valid, r.type, r.address, why_invalid(r)]
  end
  FACTS[:broken_bad].each { |n, v, t, _, _| puts "  line #{n}: #{v ? 'valid JSON, not UTF-8' : 'not valid JSON'} (#{t})" }
end

# -- truncated.json ------------------------------------------------------------

# A process that dies while writing leaves a prefix of the dump. The
# program's own objects come first in this dump (they fill the first heap
# page's free slots): keep the dump up to the last of its "request body"
# strings that starts before TRUNCATE_AT bytes, and cut that line inside its
# "value" string.
TRUNCATE_AT = 120_000

def make_truncated
  Dir.mktmpdir('heapsift-fixtures') do |tmp|
    FileUtils.cp(File.join(HERE, 'fixture-tiny', 'truncated.rb'), tmp)
    run_ruby_file(tmp, 'truncated.rb', 'full.json')
    data = File.binread(File.join(tmp, 'full.json'))
    starts = []
    data.scan(/^\{[^\n]*"value":"request body /n) { starts << $~.begin(0) }
    line_at = starts.select { |s| s < TRUNCATE_AT }.max or abort 'make-fixtures: no line to cut'
    value_at = data.index('"value":"', line_at) + 9
    cut = data[0, value_at + 10]
    File.binwrite(data_path('truncated.json'), cut)
    check_no_local_paths(data_path('truncated.json'), tmp)
    abort 'make-fixtures: truncated.json has an invalid line before its last' unless
      cut.lines[0..-2].all? { |l| JSON.parse(l.dup) rescue false }
    FACTS[:trunc_lines] = cut.count("\n") + 1
    FACTS[:trunc_full_lines] = data.count("\n")
    FACTS[:trunc_objects] = cut.scan(/^\{"address"/).size - 1
    FACTS[:trunc_last] = cut.lines.last
    puts "truncated.json: #{FACTS[:trunc_lines]} lines of #{FACTS[:trunc_full_lines]}, " \
         'the last one cut inside its "value" string'
  end
end

# -- expected outputs ------------------------------------------------------------

def make_expected
  FileUtils.mkdir_p(data_path('expected'))
  apps = (1..3).map { |n| data_path("app-#{n}.json.gz") }
  { 'app-classic.txt' => 'classic-diff.rb', 'app-identity.txt' => 'identity-diff.rb' }.each do |out, script|
    text, = run!(RUBY, File.join(HERE, script), *apps, chdir: DATA)
    File.binwrite(data_path('expected', out), text)
  end
end

# -- README ------------------------------------------------------------------------

def groups_of(file)
  File.read(data_path('expected', file)).lines.filter_map do |l|
    m = l.match(/\ARetained (\d+) (\S+) objects of size \S+ at: (.*)\n\z/) or next
    [[m[3], m[2]], m[1].to_i]
  end.to_h
end

def size_of(name)
  File.size(data_path(name))
end

def site_table
  ident = groups_of('app-identity.txt')
  classic = groups_of('app-classic.txt')
  (ident.keys | classic.keys).sort_by { |k| [-(ident[k] || 0), k] }.map do |site, type|
    format('    %-46s %-7s %5s %5s', site, type, ident[[site, type]] || '-', classic[[site, type]] || '-')
  end.join("\n")
end

def wrap(text, indent)
  text.scan(/\S.{0,#{74 - indent}}(?=\s|\z)/).map { |l| ' ' * indent + l }.join("\n")
end

def write_readme
  ruby_version, = run!(RUBY, '--version', chdir: DATA)
  counters = FACTS[:server_log].lines.map { |l| "    #{l.strip}" }.join("\n")
  bad = FACTS[:broken_bad].map do |n, valid, type, addr, why|
    "  line #{n} (#{type} #{addr})#{valid ? '' : ': not valid JSON'}\n#{wrap(why, 4)}"
  end.join("\n")
  invalid_numbers = FACTS[:broken_bad].reject { |_, v| v }.map(&:first).join(' ')
  File.write(data_path('README'), <<~TEXT)
    Sample dumps for heapsift's tests
    =================================

    Every file here is written by `ruby tests/ruby/make-fixtures.rb` (which
    also writes this README: regenerate rather than edit). The dumps are real
    ObjectSpace.dump_all output of
      #{ruby_version.strip}
    made with allocation tracing on (ObjectSpace.trace_object_allocations_start
    before anything else) and GC.start before each dump_all. Each program runs
    under relative file names from a temporary directory, so no path of the
    generating machine appears (the only absolute paths are Ruby's own, such as
    /usr/lib/ruby/3.1.0/objspace.rb). Addresses change on every regeneration.

    app-1.json.gz, app-2.json.gz, app-3.json.gz (#{size_of('app-1.json.gz')}, #{size_of('app-2.json.gz')}, #{size_of('app-3.json.gz')} bytes gzipped;
    #{FACTS[:app1_raw]}, #{FACTS[:app2_raw]}, #{FACTS[:app3_raw]} bytes and #{FACTS[:app_objects].join(', ')} objects unpacked)
      Three dumps of the simulated Rack-like service in tests/ruby/fixture-app/
      (run with `ruby --disable-gems`): a middleware stack (RequestTimer,
      AuditLog) around a router, mounted with a URLMap next to a /dump-memory
      endpoint that takes the dumps. It serves 300 requests, queues 200 more,
      dumps, serves 700 (the 200 queued first), queues 200, dumps, and again.
      Requests allocate plenty of short-lived garbage. Queued requests are
      alive in one dump only. The leaks, all growing across the three dumps:
        (a) PageCache::STORE, a Hash at a constant keyed by request path and
            query: key strings app/services/page_cache.rb:7 (Hash#[]= copies
            the key), values app/controllers/products_controller.rb:7.
        (b) AuditLog::CALLBACKS, an Array at a constant of procs
            (app/middleware/audit_log.rb:14: DATA "proc" plus IMEMO env) made
            for requests with an X-User header; each env holds the request's
            locals: user app/middleware/audit_log.rb:11, trail :12, the env
            Hash (lib/rackish.rb:27) with its strings (server.rb:46-61), and
            the response headers Hash, body Array and length String
            (app/controllers/products_controller.rb:40).
        (c) Session.all, a class-level Array of Session objects
            (app/models/session.rb:9) with their token strings (:20), Time
            objects (<internal:timev>:224) and user strings (lib/rackish.rb:37).
        (d) gems/leaky-1.2.3/lib/leaky.rb:7, strings appended to a module's
            @events by a pretend instrumentation gem (on search requests).
      The service's own counters at each dump (sessions, callbacks, cache
      entries and leaky events are the four leaks; between dumps 1 and 2 they
      grow by the counts the identity report finds at their main sites):
    #{counters}
      Slot reuse: #{FACTS[:retained]} objects of dump 2 are retained by identity
      ((address, generation)), #{FACTS[:classic]} by address alone.
      #{FACTS[:hidden]} retained objects of dump 2 sit at an address that held
      another object (with another generation) in dump 1: the classic diff
      misses them. #{FACTS[:invented]} objects the classic diff counts are gone by dump 3
      (their address holds a newer object there).
      Retained objects per site, by identity and by address alone (the two
      files in expected/):
            site                                           type    ident classic
    #{site_table}

    broken-paths.json (#{size_of('broken-paths.json')} bytes, #{FACTS[:broken_lines]} lines)
      A dump of tests/ruby/fixture-tiny/broken_paths.rb (`ruby --disable-gems`),
      which allocates objects from code evaluated under the file names
      lib/we"ird\\path.rb and "lib/caf\\xE9.rb" (a Latin-1 byte), and in methods
      named café (define_method) and ünïcode (def) of a class named Ünïcode.
      The full dump had #{FACTS[:broken_full_lines]} lines (#{FACTS[:broken_full_bytes]} bytes); this file keeps, in their
      original order: every ROOT record, the #{FACTS[:broken_program]} objects the program allocated
      (their file is broken_paths.rb or lib/...), every line that is not valid
      JSON, and what keeps the result coherent: for each kept object one path
      of references from a root (not through machine_context where another
      root reaches it) and its class, recursively. Other references, from the
      ROOT records especially, name addresses absent from the file, which the
      format allows. Lines not valid JSON (as found by
      `ruby -rjson -ne 'begin; JSON.parse($_); rescue; puts $.; end'`):
        #{invalid_numbers}
      Every line to watch, and why:
    #{bad}

    truncated.json (#{size_of('truncated.json')} bytes, #{FACTS[:trunc_lines]} lines, no final newline)
      The start of a dump of tests/ruby/fixture-tiny/truncated.rb
      (`ruby --disable-gems`, 200 strings and 50 hashes kept in a global),
      as left by a process that died while writing: the ROOT records and
      #{FACTS[:trunc_objects]} whole object lines of the #{FACTS[:trunc_full_lines]} lines the full dump had, then a last line
      cut inside its "value" string:
        #{FACTS[:trunc_last].inspect}
      Every line but the last is valid JSON.

    expected/app-classic.txt
      `ruby tests/ruby/classic-diff.rb app-1.json.gz app-2.json.gz app-3.json.gz`:
      the classic report, objects matched on address alone; what
      `heapsift --identity=address --report` must print byte for byte.
    expected/app-identity.txt
      `ruby tests/ruby/identity-diff.rb ...` on the same dumps: the same report
      with objects matched on (address, generation), or (address, type) for an
      object without a generation.
  TEXT
end

FileUtils.mkdir_p(DATA)
make_app_dumps
make_broken_paths
make_truncated
make_expected
write_readme
puts 'wrote:'
Dir.glob('**/*', base: DATA).sort.each do |f|
  path = data_path(f)
  puts format('  %-28s %9d bytes', f, File.size(path)) if File.file?(path)
end
