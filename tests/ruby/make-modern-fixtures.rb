# make-modern-fixtures.rb: regenerates tests/modern/, dumps written by Ruby
# 3.1 (this Ruby, natively) and by Ruby 3.2, 3.3, 3.4 and 4.0 (WebAssembly
# builds run by node), each with a truth file that says what was planted.
#
#   ruby tests/ruby/make-modern-fixtures.rb [OUTDIR]    (default: tests/modern/)
#
# `make fixtures` runs it after `npm ci --prefix tests/ruby/wasm`, which
# installs the WebAssembly Rubies (package.json there pins them). Needs node
# (20 or later) and, for that install, the npm registry. HEAPSIFT_VERSIONS
# (such as "3.1 4.0") limits the versions written.
#
# The program is tests/ruby/modern-app/ (main.rb says what it plants and
# writes); every Ruby sees its files as /app/NAME.rb. Written per version,
# in OUTDIR/ruby-VERSION/:
#   d1.json.gz .. d5.json.gz   five dumps (gzip -9 -n)
#   truth.json                 what was planted (by construction, in the
#                              program) and what the dumps show (here)
#   expected-identity.txt      identity-diff.rb on d1 d2 d3
#   expected-classic.txt       classic-diff.rb on d1 d2 d3
#   expected-identity-5.txt    identity-diff.rb's rule over d1 .. d5
#   expected-suspects.txt      suspects-oracle.rb on d1 d2 d3
# and compact-3.1/ (GC.compact between the dumps, native Ruby),
# compact-4.0-synthetic/ (tests/ruby/simulate-compaction.rb on the 4.0 dumps),
# invalid-utf8/ (one dump, one line with a file name that is not UTF-8),
# README. Each check of a truth file against its dumps aborts on a mismatch.
require 'fileutils'
require 'json'
require 'open3'
require 'rbconfig'
require 'set'
require 'tmpdir'
require 'zlib'
require_relative 'classic-diff'

HERE = __dir__
TOP = File.expand_path('../..', HERE)
OUT = File.expand_path(ARGV[0] || File.join(TOP, 'tests', 'modern'))
RUBY = RbConfig.ruby
NODE = ENV['NODE'] || 'node'
APP = File.join(HERE, 'modern-app')
WASM_DIR = File.join(HERE, 'wasm')
WASM_VERSIONS = %w[3.2 3.3 3.4 4.0].freeze
ALL_VERSIONS = (['3.1'] + WASM_VERSIONS).freeze
VERSIONS = (ENV['HEAPSIFT_VERSIONS']&.split || ALL_VERSIONS) & ALL_VERSIONS
NATIVE_VERSION = RUBY_VERSION[/\A\d+\.\d+/]

abort "make-modern-fixtures: the native Ruby is #{RUBY_VERSION}; the fixtures say 3.1" unless NATIVE_VERSION == '3.1'
if (VERSIONS & WASM_VERSIONS).any? && !File.directory?(File.join(WASM_DIR, 'node_modules', '@ruby'))
  abort 'make-modern-fixtures: the WebAssembly Rubies are not installed: npm ci --prefix tests/ruby/wasm'
end

def run!(*cmd, chdir:, env: {})
  out, err, status = Open3.capture3(env, *cmd, chdir: chdir)
  $stderr.print err unless err.empty?
  abort "make-modern-fixtures: #{cmd.first(4).join(' ')} ... failed (#{status})" unless status.success?
  out
end

def say(text)
  $stdout.puts text
  $stdout.flush
end

# Runs the program under VERSION with SCENARIO in a fresh temporary directory
# (the app copied into it, next to an empty out/), yields that directory.
# The native Ruby runs from inside the copy, under relative names.
def run_scenario(version, scenario, extra_files = {})
  Dir.mktmpdir('heapsift-modern') do |tmp|
    app = File.join(tmp, 'app')
    FileUtils.cp_r(APP, app)
    extra_files.each { |name, text| File.binwrite(File.join(app, name), text) }
    out = File.join(tmp, 'out')
    FileUtils.mkdir_p(out)
    started = Time.now
    if version == '3.1'
      entry = 'RubyVM::InstructionSequence.compile(File.binread("main.rb"), "/app/main.rb", "/app/main.rb", 1).eval'
      run!(RUBY, '--disable-gems', '-e', entry, chdir: app,
           env: { 'SCENARIO' => scenario, 'SCENARIO_OUT' => '../out' })
    else
      run!(NODE, File.join(WASM_DIR, 'run.mjs'), version, 'app', 'main.rb', 'out',
           "SCENARIO=#{scenario}", 'SCENARIO_OUT=/out', chdir: tmp)
    end
    say format('  Ruby %s, %s: %.1f s', version, scenario, Time.now - started)
    Dir.children(out).each { |f| check_no_local_paths(File.join(out, f), tmp) }
    yield out
  end
end

# Aborts when a file holds a path of this machine.
def check_no_local_paths(path, tmp)
  bytes = File.binread(path)
  [tmp, TOP, Dir.home, File.realpath(Dir.tmpdir)].each do |local|
    abort "make-modern-fixtures: #{path} holds the local path #{local}" if local.size > 1 && bytes.include?(local.b)
  end
end

def gzip_to(src, dest)
  File.binwrite(dest, run!('gzip', '-9', '-n', '-c', src, chdir: File.dirname(src)))
end

# -- reading the dumps -----------------------------------------------------------------

def read_lines(path)
  io = File.open(path, 'rb')
  io = Zlib::GzipReader.new(io) if path.end_with?('.gz')
  io.each_line.to_a
