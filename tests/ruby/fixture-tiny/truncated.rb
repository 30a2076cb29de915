# The program behind data/truncated.json (run by make-fixtures.rb with
# `ruby --disable-gems`, from a temporary directory). make-fixtures.rb keeps
# only the start of the dump and cuts its last line inside a string value, as
# when the process dies while writing.
require 'objspace'
ObjectSpace.trace_object_allocations_start

$kept = []
200.times { |i| $kept << "request body #{i} " * 3 }
50.times { |i| $kept << { id: i, name: "user #{i}" } }

GC.start
File.open(ARGV.fetch(0), 'w') { |io| ObjectSpace.dump_all(output: io) }
