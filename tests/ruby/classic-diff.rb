# classic-diff.rb: the classic three-dump leak diff, kept as an oracle for
# heapsift's `--identity=address` report (see notes/method.md).
#
#   ruby classic-diff.rb FIRST SECOND THIRD
#
# Objects are matched on their "address" field alone: an object of SECOND is
# retained when its address is absent from FIRST and present in THIRD. Lines
# without an address (ROOT records) are skipped. Files ending in .gz are read
# through Zlib::GzipReader. Any line that is not valid JSON aborts the run.
#
# Output, one line per [type, file, line] group, most objects first, then by
# type, file (byte order, missing first) and line (numeric, missing first):
#
#   Retained COUNT TYPE objects of size BYTESIZE/MEMSIZE at: FILE:LINE
#
# followed by two empty lines and `Total Size: BYTESIZE/MEMSIZE` (sums of the
# objects' bytesize and memsize fields; a missing field counts 0).
require 'json'
require 'zlib'

module ClassicDiff
  module_function

  # Yields every parsed line that has an address.
  def each_object(path)
    io = File.open(path, 'rb')
    io = Zlib::GzipReader.new(io) if path.end_with?('.gz')
    lineno = 0
    io.each_line do |line|
      lineno += 1
      line.force_encoding(Encoding::UTF_8)
      begin
        obj = JSON.parse(line)
      rescue JSON::ParserError => e
        abort "#{path}:#{lineno}: not valid JSON: #{e.message[0, 200].inspect}"
      end
      abort "#{path}:#{lineno}: not a JSON object" unless obj.is_a?(Hash)
      yield obj if obj.key?('address')
    end
  ensure
    io&.close
  end

  # Addresses are compared as numbers, so "0x7f0a" and "0x00007f0a" match.
  def address(obj)
    value = obj['address']
    value.is_a?(String) ? Integer(value, 16) : value
  rescue ArgumentError
    value
  end

  # The key that says "same object" across dumps: the address alone.
  ADDRESS = ->(obj) { address(obj) }

  # Returns { [type, file, line] => [count, bytesize, memsize] } for the
  # objects of SECOND whose key is absent from FIRST and present in THIRD.
  def retained(first, second, third, key = ADDRESS)
    before = {}
    each_object(first) { |o| before[key.(o)] = true }
    candidates = {}
    each_object(second) do |o|
      k = key.(o)
      next if before.key?(k)
      candidates[k] = [[o['type'], o['file'], o['line']], o['bytesize'] || 0, o['memsize'] || 0]
    end
    before = nil
    groups = Hash.new { |h, g| h[g] = [0, 0, 0] }
    each_object(third) do |o|
      c = candidates.delete(key.(o))
      next unless c
      g = groups[c[0]]
      g[0] += 1
      g[1] += c[1]
      g[2] += c[2]
    end
    groups
  end

  def report(groups)
    sorted = groups.sort_by do |(type, file, line), (count, _, _)|
      [-count,
       type.to_s.b,
       file.nil? || file == '' ? 0 : 1, file.to_s.b,
       line.nil? ? 0 : 1, line.is_a?(Numeric) ? line : line.to_s.to_i]
    end
    out = +''
    total_bytes = 0
    total_mem = 0
    sorted.each do |(type, file, line), (count, bytes, mem)|
      total_bytes += bytes
      total_mem += mem
      out << "Retained #{count} #{type} objects of size #{bytes}/#{mem} at: #{file}:#{line}\n"
    end
    out << "\n\nTotal Size: #{total_bytes}/#{total_mem}\n"
  end

  def main(argv, key = ADDRESS)
    abort "usage: ruby #{File.basename($PROGRAM_NAME)} FIRST SECOND THIRD" unless argv.size == 3
    $stdout.binmode
    $stdout.write(report(retained(*argv, key)))
  end
end

ClassicDiff.main(ARGV) if $PROGRAM_NAME == __FILE__
