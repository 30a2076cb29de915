# identity-diff.rb: classic-diff.rb with object identity instead of address
# alone, as an oracle for heapsift's default report.
#
#   ruby identity-diff.rb FIRST SECOND THIRD
#
# Identity, per object: (address, generation) when the line has a
# "generation" (allocation tracing was on when it was allocated), else
# (address, type). Input, grouping, order and output are as in classic-diff.rb.
require_relative 'classic-diff'

IDENTITY = lambda do |obj|
  [ClassicDiff.address(obj), obj.key?('generation') ? obj['generation'] : obj['type']]
end

ClassicDiff.main(ARGV, IDENTITY)
