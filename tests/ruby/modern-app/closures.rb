# frozen_string_literal: true

# A closure leak. Each call of make pushes a proc onto a constant; the proc
# keeps its environment (an IMEMO env) alive, and with it the two locals it
# captured, a string and an array.
module Closures
  COUNT = 60
  HANDLERS = []

  def self.leak(n)
    n.times { |i| make(i) }
  end

  def self.make(i)
    label = format('handler-%d', i) # site: closure_label
    data = [i, i + 1] # site: closure_data
    HANDLERS << proc { "#{label}:#{data.sum}" } # site: closure_proc
  end

  def self.warm_up
    leak(1)
    HANDLERS.clear
  end
end