ensure
  io&.close
end

def parse_dump(path)
  read_lines(path).map { |l| JSON.parse(l.force_encoding(Encoding::UTF_8)) }
end

IDENTITY = lambda do |o|
  [ClassicDiff.address(o), o.key?('generation') ? o['generation'] : o['type']]
end

# identity-diff.rb's rule over any number of dumps: in dump 2, not in dump 1,
# in every later dump.
def retained_groups(paths, key = IDENTITY)
  before = Set.new
  ClassicDiff.each_object(paths[0]) { |o| before << key.(o) }
  candidates = {}
  ClassicDiff.each_object(paths[1]) do |o|
    k = key.(o)
    candidates[k] = [[o['type'], o['file'], o['line']], o['bytesize'] || 0, o['memsize'] || 0] unless before.include?(k)
  end
  paths.drop(2).each do |path|
    alive = Set.new
    ClassicDiff.each_object(path) { |o| alive << key.(o) if candidates.key?(key.(o)) }
    candidates.select! { |k, _| alive.include?(k) }
  end
  groups = Hash.new { |h, g| h[g] = [0, 0, 0] }
  candidates.each_value do |group, bytes, mem|
    g = groups[group]
    g[0] += 1
    g[1] += bytes
    g[2] += mem
  end
  groups
end

def report_counts(text)
  text.lines.filter_map do |l|
    m = l.match(/\ARetained (\d+) (\S+) objects of size \S+ at: (.*):(\d*)\n\z/) or next
    [[m[2], m[3].empty? ? nil : m[3], m[4].empty? ? nil : m[4].to_i], m[1].to_i]
  end.to_h
end

def total_of(counts)
  counts.values.sum
end

# -- canonical JSON: one member per line, one array element per line --------------------

def canonical_json(hash)
  members = hash.map do |key, value|
    text = if value.is_a?(Array) && !value.empty? && value.all? { |e| e.is_a?(Hash) }
             "[\n#{value.map { |e| "    #{JSON.generate(e)}" }.join(",\n")}\n  ]"
           elsif value.is_a?(Hash) && !value.empty?
             "{\n#{value.map { |k, v| "    #{JSON.generate(k)}: #{JSON.generate(v)}" }.join(",\n")}\n  }"
           else
             JSON.generate(value)
           end
    "  #{JSON.generate(key)}: #{text}"
  end
  "{\n#{members.join(",\n")}\n}\n"
end

# -- checks of a truth file against its dumps ------------------------------------------------

def check(ok, problems, text)
  problems << text unless ok
end

def site_key(site)
  [site['type'], site['file'], site['line']]
end

def at_site(dump, key)
  dump.select { |o| [o['type'], o['file'], o['line']] == key }
end

def check_sites(label, truth, dumps, retained3, retained_all)
  problems = []
  truth['sites'].each do |s|
    key = site_key(s)
    what = "#{label}: #{s['site']} #{key.join(':')}"
    check(retained3.fetch(key, 0) == s['retained_3'], problems,
          "#{what}: retained over dumps 1-3 #{retained3.fetch(key, 0)}, truth #{s['retained_3']}")
    if retained_all
      check(retained_all.fetch(key, 0) == s['retained_all'], problems,
            "#{what}: retained over all dumps #{retained_all.fetch(key, 0)}, truth #{s['retained_all']}")
    end
    # Other objects of the type at the line (call caches of its calls,
    # made before dump 1) must be the same old objects in every dump.
    found = dumps.map { |d| at_site(d, key) }
    others = found.zip(s['live']).map { |f, n| f.size - n }
    old = found.map { |f| f.map(&IDENTITY).to_set }.reduce(:&)
    check(others.uniq.size == 1 && others[0] >= 0 && old.size >= others[0], problems,
          "#{what}: live #{found.map(&:size).inspect}, truth #{s['live'].inspect}")
    s['other_at_site'] = others[0]
  end
  abort "make-modern-fixtures: the truth is not what the dumps hold:\n  #{problems.join("\n  ")}" unless problems.empty?
end

# -- what each version wrote ---------------------------------------------------------------

def hex(a)
  a.to_i(16)
end

def observe(dumps, truth)
  objects = dumps.map { |d| d.select { |o| o['address'] && o['type'] != 'SHAPE' } }
  d2 = objects[1]
  flags_int = Hash.new(0)
  flags_bool = Hash.new(0)
  d2.each do |o|
    (o['flags'] || {}).each { |k, v| (v.is_a?(Integer) ? flags_int : flags_bool)[k] += 1 }
  end
  by_site = ->(name, type) { truth['sites'].find { |s| s['site'] == name && s['type'] == type } }
  leaked = by_site.('account_leaked', 'OBJECT')
  account_methods = d2.select { |o| site_key(leaked) == [o['type'], o['file'], o['line']] }.map { |o| o['method'] }.uniq
  shapes = dumps[1].select { |o| o['type'] == 'SHAPE' }
  set = truth['sites'].find { |s| s['site'] == 'set' }
  {
    'lines' => dumps.map(&:size),
    'objects' => objects.map(&:size),
    'shape_records' => dumps.map { |d| d.count { |o| o['type'] == 'SHAPE' } },
    'shape_types' => shapes.map { |o| o['shape_type'] }.tally.sort.to_h,
    'root_categories' => dumps[1].select { |o| o['type'] == 'ROOT' }.map { |o| o['root'] }.uniq,
    'max_generation' => objects.map { |d| d.filter_map { |o| o['generation'] }.max },
    'generation_0' => objects.map { |d| d.count { |o| o['generation'] == 0 } },
    'no_generation' => objects.map { |d| d.count { |o| !o.key?('generation') } },
    'slot_sizes' => d2.filter_map { |o| o['slot_size'] }.tally.sort.to_h,
    'highest_address' => format('0x%x', objects.flatten.map { |o| hex(o['address']) }.max),
    'flags_with_integer_values' => flags_int.sort.to_h,
    'flags_with_boolean_values' => flags_bool.sort.to_h,
    'objects_with_object_id' => objects.map { |d| d.count { |o| o.dig('flags', 'object_id') } },
    'imemo_fields' => objects.map { |d| d.count { |o| o['imemo_type'] == 'fields' } },
    'imemo_with_shape_id' => d2.count { |o| o['type'] == 'IMEMO' && o.key?('shape_id') },
    'floats' => objects.map { |d| d.count { |o| o['type'] == 'FLOAT' } },
    'chilled_strings' => objects.map { |d| d.count { |o| o['chilled'] } },
    'symbols_with_references' => d2.count { |o| o['type'] == 'SYMBOL' && o['references'] },
    'method_of_account_new' => account_methods,
    'set' => "#{set['type']} at #{set['file']}:#{set['line']}",
  }
