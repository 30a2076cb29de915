# frozen_string_literal: true

# Slot reuse. The strings of @old live until dump 1 and are freed after it;
# the strings of @fresh, allocated next, take their slots: in dump 2 they sit
# at addresses that dump 1 gave to other objects, so matching on the address
# alone takes them for old objects and misses them. The strings of
# @transient are alive in dump 2 only; the strings of @refill, allocated after
# dump 2, take their slots, so matching on the address alone takes the
# transient strings for survivors. All four have seven characters, so that
# every Ruby puts them in slots of one size.
module Reuse
  OLD = 3000
  FRESH = 300
  TRANSIENT = 200

  # The holders: allocated before dump 1, alive to the end.
  @old = []
  @fresh = []
  @transient = []
  @refill = []

  class << self
    attr_reader :old, :fresh, :transient, :refill

    def fill_old(n)
      n.times { |i| @old << format('old%04d', i) } # site: reuse_old
    end

    def fill_fresh(n)
      n.times { |i| @fresh << format('new%04d', i) } # site: reuse_fresh
    end

    def fill_transient(n)
      n.times { |i| @transient << format('tmp%04d', i) } # site: reuse_transient
    end

    def fill_refill(n)
      n.times { |i| @refill << format('ref%04d', i) } # site: reuse_refill
    end

    def warm_up
      fill_old(1)
      fill_fresh(1)
      fill_transient(1)
      fill_refill(1)
      [@old, @fresh, @transient, @refill].each(&:clear)
    end
  end
end
