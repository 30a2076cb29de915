# -*- coding: utf-8 -*-
# The program behind data/broken-paths.json (run by make-fixtures.rb with
# `ruby --disable-gems`, from a temporary directory). Ruby 3.1 writes the
# allocation `file` unescaped, and garbage for non-ASCII method names, so
# several lines of its dump are not valid JSON.
require 'objspace'
ObjectSpace.trace_object_allocations_start

$kept = []

# A file name holding a double quote and a backslash.
eval(<<~'RUBY', binding, 'lib/we"ird\\path.rb', 1)
  $kept << "allocated in a quoted path".dup
  $kept << ["array", "from", "the", "quoted", "path"]
RUBY

# A file name holding a byte that is not UTF-8 (Latin-1 e-acute).
eval(<<~'RUBY', binding, "lib/caf\xE9.rb".b, 1)
  $kept << "allocated in a latin-1 path".dup
RUBY

class Ünïcode
  # Methods whose names are not ASCII.
  define_method('café') do
    $kept << 'allocated in café'.dup
    $kept << { 'from' => 'café' }
  end

  def ünïcode
    $kept << 'allocated in ünïcode'.dup
    $kept << Object.new
  end
end

# For contrast: an ordinary site whose lines are valid JSON.
def plain_method
  $kept << 'allocated in plain_method'.dup
end

Ünïcode.new.café
Ünïcode.new.ünïcode
plain_method

GC.start
File.open(ARGV.fetch(0), 'w') { |io| ObjectSpace.dump_all(output: io) }