end

# How the slot reuse scenario fools address-only matching, from the dumps.
def reuse_facts(dumps, truth)
  addr = ->(d) { d.select { |o| o['address'] && o['type'] != 'SHAPE' }.to_h { |o| [hex(o['address']), o] } }
  a1, a2, a3 = dumps.first(3).map(&addr)
  key = ->(name) { site_key(truth['sites'].find { |s| s['site'] == name }) }
  fresh = a2.values.select { |o| [o['type'], o['file'], o['line']] == key.('reuse_fresh') }
  tran = a2.values.select { |o| [o['type'], o['file'], o['line']] == key.('reuse_transient') }
  {
    'fresh_at_an_address_of_dump_1' => fresh.count { |o| a1.key?(hex(o['address'])) },
    'transient_at_an_address_of_dump_3' => tran.count { |o| a3.key?(hex(o['address'])) && !a1.key?(hex(o['address'])) },
    'memo_windows_held_by_a_root_too' => roots_hold(dumps, key.('memo')),
    'shape_records_new_in_dump_2_still_in_dump_3' => begin
      s = ->(d) { d.select { |o| o['type'] == 'SHAPE' }.map { |o| hex(o['address']) }.to_set }
      ((s.(dumps[1]) - s.(dumps[0])) & s.(dumps[2])).size
    end,
  }
end

# For each window between two dumps, how many objects allocated in it at
# SITE (and alive in the last dump) a ROOT record of the last dump references
# as well: the roots, not their holder, then dominate them (stale copies of
# their addresses on the machine stack, scanned conservatively).
def roots_hold(dumps, site)
  ids = dumps.map { |d| d.select { |o| o['address'] && o['type'] != 'SHAPE' }.map(&IDENTITY).to_set }
  last = dumps.last
  rooted = last.select { |o| o['type'] == 'ROOT' }.flat_map { |o| o['references'] }.map { |a| hex(a) }.to_set
  (1...dumps.size).map do |k|
    dumps[k].count do |o|
      [o['type'], o['file'], o['line']] == site && !ids[k - 1].include?(IDENTITY.(o)) &&
        ids.drop(k).all? { |set| set.include?(IDENTITY.(o)) } && rooted.include?(hex(o['address']))
    end
  end
end

# The ivar names on the parent_id chain of a shape, from dump 2's SHAPE records.
def shape_chain(shapes, id)
  names = []
  while id && (s = shapes[id])
    names.unshift(s['edge_name']) if s['shape_type'] == 'IVAR'
    id = s['parent_id']
  end
  names
end

def check_shapes(label, truth, dumps)
  shapes = dumps[1].select { |o| o['type'] == 'SHAPE' }.to_h { |o| [o['id'], o] }
  return if shapes.empty?

  problems = []
  truth['ivar_objects'].each do |io|
    ids = io['shape_ids'] ? io['shape_ids'].map { |e| e['shape_id'] } : [io['shape_id']]
    ids.each do |raw|
      id = raw & 0x7FFFF
      io['too_complex'] ||= shapes[id]&.dig('shape_type') == 'OBJ_TOO_COMPLEX'
      next if io['too_complex']

      chain = shape_chain(shapes, id)
      check(chain == io['ivars'], problems, "#{label}: #{io['what']}: shape #{raw} names #{chain}, ivars #{io['ivars']}")
    end
  end
  abort "make-modern-fixtures: shapes:\n  #{problems.join("\n  ")}" unless problems.empty?
end

# -- one version's five dumps ------------------------------------------------------------------

