# check-json.rb: checks heapsift's --format=json document against its text
# output, field by field, with Ruby's own JSON parser (an independent reader).
#
#   ruby check-json.rb KIND TEXT_FILE JSON_FILE
#
# KIND is report, suspects, why or path. Prints one line per mismatch and
# exits 1 when there is any; prints "ok N fields" otherwise.
require 'json'

kind, text_file, json_file = ARGV
text = File.read(text_file, mode: 'rb').force_encoding('UTF-8')
doc = JSON.parse(File.read(json_file))
$bad = []
$checked = 0

def same(what, want, got)
  $checked += 1
  $bad << "#{what}: text says #{want.inspect}, JSON #{got.inspect}" unless want == got
end

# "Retained N TYPE objects of size B/M at: FILE:LINE" (site grouping).
GROUP_LINE = /^\s*(Retained|New|Live) (\d+) ([A-Z_]+) objects of size (\d+)\/(\d+) at: (.*):(\d*)(?:  retained: (\d+))?(?:  trend:((?: \d+)+))?$/

def check_group(what, line, g)
  m = GROUP_LINE.match(line) or return $bad << "#{what}: not a group line: #{line}"
  same("#{what} count", m[2].to_i, g['count'])
  same("#{what} type", m[3], g['type'])
  same("#{what} bytesize", m[4].to_i, g['bytesize'])
  same("#{what} memsize", m[5].to_i, g['memsize'])
  same("#{what} file", m[6], g['file'])
  same("#{what} line", m[7].empty? ? nil : m[7].to_i, g['line'])
  same("#{what} retained", m[8].to_i, g['retained']) if m[8]
  same("#{what} trend", m[9].split.map(&:to_i), g['trend']) if m[9]
end

