# suspects-oracle.rb: who holds the retained objects, computed from the dumps
# alone, as an oracle for `heapsift --suspects`.
#
#   ruby suspects-oracle.rb [--holders] [--filter=S] [--exclude=S] [--type=T,...]
#                           [--min-count=N] DUMP...
#
# Shares nothing with heapsift but the definitions (doc/heapsift.1, --suspects):
#
# - The retained set R: the objects of dump 2 whose identity (address plus
#   generation, or type when there is none) is absent from dump 1 and present
#   in every later dump (identity-diff.rb's rule). With two dumps, new in dump
#   2; with one, every object.
# - The latest dump's graph: an edge for each reference to an object of the
#   dump, one from every object but an IMEMO to its class, and a virtual root
#   whose edges are the ROOT records' references.
# - Dominators by the iterative algorithm of Cooper, Harvey and Kennedy ("A
#   Simple, Fast Dominance Algorithm", 2001) over a reverse postorder, not
#   Lengauer and Tarjan as heapsift computes them.
# - The filters choose which objects of R count (--filter and --exclude:
#   file path substrings; --type; --min-count: of the (type, file, line)
#   groups), not which are members: holders are found for all of R.
# - The holder of an object of R: the first node on its dominator-tree path
#   towards the root that is not in R. Under the virtual root, the categories
#   of the roots that reach the top-most object of R on that path (one
#   breadth-first search per category) say which row: one category alone
#   ("several GC roots (vm)", machine_context alone: "on a thread's stack at
#   dump time"), or more ("several GC roots (mixed)"); no root at all: "no GC
#   root (garbage at dump time)".
# - Holders of one type, allocation site and class fold into one row, but a
#   CLASS or MODULE (named by itself) never folds.
# - Rows: real holders first, then the roots' rows, then the stack's, then
#   the unreachable; dump_all's own objects (allocated in objspace.rb) and
#   the rows they hold last. Within each, most bytes (memsize) first, then
#   most objects, then the lowest holder address or category name.
#
# Prints each row as `heapsift --suspects` prints its "Suspect" lines; with
# --holders, the unfolded and folded counts of real holders first.
require 'json'
require 'zlib'