def make_version(version, out)
  dir = File.join(OUT, "ruby-#{version}")
  FileUtils.rm_rf(dir)
  FileUtils.mkdir_p(dir)
  raw = (1..5).map { |n| File.join(out, "d#{n}.json") }
  raw.each_with_index { |r, i| gzip_to(r, File.join(dir, "d#{i + 1}.json.gz")) }
  truth = JSON.parse(File.read(File.join(out, 'truth.json')))
  gz = (1..5).map { |n| "d#{n}.json.gz" }
  three = gz.first(3)
  write_oracles(dir, three)
  File.binwrite(File.join(dir, 'expected-identity-5.txt'),
                ClassicDiff.report(retained_groups(gz.map { |g| File.join(dir, g) })))
  File.binwrite(File.join(dir, 'expected-suspects.txt'),
                run!(RUBY, File.join(HERE, 'suspects-oracle.rb'), *three, chdir: dir))
  add_oracle_holds(truth, dir)

  dumps = raw.map { |r| parse_dump(r) }
  identity3 = report_counts(File.read(File.join(dir, 'expected-identity.txt')))
  identity5 = report_counts(File.read(File.join(dir, 'expected-identity-5.txt')))
  classic3 = report_counts(File.read(File.join(dir, 'expected-classic.txt')))
  check_sites("Ruby #{version}", truth, dumps, identity3, identity5)
  check_shapes("Ruby #{version}", truth, dumps)
  observed = observe(dumps, truth).merge(reuse_facts(dumps, truth))
  observed['retained_3'] = total_of(identity3)
  observed['retained_5'] = total_of(identity5)
  observed['classic_3'] = total_of(classic3)
  observed['classic_3_shape_records'] = classic3.select { |(t, _, _), _| t == 'SHAPE' }.values.sum
  truth['observed'] = observed
  File.write(File.join(dir, 'truth.json'), canonical_json(truth))
  say "  ruby-#{version}: #{observed['objects'].join('/')} objects; retained #{observed['retained_3']} " \
      "(5 dumps: #{observed['retained_5']}), classic #{observed['classic_3']}"
  truth
end

# How many retained objects each holder holds, as suspects-oracle.rb says
# (stale copies of addresses on the machine stack can make the roots, not
# the holder, dominate some of what a holder holds by construction).
def holder_counts(text)
  text.lines.filter_map do |l|
    m = l.match(/\ASuspect \d+: .* \((0x\h+)\) holds (\d+) /) or next
    [m[1], m[2].to_i]
  end.to_h
end

def add_oracle_holds(truth, dir)
  held = holder_counts(File.read(File.join(dir, 'expected-suspects.txt')))
  truth['holders'].each { |h| h['holds_3_oracle'] = held.fetch(h['address'], 0) }
end

# -- compaction, natively -----------------------------------------------------------------------

def make_compact_native(out)
  dir = File.join(OUT, 'compact-3.1')
  FileUtils.rm_rf(dir)
  FileUtils.mkdir_p(dir)
  raw = (1..3).map { |n| File.join(out, "d#{n}.json") }
  raw.each_with_index { |r, i| gzip_to(r, File.join(dir, "d#{i + 1}.json.gz")) }
  gz = (1..3).map { |n| "d#{n}.json.gz" }
  write_oracles(dir, gz)
  truth = JSON.parse(File.read(File.join(out, 'truth.json')))
  dumps = raw.map { |r| parse_dump(r) }
  leaked = truth['sites'].find { |s| s['site'] == 'compact_leaked' }
  old = truth['sites'].find { |s| s['site'] == 'compact_old' }
  moved12 = truth['compactions'][0]['old_moved'].size
  moved23 = truth['compactions'][1]['leaked_moved'].size
  moved23_old = truth['compactions'][1]['old_moved'].size
  leaked_class = dumps[1].find { |o| o['type'] == 'CLASS' && o['name'] == 'Leaked' }['address']
  no_site = ->(d) { d.count { |o| o['class'] == leaked_class && !o.key?('file') } }
  problems = []
  check(at_site(dumps[1], site_key(leaked)).size >= leaked['live'][1], problems, 'dump 2 lacks leaked objects')
  leaked['other_at_site'] = at_site(dumps[1], site_key(leaked)).size - leaked['live'][1]
  check(no_site.(dumps[2]) == moved23, problems, "dump 3: #{no_site.(dumps[2])} Leaked without a site, #{moved23} moved")
  abort "make-modern-fixtures: compact-3.1: #{problems.join('; ')}" unless problems.empty?
  identity = report_counts(File.read(File.join(dir, 'expected-identity.txt')))
  classic = report_counts(File.read(File.join(dir, 'expected-classic.txt')))
  truth['observed'] = {
    'lines' => dumps.map(&:size),
    'old_moved_between_1_and_2' => moved12,
    'old_moved_between_2_and_3' => moved23_old,
    'leaked_moved_between_2_and_3' => moved23,
    'leaked_without_file_line_generation_in_dump_3' => no_site.(dumps[2]),
    'things_without_file_line_generation' => dumps.map { |d| d.count { |o| o['class'] == dumps[0].find { |c| c['type'] == 'CLASS' && c['name'] == 'Thing' }['address'] && !o.key?('generation') } },
    'identity_retained_at_the_leak_site' => identity.fetch(site_key(leaked), 0),
    'identity_retained_without_a_site' => identity.select { |(_, f, _), _| f.nil? }.values.sum,
    'identity_objects_retained_without_a_site' => identity.select { |(t, f, _), _| t == 'OBJECT' && f.nil? }.values.sum,
    'identity_retained_3' => total_of(identity),
    'classic_retained_at_the_leak_site' => classic.fetch(site_key(leaked), 0),
    'classic_retained_3' => total_of(classic),
  }
  truth['should_find'] = { 'site' => site_key(leaked), 'retained' => leaked['retained_3'],
                           'old_things_retained' => old['retained_3'] }
  File.write(File.join(dir, 'truth.json'), canonical_json(truth))
  say "  compact-3.1: #{leaked['retained_3']} leaked, #{moved12} old moved (1-2), #{moved23} leaked moved (2-3); " \
      "identity diff: #{truth['observed']['identity_retained_at_the_leak_site']} at the leak site"
end

