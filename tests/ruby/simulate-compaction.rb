# simulate-compaction.rb: makes a SYNTHETIC compaction fixture out of three
# real dumps of Ruby 3.5+ (which writes "object_id" inside "flags"), for
# Rubies that cannot compact (the WebAssembly builds).
#
#   ruby simulate-compaction.rb D1 D2 D3 OUTDIR
#
# Moves, as GC.compact would, objects that have an object_id to addresses
# that none of the three dumps uses, and rewrites every reference to them
# (ROOT records, references, class members) to match; everything else on
# their lines (flags with the object_id, generation, allocation site) stays:
#   - between dump 1 and dump 2: every object that has an object_id in dump 1
#     and is at the same address with the same object_id in dumps 2 and 3
#     (old objects: matched on the address they look new in dump 2);
#   - between dump 2 and dump 3: every object of dump 2 that is not in dump 1
#     (address and generation) and has an object_id, if dump 3 has it at the
#     same address with the same object_id (new objects: matched on the
#     address they look freed in dump 3).
# Writes OUTDIR/d1.json.gz (dump 1 unchanged), d2.json.gz, d3.json.gz,
# truth.json (what moved where, and the counts; canonical layout: one member
# per line), expected-object-id.txt (the report of a matching on object_id
# where both objects have one, as identity-diff.rb otherwise; it must equal
# identity-diff.rb on the three dumps before the moves, and this script
# aborts when it does not).
require 'json'
require 'set'
require 'zlib'
require_relative 'classic-diff'

PAGE = 0x10000

def read_lines(path)
  io = File.open(path, 'rb')
  io = Zlib::GzipReader.new(io) if path.end_with?('.gz')
  io.each_line.to_a
ensure
  io&.close
end

def parse(lines)
  lines.map { |l| JSON.parse(l.dup.force_encoding(Encoding::UTF_8)) }
end

def objects(parsed)
  parsed.select { |o| o['address'] && o['type'] != 'SHAPE' }
end

def oid(obj)
  obj.dig('flags', 'object_id')
end

def gen_key(obj)
  obj.key?('generation') ? obj['generation'] : obj['type']
end

# Is o (a later dump's object) the same object as one of dump `index`?
# Both have an object_id: those decide. Otherwise address and generation (or
# type), and the object_ids must not differ.
class Index
  def initialize(objs)
    @by_id = {}
    @by_addr = {}
    objs.each do |o|
      @by_id[oid(o)] = o if oid(o)
      @by_addr[ClassicDiff.address(o)] = o
    end
  end

  def include?(obj)
    if oid(obj) && @by_id.key?(oid(obj))
      true
    else
      other = @by_addr[ClassicDiff.address(obj)]
      return false unless other
      return false if oid(other) && oid(obj) && oid(other) != oid(obj)

      gen_key(other) == gen_key(obj)
    end
  end
end

def object_id_report(dumps)
  d1, d2, d3 = dumps.map { |d| objects(d) }
  first = Index.new(d1)
  third = Index.new(d3)
  groups = Hash.new { |h, g| h[g] = [0, 0, 0] }
  d2.each do |o|
    next if first.include?(o) || !third.include?(o)

    g = groups[[o['type'], o['file'], o['line']]]
    g[0] += 1
    g[1] += o['bytesize'] || 0
    g[2] += o['memsize'] || 0
  end
  # SHAPE records do not move; identity-diff.rb counts them as objects.
  shapes = dumps.map { |d| d.select { |o| o['type'] == 'SHAPE' }.map { |o| ClassicDiff.address(o) }.to_set }
  new_shapes = dumps[1].select do |o|
    o['type'] == 'SHAPE' && !shapes[0].include?(ClassicDiff.address(o)) && shapes[2].include?(ClassicDiff.address(o))
  end
  new_shapes.each do |o|
    g = groups[['SHAPE', nil, nil]]
    g[0] += 1
    g[2] += o['memsize'] || 0
  end
  ClassicDiff.report(groups)
end

def canonical_json(hash)
  members = hash.map do |key, value|
    text = if value.is_a?(Array) && !value.empty? && value.all? { |e| e.is_a?(Hash) }
             "[\n#{value.map { |e| "    #{JSON.generate(e)}" }.join(",\n")}\n  ]"
           else
             JSON.generate(value)
           end
    "  #{JSON.generate(key)}: #{text}"
  end
  "{\n#{members.join(",\n")}\n}\n"