def check_header(text, doc)
  text.scan(/^# dump (\d+): (.*) \((\d+) objects(?:, GC (\d+))?/).each do |n, path, objects, gc|
    d = doc['dumps'][n.to_i - 1]
    same("dump #{n} path", path, d['path'])
    same("dump #{n} objects", objects.to_i, d['objects'])
    same("dump #{n} gc", gc && gc.to_i, d['gc'])
  end
  if (m = text.match(/^# address-only matching would miss (\d+) of these \(reused slots\) and wrongly add (\d+)/))
    same('address_only would_miss', m[1].to_i, doc['address_only']['would_miss'])
    same('address_only would_add', m[2].to_i, doc['address_only']['would_add'])
  end
  same('format_version', 1, doc['format_version'])
end

# "      0xADDR DESC[ as @ivar]  (retained N[ bytes])"
HOP = /^\s+0x(\h+) .*?(?: as (\S+))?  \(retained (\d+)(?: bytes)?\)$/

def check_hops(what, lines, path)
  hops = lines.grep(HOP)
  return same("#{what} path", nil, path) if hops.empty?
  shown = path['hops']
  shown = shown.first(8) + shown.last(8) if shown.size > 16 # the text elides the middle
  same("#{what} hops", hops.size, shown.size)
  hops.zip(shown).each_with_index do |(line, hop), k|
    m = HOP.match(line)
    same("#{what} hop #{k} address", "0x#{m[1]}", hop && hop['address'])
    same("#{what} hop #{k} retained", m[3].to_i, hop && hop['retained'])
    same("#{what} hop #{k} ivar", m[2], hop && hop['ivar'])
  end
end

case kind
when 'report'
  check_header(text, doc)
  if (m = text.match(/^# (\d+) groups, (\d+) objects/))
    same('groups', m[1].to_i, doc['groups'])
    same('objects', m[2].to_i, doc['objects'])
  end
  lines = text.lines.map(&:chomp).grep(GROUP_LINE)
  same('rows', lines.size, doc['rows'].size)
  lines.zip(doc['rows']).each_with_index { |(l, g), k| check_group("row #{k + 1}", l, g || {}) }
  m = text.match(/^Total Size: (\d+)\/(\d+)$/)
  same('total bytesize', m[1].to_i, doc['bytesize'])
  same('total memsize', m[2].to_i, doc['memsize'])
when 'suspects'
  check_header(text, doc)
  if (m = text.match(/^# (\d+) suspects, (\d+) objects; (\d+) holding objects, folded by type, site and class into (\d+)/))
    same('suspects_total', m[1].to_i, doc['suspects_total'])
    same('objects', m[2].to_i, doc['objects'])
    same('holding_objects', m[3].to_i, doc['holding_objects'])
    same('folded_rows', m[4].to_i, doc['folded_rows'])
  end
  blocks = text.split(/^(?=Suspect \d+: )/).grep(/\ASuspect /)
  same('suspects listed', blocks.size, doc['suspects'].size)
  blocks.zip(doc['suspects']).each do |block, s|
    s ||= {}
    first, *rest = block.lines.map(&:chomp)
    m = first.match(/^Suspect (\d+): (.*) holds (\d+) \w+ objects, (\d+) bytes \(([\d.]+)% of \w+ bytes\)$/)
    n = m[1]
    same("suspect #{n} rank", n.to_i, s['rank'])
    same("suspect #{n} count", m[3].to_i, s['count'])
    same("suspect #{n} memsize", m[4].to_i, s['memsize'])
    same("suspect #{n} share", m[5], format('%.1f', 100 * s['share'].to_f))
    h = s['holder']
    if h
      same("suspect #{n} holder address", true, m[2].include?("(#{h['address']})") || h['holders'] > 1)
      same("suspect #{n} holder ivar", true, h['ivar'].nil? || m[2].include?(" #{h['ivar']} "))
      same("suspect #{n} holder site", true, h['file'].nil? || m[2].include?("at #{h['file']}#{h['line'] ? ":#{h['line']}" : ''}"))
    end
    if (g = rest.grep(/^  growth: /).first)
      gm = g.match(/^  growth: (.*?) \(still held, of each window's allocations: (.*)\)$/)
      same("suspect #{n} growth", gm[1], s['growth'])
      counts = gm[2].scan(/(\d+) of dumps (\d+)-(\d+)/).map { |c, a, b| [c.to_i, a.to_i, b.to_i] }
      same("suspect #{n} windows", counts, s['windows'].map { |w| [w['count'], w['from_dump'], w['to_dump']] })
    end
    if (sz = rest.grep(/^  size: /).first)
      b, mm = sz.match(/(\d+)\/(\d+)/).captures.map(&:to_i)
      same("suspect #{n} bytesize", b, s['bytesize'])
      same("suspect #{n} size memsize", mm, s['memsize'])
    end
    check_hops("suspect #{n}", rest.take_while { |l| !l.start_with?('  holds ') }, s['path'])
    held = rest.drop_while { |l| !l.start_with?('  holds ') }.grep(GROUP_LINE)
    held.zip(s['holds']).each_with_index { |(l, g2), k| check_group("suspect #{n} group #{k + 1}", l, g2 || {}) }
  end
when 'why'
  blocks = text.split(/^(?=Retained \d+ )/).grep(/\ARetained /)
  same('groups explained', blocks.size, doc['explained'].size)
  blocks.zip(doc['explained']).each_with_index do |(block, g), k|
    g ||= {}
    first, *rest = block.lines.map(&:chomp)
    check_group("why group #{k + 1}", first, g)
    rs = rest.grep(/^  retained size: /).first
    same("why group #{k + 1} retained_size", rs[/(\d+) bytes/, 1].to_i, g['retained_size'])
    held = rest.grep(/^    \d+ of them \(\d+ bytes\) by .*, e\.g\. 0x\h+$/)
    held.zip(g['held_by']).each_with_index do |(l, hb), j|
      hm = l.match(/^    (\d+) of them \((\d+) bytes\) by .*, e\.g\. (0x\h+)$/)
      same("why group #{k + 1} holder #{j + 1} count", hm[1].to_i, hb && hb['count'])
      same("why group #{k + 1} holder #{j + 1} bytes", hm[2].to_i, hb && hb['bytes'])
      same("why group #{k + 1} holder #{j + 1} example", hm[3], hb && hb['example'])
    end
    check_hops("why group #{k + 1}", rest.drop_while { |l| !l.include?('path from a GC root') }, g['path'])
  end
when 'path'
  lines = text.lines.map(&:chomp)
  root = lines.grep(/^root /).first
  same('path root', root && root.sub('root ', ''), doc['path'] && doc['path']['root'])
  check_hops('path', lines, doc['path'])
else
  abort "check-json.rb: unknown kind #{kind}"
end

if $bad.empty?
  puts "ok #{$checked} fields"
else
  puts $bad.first(20)
  exit 1
end