def write_oracles(dir, gz)
  File.binwrite(File.join(dir, 'expected-classic.txt'), run!(RUBY, File.join(HERE, 'classic-diff.rb'), *gz, chdir: dir))
  File.binwrite(File.join(dir, 'expected-identity.txt'), run!(RUBY, File.join(HERE, 'identity-diff.rb'), *gz, chdir: dir))
end

# -- compaction, simulated on the 4.0 dumps ----------------------------------------------------

def make_compact_synthetic
  src = File.join(OUT, 'ruby-4.0')
  dir = File.join(OUT, 'compact-4.0-synthetic')
  FileUtils.rm_rf(dir)
  run!(RUBY, File.join(HERE, 'simulate-compaction.rb'), *(1..3).map { |n| "ruby-4.0/d#{n}.json.gz" },
       'compact-4.0-synthetic', chdir: OUT)
  gz = (1..3).map { |n| "d#{n}.json.gz" }
  write_oracles(dir, gz)
  truth = JSON.parse(File.read(File.join(dir, 'truth.json')))
  identity = report_counts(File.read(File.join(dir, 'expected-identity.txt')))
  by_id = report_counts(File.read(File.join(dir, 'expected-object-id.txt')))
  truth['observed'] = {
    'identity_retained_3' => total_of(identity),
    'object_id_retained_3' => total_of(by_id),
    'object_id_retained_3_shape_records' => by_id.select { |(t, _, _), _| t == 'SHAPE' }.values.sum,
  }
  truth['sites'] = JSON.parse(File.read(File.join(src, 'truth.json')))['sites'].filter_map do |s|
    key = site_key(s)
    next unless truth['moved'].any? { |m| [m['type'], m['file'], m['line']] == key }

    { 'site' => s['site'], 'type' => s['type'], 'file' => s['file'], 'line' => s['line'],
      'retained_matching_object_id' => by_id.fetch(key, 0), 'retained_address_and_generation' => identity.fetch(key, 0) }
  end
  File.write(File.join(dir, 'truth.json'), canonical_json(truth))
  say "  compact-4.0-synthetic: #{truth['moved_between_1_and_2']} moved (1-2), #{truth['moved_between_2_and_3']} (2-3)"
end

# -- a file name that is not UTF-8 ----------------------------------------------------------------

INVALID_NAME = "\xFF.rb".b