module SuspectsOracle
  module_function

  # Every parsed line that is an object (has an address), and the ROOT records.
  def read_dump(path)
    io = File.open(path, 'rb')
    io = Zlib::GzipReader.new(io) if path.end_with?('.gz')
    objects = []
    roots = []
    io.each_line do |line|
      line.force_encoding(Encoding::UTF_8)
      obj = JSON.parse(line)
      if obj['type'] == 'ROOT'
        roots << obj
      elsif obj.key?('address')
        objects << obj
      end
    end
    [objects, roots]
  ensure
    io&.close
  end

  def address(obj)
    Integer(obj['address'], 16)
  end

  def identity(obj)
    [address(obj), obj.key?('generation') ? obj['generation'] : obj['type']]
  end

  # Node indices of the latest dump that are retained, in dump 2 order, each
  # with the dump 2 object (whose sizes the report adds up).
  def retained(dumps)
    latest = dumps.last[0]
    by_identity = {}
    latest.each_with_index { |o, i| by_identity[identity(o)] = i }
    return latest.each_index.map { |i| [i, latest[i]] } if dumps.size == 1
    before = {}
    dumps[0][0].each { |o| before[identity(o)] = true }
    later = dumps[2..].map { |d| d[0].to_h { |o| [identity(o), true] } }
    dumps[1][0].filter_map do |o|
      key = identity(o)
      next if before.key?(key) || !later.all? { |l| l.key?(key) }
      [by_identity.fetch(key), o]
    end
  end

  # Successor lists of the latest dump's graph; node n is the virtual root.
  # Also the root edges' categories.
  def graph(objects, roots)
    index = {}
    objects.each_with_index { |o, i| index[address(o)] = i }
    succ = objects.map do |o|
      out = (o['references'] || []).filter_map { |a| index[Integer(a, 16)] }
      if o['class'] && o['type'] != 'IMEMO'
        c = index[Integer(o['class'], 16)]
        out << c if c
      end
      out
    end
    root_edges = []
    roots.each do |r|
      (r['references'] || []).each do |a|
        v = index[Integer(a, 16)]
        root_edges << [v, r['root']] if v
      end
    end
    succ << root_edges.map(&:first)
    [succ, root_edges]
  end

  # Immediate dominators (the root's is itself; nil when unreachable).
  def dominators(succ)
    root = succ.size - 1
    order = []            # postorder
    seen = Array.new(succ.size, false)
    stack = [[root, 0]]
    seen[root] = true
    until stack.empty?
      v, k = stack.last
      if k < succ[v].size
        stack.last[1] += 1
        w = succ[v][k]
        next if seen[w]
        seen[w] = true
        stack << [w, 0]
      else
        order << v
        stack.pop
      end
    end
    post = Array.new(succ.size)
    order.each_with_index { |v, i| post[v] = i }
    pred = Array.new(succ.size) { [] }
    succ.each_with_index { |ws, v| ws.each { |w| pred[w] << v if seen[v] } }
    idom = Array.new(succ.size)
    idom[root] = root
    rpo = order.reverse
    changed = true
    while changed
      changed = false
      rpo.each do |v|
        next if v == root
        new_idom = nil
        pred[v].each do |p|
          next unless idom[p]
          new_idom = new_idom ? intersect(p, new_idom, idom, post) : p
        end
        if idom[v] != new_idom
          idom[v] = new_idom
          changed = true
        end
      end
    end
    idom
  end

  def intersect(a, b, idom, post)
    while a != b
      a = idom[a] while post[a] < post[b]
      b = idom[b] while post[b] < post[a]
    end
    a
  end

  # The categories whose roots reach each node: one search per category.
  def root_categories(succ, root_edges)
    cats = Array.new(succ.size) { [] }
    root_edges.group_by(&:last).each do |name, edges|
      seen = {}
      queue = edges.map(&:first).uniq
      queue.each { |v| seen[v] = true }
      until queue.empty?
        v = queue.shift
        cats[v] << name
        succ[v].each do |w|
          next if seen[w]
          seen[w] = true
          queue << w
        end
      end
    end
    cats
  end

  def noise?(obj)
    obj && obj['file'].to_s.split('/').last == 'objspace.rb'
  end

  # Which of the retained objects count, by the options.
  def counted(members, opts)
    kept = members.select do |_, o|
      file = o['file'].to_s
      (!opts['filter'] || file.include?(opts['filter'])) &&
        (!opts['exclude'] || !file.include?(opts['exclude'])) &&
        (!opts['type'] || opts['type'].split(',').include?(o['type']))
    end
    min = (opts['min-count'] || 1).to_i
    sizes = kept.group_by { |_, o| [o['type'], o['file'], o['line']] }.transform_values(&:size)
    kept.select { |_, o| sizes[[o['type'], o['file'], o['line']]] >= min }
  end

  def main(argv)
    holders_only = argv.delete('--holders')
    opts = {}
    argv = argv.reject { |a| a =~ /\A--([a-z-]+)=(.*)\z/ && (opts[Regexp.last_match(1)] = Regexp.last_match(2)) }
    abort 'usage: ruby suspects-oracle.rb [--holders] [--filter=S] ... DUMP...' if argv.empty?
    dumps = argv.map { |p| read_dump(p) }
    objects, roots = dumps.last
    succ, root_edges = graph(objects, roots)
    idom = dominators(succ)
    root = succ.size - 1
    members = retained(dumps)
    in_r = {}
    members.each { |v, _| in_r[v] = true }
    names = {}
    objects.each { |o| names[Integer(o['address'], 16)] = o['name'] if %w[CLASS MODULE].include?(o['type']) && o['name'] }
    cats = nil
    order = root_edges.map(&:last).uniq # categories in order of first appearance
    rows = Hash.new { |h, k| h[k] = { count: 0, bytes: 0, holders: {} } }
    counted(members, opts).each do |v, o|
      top = v
      u = idom[v]
      while u && u != root && in_r[u]
        top = u
        u = idom[u]
      end
      key =
        if u.nil?
          [:unreached]
        elsif u == root
          cats ||= root_categories(succ, root_edges)
          c = order.select { |name| cats[top].include?(name) }
          c == ['machine_context'] ? [:stack] : [:roots, c]
        else
          h = objects[u]
          if %w[CLASS MODULE].include?(h['type']) then [:held, u]
          else [:held, h['type'], h['file'], h['line'], h['class']]
          end
        end
      noise = noise?(o) || (key[0] == :held && noise?(objects[u]))
      row = rows[key + [noise]]
      row[:count] += 1
      row[:bytes] += o['memsize'] || 0
      row[:holders][u] = true if key[0] == :held
      row[:noise] = noise
    end
    if holders_only
      held = rows.select { |k, _| k[0] == :held }
      puts "holders: #{held.values.sum { |r| r[:holders].size }} unfolded, #{held.size} folded, #{rows.size} rows"
    end
    total = counted(members, opts).sum { |_, o| o['memsize'] || 0 }
    kind_rank = { held: 0, roots: 1, stack: 2, unreached: 3 }
    ranked = rows.to_a.sort_by do |key, row|
      first = row[:holders].keys.map { |h| address(objects[h]) }.min || 0
      mask = key[0] == :roots ? key[1].sum { |name| 1 << (order.index(name) + 1) } : 0
      [row[:noise] ? 1 : 0, kind_rank[key[0]], -row[:bytes], -row[:count], first, mask]
    end
    $stdout.binmode
    ranked.each_with_index do |(key, row), i|
      what =
        case key[0]
        when :held then describe(objects, row[:holders].keys, names)
        when :roots then "several GC roots (#{key[1].join(', ')})"
        when :stack then "on a thread's stack at dump time"
        else 'no GC root (garbage at dump time)'
        end
      share = total.zero? ? 0.0 : 100.0 * row[:bytes] / total
      word = { 1 => 'live', 2 => 'new' }.fetch(dumps.size, 'retained')
      puts "Suspect #{i + 1}: #{row[:noise] ? "[dump_all's own objects] " : ''}#{what} holds #{row[:count]} " \
           "#{word} objects, #{row[:bytes]} bytes (#{format('%.1f', share)}% of #{word} bytes)"
    end
  end

  # "TYPE Class at FILE:LINE (0xADDRESS)", or "(N holders)" for a folded row.
  def describe(objects, holders, names)
    h = objects[holders.min_by { |u| address(objects[u]) }]
    text = +h['type']
    own = %w[CLASS MODULE].include?(h['type'])
    cls = own ? h['name'] : (h['type'] == 'IMEMO' ? nil : names[Integer(h['class'] || '0', 16)])
    text << " #{cls}" if cls
    text << " at #{h['file']}:#{h['line']}" if h['file']
    text << (holders.size == 1 ? format(' (0x%x)', address(h)) : " (#{holders.size} holders)")
  end
end

SuspectsOracle.main(ARGV) if $PROGRAM_NAME == __FILE__
