# gen-bench-dumps.rb: writes three large, real heap dumps for benchmarks.
#
#   ruby gen-bench-dumps.rb OUTDIR MEGABYTES
#
# Writes OUTDIR/bench-1.json, bench-2.json and bench-3.json, about MEGABYTES in
# all (dump 2 is ~5% and dump 3 ~10% larger than dump 1). They are dumps of
# this process, which plays a service: allocation tracing on from the start, a
# large live heap of mixed objects built by ~600 allocation sites spread over
# fake application and gem files, and between dumps
#   - churn: about a third of the live records is dropped and rebuilt by the
#     same sites, after a GC, so that many new objects land in slots that held
#     other objects in the previous dump (slot reuse);
#   - leaks: a few sites keep appending to global structures (a cache Hash, an
#     Array of procs holding request strings, a class-level registry, strings
#     from a gem);
#   - short-lived garbage.
# One Array holds up to 400k references, so its line is up to 7 MB long.
require 'objspace'
require 'fileutils'
require 'rbconfig'

# Without rubygems the base heap is ~7k objects instead of ~30k.
exec(RbConfig.ruby, '--disable-gems', __FILE__, *ARGV) if defined?(Gem)

abort 'usage: ruby gen-bench-dumps.rb OUTDIR MEGABYTES' unless ARGV.size == 2
OUTDIR = ARGV[0]
MEGABYTES = Float(ARGV[1])
abort 'gen-bench-dumps: MEGABYTES must be positive' unless MEGABYTES.positive?
FileUtils.mkdir_p(OUTDIR)

ObjectSpace.trace_object_allocations_start
RNG = Random.new(42)

# -- allocation sites: generated code evaluated under fake file names ----------