def make_invalid_utf8(out)
  dir = File.join(OUT, 'invalid-utf8')
  FileUtils.rm_rf(dir)
  FileUtils.mkdir_p(dir)
  raw = File.join(out, 'utf8.json')
  gzip_to(raw, File.join(dir, 'dump.json.gz'))
  lines = File.binread(raw).lines
  bad = lines.each_index.reject { |i| lines[i].dup.force_encoding(Encoding::UTF_8).valid_encoding? }
  abort "make-modern-fixtures: invalid-utf8: #{bad.size} lines are not UTF-8, not 1" unless bad.size == 1
  line = lines[bad[0]]
  abort 'make-modern-fixtures: invalid-utf8: the line is not the planted object' unless
    line.include?("\"file\":\"/app/#{INVALID_NAME}\"".b)
  truth = JSON.parse(File.read(File.join(out, 'truth.json')))
  truth['observed'] = {
    'lines' => lines.size,
    'objects' => lines.count { |l| l.start_with?('{"address":') },
    'invalid_line' => bad[0] + 1,
    'invalid_line_address' => line[/\A\{"address":"(0x\h+)"/, 1],
    'invalid_line_offset' => lines.first(bad[0]).sum(&:bytesize),
    'invalid_byte_offset' => lines.first(bad[0]).sum(&:bytesize) + line.index("\xFF".b),
  }
  File.write(File.join(dir, 'truth.json'), canonical_json(truth))
  say "  invalid-utf8: line #{bad[0] + 1} of #{lines.size}"
end

# -- README ---------------------------------------------------------------------------------------

def truth_of(dir)
  JSON.parse(File.read(File.join(OUT, dir, 'truth.json')))
end

def wrap(text, indent = 0)
  text.split(/\n\n/).map do |para|
    para.gsub(/\s+/, ' ').strip.scan(/\S.{0,#{74 - indent}}(?=\s|\z)/).map { |l| ' ' * indent + l }.join("\n")
  end.join("\n\n")
end

def table(rows, indent = 2)
  widths = rows.transpose.map { |col| col.map { |c| c.to_s.size }.max }
  rows.map { |r| ' ' * indent + r.each_with_index.map { |c, i| c.to_s.ljust(widths[i]) }.join('  ').rstrip }.join("\n")
end

def files_sizes(dir)
  Dir.children(File.join(OUT, dir)).sort.map { |f| "#{f} #{File.size(File.join(OUT, dir, f))}" }.join(', ')
end

SCENARIO_TEXT = {
  'slot reuse' => 'reuse.rb: 3000 strings (@old) live until dump 1 and are freed; 300 strings (@fresh) allocated next ' \
                  'take some of their slots and stay (a leak); 200 (@transient) live in dump 2 only, and 200 more ' \
                  '(@refill), allocated after dump 2, take some of their slots.',
  'closure leak' => 'closures.rb: 60 procs pushed onto Closures::HANDLERS, each keeping its env (IMEMO env) and the ' \
                    'string and array it captured.',
  'ivars' => 'accounts.rb, shapes.rb: 80 Accounts (@id @email @tags @owner @score) kept in @active of ' \
             'Accounts::DIRECTORY, each with its email string, tags array and, where Floats are objects, its score; ' \
             '120 more Accounts are garbage. 24 Wide objects get 4 of 6 instance variables in 24 orders (past a few ' \
             'variations the class goes "too complex"); every other one is kept in Shapes::KEPT, with a Profile that ' \
             'lost a variable to remove_instance_variable.',
  'object_id' => 'accounts.rb: object_id taken on 20 archived Accounts (before dump 1, kept), on 30 of the leaked ' \
                 'Accounts and their emails, on 40 garbage Accounts and their emails, and on an old string (the ' \
                 'directory name). On 4.0 an object_id on a String makes an IMEMO fields object.',
  'steady leak' => 'memo.rb: Memo\'s @@memo Hash gains 40 strings before dump 1 and in every interval.',
  'spike' => 'spike.rb: 250 strings in Spike::BATCH between dump 1 and dump 2, released between dump 3 and dump 4.',
  'dynamic symbol' => 'misc.rb: 3 dynamic symbols (each with the fstring it was made of) in Misc::SYMBOLS.',
  'chilled string' => 'misc.rb: 4 evaluations of a string literal in Misc::CHILLED (chilled on 3.4+).',
  'Set' => 'misc.rb: a Set in Misc::SETS (an OBJECT at set.rb holding a HASH up to 3.4; a DATA on 4.0).',
}.freeze

def write_readme
  truths = ALL_VERSIONS.to_h { |v| [v, truth_of("ruby-#{v}")] }
  obs = truths.transform_values { |t| t['observed'] }
  c31 = truth_of('compact-3.1')
  c40 = truth_of('compact-4.0-synthetic')
  utf8 = truth_of('invalid-utf8')
  head = ['', *ALL_VERSIONS]
  row = ->(label, &f) { [label, *ALL_VERSIONS.map { |v| f.(v) }] }
  list = ->(a) { Array(a).join(' ') }

  sites = truths['4.0']['sites'].map { |s| [s['site'], s['type']] } | truths['3.4']['sites'].map { |s| [s['site'], s['type']] }
  site_rows = sites.map do |name, type|
    any = truths.values.flat_map { |t| t['sites'] }.find { |s| s['site'] == name && s['type'] == type }
    where = any['file'].start_with?('/app/') ? "#{any['file'].delete_prefix('/app/')}:#{any['line']}" : 'set.rb'
    [name, type, where, *ALL_VERSIONS.map do |v|
      s = truths[v]['sites'].find { |x| x['site'] == name && x['type'] == type }
      s ? "#{s['retained_3']}/#{s['retained_all']}" : '-'
    end]
  end
  holder_rows = truths['4.0']['holders'].map do |h|
    [h['holder'], *ALL_VERSIONS.map do |v|
      x = truths[v]['holders'].find { |y| y['holder'] == h['holder'] }
      x['holds_3'] == x['holds_3_oracle'] ? x['holds_3'].to_s : "#{x['holds_3']} (#{x['holds_3_oracle']})"
    end]
  end
  per_version = lambda do |label, &f|
    "  #{label}:\n#{ALL_VERSIONS.map { |v| "    #{v}  #{f.(v)}" }.join("\n")}"
  end
  long_rows = [
    per_version.('objects in dumps 1 .. 5') { |v| obs[v]['objects'].join(' ') },
    per_version.('ROOT categories') { |v| list.(obs[v]['root_categories']) },
    per_version.('SHAPE records\' shape_type') { |v| obs[v]['shape_types'].empty? ? '-' : obs[v]['shape_types'].keys.join(' ') },
    per_version.('flags with Integer values (objects in dump 2)') do |v|
      obs[v]['flags_with_integer_values'].empty? ? '-' : obs[v]['flags_with_integer_values'].map { |k, n| "#{k} #{n}" }.join(', ')
    end,
  ].join("\n")
  differences = [
    head,
    row.('GC.count at each dump') { |v| truths[v]['gc_count_at_dump'].join(' ') },
    row.('SHAPE records in dump 2') { |v| obs[v]['shape_records'][1] },
    row.('generation 0 in dump 1') { |v| obs[v]['generation_0'][0] },
    row.('no generation in dump 1') { |v| obs[v]['no_generation'][0] },
    row.('slot sizes (dump 2)') { |v| obs[v]['slot_sizes'].empty? ? '-' : obs[v]['slot_sizes'].keys.join(' ') },
    row.('object_id in flags (d2)') { |v| obs[v]['objects_with_object_id'][1] },
    row.('IMEMO fields (d2)') { |v| obs[v]['imemo_fields'][1] },
    row.('IMEMO with shape_id (d2)') { |v| obs[v]['imemo_with_shape_id'] },
    row.('method of Account.new') { |v| list.(obs[v]['method_of_account_new']) },
    row.('Set') { |v| obs[v]['set'].split(' at ').first },
    row.('chilled strings (d2)') { |v| obs[v]['chilled_strings'][1] },
    row.('SYMBOL with references') { |v| obs[v]['symbols_with_references'] },
    row.('FLOAT objects (d2)') { |v| obs[v]['floats'][1] },
    row.('highest address') { |v| obs[v]['highest_address'] },
  ]
  reuse = [
    head,
    row.('retained, dumps 1-3') { |v| obs[v]['retained_3'] },
    row.('  of them SHAPE records') { |v| obs[v]['classic_3_shape_records'] },
    row.('retained, dumps 1-5') { |v| obs[v]['retained_5'] },
    row.('classic-diff.rb, 1-3') { |v| obs[v]['classic_3'] },
    row.('@fresh at a dump-1 address') { |v| obs[v]['fresh_at_an_address_of_dump_1'] },
    row.('@transient, address in d3') { |v| obs[v]['transient_at_an_address_of_dump_3'] },
  ]
  text = <<~TEXT
    Dumps written by modern Rubies, with known truth
    ================================================

    Every file here is written by `make fixtures` (tests/ruby/make-modern-fixtures.rb,
    which also writes this README: regenerate rather than edit) and read by
    tests/modern.sh in `make check`. Addresses change on every regeneration.

    Who wrote them
    --------------
    #{wrap("ruby-3.1/, compact-3.1/ and invalid-utf8/: #{truths['3.1']['ruby_description']}, natively. ruby-3.2/ to ruby-4.0/: #{ALL_VERSIONS.drop(1).map { |v| truths[v]['ruby_description'] }.join('; ')}: the WebAssembly builds of the npm packages @ruby/VERSION-wasm-wasi 2.10.1, run by node through tests/ruby/wasm/run.mjs (package.json there pins them) on the WASI shim @bjorn3/browser_wasi_shim. Every Ruby runs with --disable-gems.")}

    #{wrap('The program is tests/ruby/modern-app/: main.rb takes the dumps and plants, in one file and line each, what the sections below list. Every Ruby knows its files as /app/NAME.rb (the WebAssembly builds load them from an in-memory /app; the native Ruby compiles them under those names), so no path of the generating machine appears; the only other paths are Ruby\'s own library, such as set.rb and objspace.rb. Allocation tracing is on from the start, every dump follows a GC.start, and every planting line runs once before dump 1 (what it plants then is dropped), so that its call caches are old and only the planted objects are new at it.')}

    The five dumps per version: ruby-VERSION/
    ---------------------------------------
    #{wrap('d1.json.gz .. d5.json.gz, one process per version. Before dump 1 the old strings, the archived accounts and 40 memo strings; between dumps 1 and 2 everything else; between 2 and 3 the refill strings and 40 memo strings; between 3 and 4 the spike is released and 40 memo strings; between 4 and 5 40 memo strings.')}

    #{SCENARIO_TEXT.map { |k, t| "  #{k}:\n#{wrap(t, 4)}" }.join("\n")}

    #{wrap('Retained at each planted site (type, file:line; the line numbers are the same for every version), over dumps 1-3 / over dumps 1-5, as the truth files have them and tests/modern.sh checks them in heapsift\'s report:')}

    #{table([['site', 'type', 'where', *ALL_VERSIONS]] + site_rows)}

    #{wrap('The holders, with what each holds over dumps 1-3 by construction (in parentheses, where suspects-oracle.rb finds less: stale copies of some of their objects\' addresses on the machine stack make the roots dominate those):')}

    #{table([['holder', *ALL_VERSIONS]] + holder_rows)}

    Each directory also holds:
      truth.json               what was planted and what the dumps show (below)
      expected-identity.txt    tests/ruby/identity-diff.rb on d1 d2 d3
      expected-classic.txt     tests/ruby/classic-diff.rb on d1 d2 d3
      expected-identity-5.txt  identity-diff.rb's rule over d1 .. d5
      expected-suspects.txt    tests/ruby/suspects-oracle.rb on d1 d2 d3
    #{wrap('The Ruby oracles read SHAPE records (Ruby 3.2+) as objects: those new in dump 2 and still in dump 3 are a group of their own ("Retained N SHAPE objects ... at: :") in their outputs, and heapsift, which does not take them for objects, is compared with them less that group.')}

    The truth files
    ---------------
    #{wrap('truth.json has one member per line, and one element per line in its lists (so that a shell script can read it): ruby_version, ruby_description, ruby_platform; gc_count_at_dump (GC.count after the GC.start before each dump); float_on_heap; sites (per planted site: site, scenario, type, class, file, line, retained_3 (retained over dumps 1-3), retained_all (over all the dumps), live (planted objects alive in each dump), holder, other_at_site (objects of the type at the line that are not planted: old call caches, the same in every dump; --trend counts them), and per scenario imemo_type, struct, object_id_taken, chilled, fstring); holders (per holder: its address, type, file, line, holds_3 and holds_all by construction, holds_3_oracle from suspects-oracle.rb); ivar_objects (instance variable names in order and the shape_id read with ObjectSpace.dump, per kept object; the generator checks that the parent_id chain of each shape in dump 2\'s SHAPE records names the same variables); object_id_taken; observed (what the dumps show, counted by the generator). The generator aborts when a planted count is not what identity-diff.rb\'s rule finds in the dumps.')}

    What each version wrote
    -----------------------
    #{table(differences)}
    #{long_rows}

    #{wrap("Every version writes SHAPE records with no space between two of their members (\"shape_type\":\"IVAR\",\"edge_name\":\"@id\"). On 4.0 a too-complex object has the bit in its shape_id (the SHAPE table has no OBJ_TOO_COMPLEX record), an object_id taken on an OBJECT is an OBJ_ID shape, on a String an IMEMO fields object whose class member is the String (the only IMEMO with a shape_id); flags carry Integer values (age on every object, object_id on those whose id was taken; shareable and remembered are booleans); Account.new (called in Accounts.signup) is recorded with method signup, not new; a Set is a DATA with struct set; a dynamic symbol references its fstring. From 3.3 on, the thousands of objects allocated before the first GC have generation 0, a real generation (3.1 has a few, 3.2 none). From 3.4 on, the vm root's first reference is a DATA VM/pin_array_list, string literals are chilled, and there is no global_list root.")}

    WebAssembly artefacts (not what a server's Ruby writes):
    #{wrap("32-bit addresses (below 0x100000000; natively 0x7f...). No flonums: every Float is a heap object (the account_score site retains 80 FLOATs on WebAssembly, none natively). No compaction: GC.compact raises NotImplementedError, hence compact-4.0-synthetic/. No threads (Thread.new raises NotImplementedError): one machine stack, scanned conservatively; Ruby 3.2's build scans a large stale region (#{begin; zcat = Zlib::GzipReader.open(File.join(OUT, 'ruby-3.2', 'd2.json.gz'), &:read); zcat[/"root":"machine_context", "references":\[([^\]]*)\]/, 1].to_s.count(','); end} references in its machine_context root in dump 2), which makes the roots dominate some planted objects (the holders table). Slot sizes are 20/40/80/160 (3.3, 3.4), 20 only (3.2) and 24/48/96/192 (4.0); natively 40 (no slot_size member in 3.1).", 2)}

    Slot reuse and what address-only matching gets wrong:
    #{table(reuse)}

    Compaction, natively: compact-3.1/
    ----------------------------------
    #{wrap("d1.json.gz .. d3.json.gz, expected-identity.txt, expected-classic.txt, truth.json (#{files_sizes('compact-3.1')}). compact.rb: 1000 Things (one kept in three of 3000) from before dump 1; GC.compact between dump 1 and dump 2 moved #{c31['observed']['old_moved_between_1_and_2']} of them. #{c31['should_find']['retained']} Leaked objects (one kept in three of 900) allocated after that compaction; GC.compact between dump 2 and dump 3 moved #{c31['observed']['leaked_moved_between_2_and_3']} of them (and #{c31['observed']['old_moved_between_2_and_3']} Things). Ruby 3.1 drops the file, line and generation of a moved object: in dump 3 #{c31['observed']['leaked_without_file_line_generation_in_dump_3']} Leaked objects have none. What a diff should find: #{c31['should_find']['retained']} OBJECT retained at #{c31['should_find']['site'][1]}:#{c31['should_find']['site'][2]}, no Thing. identity-diff.rb finds #{c31['observed']['identity_retained_at_the_leak_site']} there (#{c31['observed']['identity_retained_3']} in all, #{c31['observed']['identity_retained_without_a_site']} of them without a site: everything compaction moved between dumps 1 and 2 looks new), classic-diff.rb #{c31['observed']['classic_retained_at_the_leak_site']} (#{c31['observed']['classic_retained_3']} in all). truth.json: compactions (every move of a known object, from and to, read with ObjectSpace.dump before and after each GC.compact), should_find, observed.")}

    Compaction, SYNTHETIC: compact-4.0-synthetic/
    ---------------------------------------------
    #{wrap("NOT written by Ruby as it is: tests/ruby/simulate-compaction.rb took ruby-4.0/d1..d3.json.gz and moved, as GC.compact would, objects that have an object_id in flags to addresses no dump uses (a made-up page per slot size above the heap), rewriting every reference to them (ROOT records, references, class members) and keeping the rest of their lines, object_id and generation included: #{c40['moved_between_1_and_2']} old objects (the archived Accounts) between dump 1 and dump 2, #{c40['moved_between_2_and_3']} new ones (30 leaked Accounts and their 30 emails) between dump 2 and dump 3. d1.json.gz is ruby-4.0's dump 1. Matching on object_id where both objects have one undoes the moves: expected-object-id.txt (#{c40['observed']['object_id_retained_3']} retained, #{c40['observed']['object_id_retained_3_shape_records']} of them SHAPE records) equals ruby-4.0/expected-identity.txt, and the script aborts when it does not. Matching on address and generation (expected-identity.txt, #{c40['observed']['identity_retained_3']} retained) loses the 60 moved new objects and takes the 20 moved old ones for new. truth.json: moved (object_id, type, site, generation, from, to, per move), sites (the moved sites' counts either way).")}

    A file name that is not UTF-8: invalid-utf8/
    --------------------------------------------
    #{wrap("dump.json.gz: one dump (#{utf8['observed']['lines']} lines, #{utf8['observed']['objects']} objects) of the native Ruby after it ran a one-line file really named with the byte 0xFF (/app/\\xFF.rb, compiled under that name). Ruby writes the name raw: exactly one line, line #{utf8['observed']['invalid_line']} (the ARRAY #{utf8['observed']['invalid_line_address']}; the 0xFF is byte #{utf8['observed']['invalid_byte_offset']} of the unpacked dump), is not UTF-8; every other line is valid JSON. Nothing was patched. truth.json gives the site's file name in hex (file_is_hex), and in observed the line, its address and the offsets of the line and of the byte.")}
  TEXT
  File.write(File.join(OUT, 'README'), text)
end

# -- main -------------------------------------------------------------------------------------

FileUtils.mkdir_p(OUT)
TRUTHS = {}
say "make-modern-fixtures: writing #{VERSIONS.join(', ')} into #{OUT}"
queue = Queue.new
VERSIONS.each { |v| queue << v }
workers = Array.new(2) do
  Thread.new do
    while (v = (queue.pop(true) rescue nil))
      run_scenario(v, 'leaks') { |out| TRUTHS[v] = make_version(v, out) }
    end
  end
end
workers.each(&:join)
if VERSIONS.include?('3.1')
  run_scenario('3.1', 'compact') { |out| make_compact_native(out) }
  run_scenario('3.1', 'utf8', INVALID_NAME => "$invalid_utf8_kept = [:kept]\n") { |out| make_invalid_utf8(out) }
end
make_compact_synthetic if VERSIONS.include?('4.0')
write_readme if VERSIONS == ALL_VERSIONS
