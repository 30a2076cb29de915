# frozen_string_literal: true

# A spike: a batch of strings allocated between dump 1 and dump 2, released
# between dump 3 and dump 4.
module Spike
  SIZE = 250
  BATCH = []

  def self.allocate(n)
    n.times { |i| BATCH << format('spike-%d', i) } # site: spike
  end

  def self.release
    BATCH.clear
  end

  def self.warm_up
    allocate(1)
    release
  end
end