# Each entry is the body of a builder `def self.bN(i, r)` returning one record
# (a few objects); r is the Random. Lines are kept apart so every builder has
# its own allocation lines.
SHAPES = [
  <<~'RUBY',
    u = Customer.new
    u.name = "customer #{i}"
    u.email = "c#{i}@example.com"
    u.tags = ["tag#{i % 17}", "tier#{i % 3}", "region-#{i % 5}"]
    u.attrs = { 'plan' => "p#{i % 4}", 'since' => (2000 + i % 24).to_s }
    u
  RUBY
  <<~'RUBY',
    { id: i, kind: :event, payload: "payload #{i} " * (1 + i % 4),
      at: Time.at(1_700_000_000 + i), score: 1.0e300 * (1 + r.rand) }
  RUBY
  <<~'RUBY',
    key = "clé-#{i}-ünïcode"
    val = 'x' * (64 + r.rand(1500))
    [key, val]
  RUBY
  <<~'RUBY',
    Node.new(i, "node-#{i}", Array.new(4) { |k| "leaf #{i}.#{k}" })
  RUBY
  <<~'RUBY',
    label = "job #{i}"
    attempts = [i, i + 1]
    -> { "#{label} #{attempts.size}" }
  RUBY
  <<~'RUBY',
    [2**70 + i, Rational(i, 7), Complex(i, 1), (i..i + 10), /item-#{i}-\d+/]
  RUBY
  <<~'RUBY',
    "tok_#{i}_#{r.rand(1 << 30)}".to_sym.then { |s| [s, s.to_s] }
  RUBY
  <<~'RUBY',
    o = Object.new
    o.instance_variable_set(:@a, "a#{i}")
    o.instance_variable_set(:@b, [i])
    o.instance_variable_set(:@c, { "c#{i}" => i })
    o
  RUBY
].freeze

Customer = Struct.new(:name, :email, :tags, :attrs)
Node = Struct.new(:id, :label, :children)

FILES = (0...60).map do |n|
  if n % 6 == 5 then "gems/gem#{n}-1.#{n % 7}.0/lib/gem#{n}/core.rb"
  else %w[models controllers services jobs serializers][n % 5].then { |d| "app/#{d}/part_#{n}.rb" }
  end
end

BUILDERS = FILES.each_with_index.flat_map do |file, n|
  mod = Module.new
  Object.const_set("Part#{n}", mod)
  src = +''
  names = []
  10.times do |k|
    shape = SHAPES[(n * 3 + k) % SHAPES.size]
    src << "def self.b#{k}(i, r)\n#{shape}end\n\n"
    names << :"b#{k}"
  end
  mod.module_eval(src, file, 1)
  names.map { |m| mod.method(m) }
end

# -- leaks: a few sites that grow between dumps ---------------------------------

LEAK_SRC = <<~'RUBY'
  module ResponseCache
    STORE = {}
    def self.leak(i)
      STORE["/products/#{i}?ref=#{i * 7}"] = "<html>product #{i}</html>"
    end
  end

  module Hooks
    CALLBACKS = []
    def self.leak(i)
      user = "user#{i}"
      path = "/orders/#{i}"
      CALLBACKS << proc { "#{user} #{path}" }
    end
  end

  class Connection
    @registry = []
    class << self; attr_reader :registry; end
    def self.leak(i)
      @registry << new(i)
    end
    def initialize(i)
      @id = i
      @peer = "10.0.#{i % 256}.#{i % 7}:#{4000 + i % 1000}"
      @buffer = []
    end
  end
RUBY
eval(LEAK_SRC, TOPLEVEL_BINDING, 'app/services/leaks.rb', 1)
eval(<<~'RUBY', TOPLEVEL_BINDING, 'gems/leaky-1.2.3/lib/leaky.rb', 1)
  module Leaky
    EVENTS = []
    def self.leak(i)
      EVENTS << "leaky.instrument:#{i}"
    end
  end
RUBY
LEAKS = [ResponseCache, Hooks, Connection, Leaky].freeze

# -- the live heap ---------------------------------------------------------------

BUCKETS = 300
$live = Array.new(BUCKETS) { [] }
$serial = 0

def build_records(count)
  Array.new(count) do
    $serial += 1
    BUILDERS[RNG.rand(BUILDERS.size)].call($serial, RNG)
  end
end

def garbage(count)
  count.times { |i| "garbage #{i}".upcase.split('A') }
end

def leak(count)
  count.times do |i|
    LEAKS[i % LEAKS.size].leak($serial + i)
  end
  $serial += count
end

def dump(n)
  GC.start
  path = File.join(OUTDIR, "bench-#{n}.json")
  started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  File.open(path, 'w') { |io| ObjectSpace.dump_all(output: io) }
  took = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
  puts format('wrote %s: %.1f MB, %d objects live, dump took %.1f s',
              path, File.size(path) / 1e6, ObjectSpace.count_objects[:TOTAL] - ObjectSpace.count_objects[:FREE], took)
  $stdout.flush
  File.size(path)
end

started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
target1 = MEGABYTES * 1e6 / (1 + 1.05 + 1.10)

# One very long line: up to 400k references (repeating, as references may).
$shared = Array.new(1000) { |i| "shared #{i}" }
$big_array = Array.new([400_000, (target1 * 0.02 / 17).round].min) { |i| $shared[i % 1000] }

# Calibrate bytes of dump per record on a first slice of the heap.
def dump_size
  GC.start
  ObjectSpace.dump_all(output: :string).bytesize
end
base = dump_size
$live.each { |b| b.concat(build_records(5)) }
per_record = (dump_size - base) / (BUCKETS * 5.0)
$stderr.puts "base #{base} bytes, #{per_record.round} bytes per record" if ENV['GEN_BENCH_DEBUG']
# Build to 90% of the estimate, measure, then top up with the better figure.
records1 = ((target1 - base) / per_record * 0.9).round
per_bucket = [records1 / BUCKETS - 5, 0].max
$live.each { |b| b.concat(build_records(per_bucket)) }
built = $live.sum(&:size)
size = dump_size
per_record = (size - base) / built.to_f
more = ((target1 - size) / per_record / BUCKETS).round
$live.each { |b| b.concat(build_records(more)) } if more.positive?
$stderr.puts "#{built} records: #{size} bytes; #{more} more per bucket" if ENV['GEN_BENCH_DEBUG']
garbage(records1 / 2)

size1 = dump(1)
records = $live.sum(&:size)

# Between dumps: drop a third of the buckets, collect, rebuild them (slot
# reuse), leak about 5% of dump 1's size, and make garbage.
[2, 3].each do |n|
  victims = (0...BUCKETS).to_a.sample(BUCKETS / 3, random: RNG)
  victims.each { |v| $live[v] = nil }
  GC.start
  leak_records = (size1 * 0.05 / 850).round # a leak call makes ~850 bytes of dump
  victims.each_with_index do |v, k|
    $live[v] = build_records(records / BUCKETS)
    leak(leak_records / victims.size)
    garbage(2_000) if k % 10 == 0
  end
  dump(n)
end

total = (1..3).sum { |n| File.size(File.join(OUTDIR, "bench-#{n}.json")) }
puts format('total %.1f MB in %.1f s', total / 1e6, Process.clock_gettime(Process::CLOCK_MONOTONIC) - started)