end

def main(argv)
  abort 'usage: ruby simulate-compaction.rb D1 D2 D3 OUTDIR' unless argv.size == 4
  *paths, outdir = argv
  lines = paths.map { |p| read_lines(p) }
  dumps = lines.map { |l| parse(l) }
  objs = dumps.map { |d| objects(d) }
  abort 'simulate-compaction: no object has an object_id in flags (Ruby 3.5+ dumps needed)' if objs.flatten.none? { |o| oid(o) }

  at = objs.map { |d| d.to_h { |o| [o['address'], o] } }
  same_id_at = ->(k, o) { (x = at[k][o['address']]) && oid(x) == oid(o) }
  old = objs[0].select { |o| oid(o) && same_id_at.(1, o) && same_id_at.(2, o) }
  first = objs[0].to_h { |o| [[o['address'], gen_key(o)], true] }
  fresh = objs[1].select { |o| oid(o) && !first.key?([o['address'], gen_key(o)]) && same_id_at.(2, o) }

  # Fresh addresses: one made-up heap page per slot size, above every
  # address of the three dumps.
  top = dumps.flatten.filter_map { |o| o['address'] && o['type'] != 'SHAPE' ? o['address'].to_i(16) : nil }.max
  base = (top / PAGE + 2) * PAGE
  sizes = (old + fresh).map { |o| o['slot_size'] }.uniq.sort
  cursor = sizes.each_with_index.to_h { |s, i| [s, base + i * PAGE] }
  relocate = lambda do |o|
    to = cursor[o['slot_size']]
    cursor[o['slot_size']] += o['slot_size']
    abort 'simulate-compaction: too many objects to move' if to >= base + (sizes.index(o['slot_size']) + 1) * PAGE
    format('0x%x', to)
  end
  moves = {}
  (old + fresh).each { |o| moves[o['address']] = relocate.(o) }
  old_moves = old.to_h { |o| [o['address'], moves[o['address']]] }

  rewrite = lambda do |line, map|
    return line if line.start_with?('{"address":') && line.include?('"type":"SHAPE"')

    line.gsub(/(?<!"value":)"(0x\h+)"/) { map.key?(Regexp.last_match(1)) ? "\"#{map[Regexp.last_match(1)]}\"" : Regexp.last_match(0) }
  end
  out = [lines[0], lines[1].map { |l| rewrite.(l, old_moves) }, lines[2].map { |l| rewrite.(l, moves) }]
  Dir.mkdir(outdir) unless Dir.exist?(outdir)
  out.each_with_index do |ls, i|
    Zlib::GzipWriter.open(File.join(outdir, "d#{i + 1}.json.gz"), Zlib::BEST_COMPRESSION) { |gz| gz.write(ls.join) }
  end

  before = ClassicDiff.report(ClassicDiff.retained(*paths, ->(o) { [ClassicDiff.address(o), gen_key(o)] }))
  after = object_id_report(out.map { |ls| parse(ls) })
  abort "simulate-compaction: matching on object_id does not undo the moves:\n#{after}" unless after == before
  File.binwrite(File.join(outdir, 'expected-object-id.txt'), after)

  describe = lambda do |o, between|
    { 'between' => between, 'object_id' => oid(o), 'type' => o['type'], 'file' => o['file'], 'line' => o['line'],
      'generation' => o['generation'], 'from' => o['address'], 'to' => moves[o['address']] }
  end
  retained_moved = fresh.count do |o|
    (x = at[2][o['address']]) && gen_key(x) == gen_key(o)
  end
  truth = {
    'synthetic' => true,
    'made_by' => 'tests/ruby/simulate-compaction.rb',
    'from_dumps' => paths.map { |p| File.basename(File.dirname(p)) + '/' + File.basename(p) },
    'moved_between_1_and_2' => old.size,
    'moved_between_2_and_3' => fresh.size,
    'moved_new_objects_still_alive' => retained_moved,
    'retained_matching_object_id' => ClassicDiff.retained(*paths, ->(o) { [ClassicDiff.address(o), gen_key(o)] })
                                                .values.sum { |c, _, _| c },
    'moved' => old.map { |o| describe.(o, [1, 2]) } + fresh.map { |o| describe.(o, [2, 3]) },
  }
  File.write(File.join(outdir, 'truth.json'), canonical_json(truth))
  truth
end

main(ARGV) if $PROGRAM_NAME == __FILE__
