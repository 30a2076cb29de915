# frozen_string_literal: true

# Compaction (native Ruby only: the WebAssembly builds cannot compact). Old
# things, one kept in three, live from before dump 1; GC.compact between dump
# 1 and dump 2 moves some of them. Leaked objects, one kept in three, are
# allocated after that compaction; GC.compact between dump 2 and dump 3
# moves some of them.
class Thing
  def initialize(i)
    @i = i
  end
end

class Leaked
  def initialize(i)
    @i = i
  end
end

module Compaction
  OLD = 1000
  LEAKED = 300
  KEPT_OLD = []
  KEPT_LEAKED = []

  def self.fill_old(n)
    (3 * n).times do |i|
      thing = Thing.new(i) # site: compact_old
      KEPT_OLD << thing if (i % 3).zero?
    end
  end

  def self.leak(n)
    (3 * n).times do |i|
      leaked = Leaked.new(i) # site: compact_leaked
      KEPT_LEAKED << leaked if (i % 3).zero?
    end
  end

  # Each object's address, from ObjectSpace.dump, as an Integer (keeping no
  # string alive).
  def self.addresses(objects)
    objects.map { |o| ObjectSpace.dump(o)[/"address":"0x(\h+)"/, 1].hex }
  end

  def self.warm_up
    fill_old(1)
    leak(1)
    addresses(KEPT_OLD)
    KEPT_OLD.clear
    KEPT_LEAKED.clear
  end
end
