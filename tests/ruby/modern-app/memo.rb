# frozen_string_literal: true

# A steady leak: a memo table (a class variable) that gains STEP strings in
# every interval and never loses one.
module Memo
  STEP = 40
  @@memo = {}
  @@next = 0

  def self.remember(n)
    n.times do
      @@memo[@@next] = format('memo-%d', @@next) # site: memo
      @@next += 1
    end
  end

  def self.table
    @@memo
  end
end
