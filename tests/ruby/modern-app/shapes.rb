# frozen_string_literal: true

# Shapes. Wide objects get four instance variables, picked and ordered
# differently from one object to the next: after a few variations Ruby 3.2+
# gives up on shapes for the class and stores the variables of later ones in
# a table (a "too complex" shape). A Profile loses one of its variables to
# remove_instance_variable. Every other Wide object and the Profile are kept.
class Wide
end

class Profile
  def initialize
    @name = 1
    @plan = 2
    @seats = 3
  end
end

module Shapes
  WIDE = 24
  KEPT = []
  # Four of six names, in WIDE different orders.
  ORDERS = %i[@alpha @beta @gamma @delta @epsilon @zeta].permutation(4).first(WIDE).freeze

  def self.vary(n)
    n.times do |k|
      wide = Wide.new # site: wide
      ORDERS[k].each_with_index { |name, v| wide.instance_variable_set(name, v) }
      KEPT << wide if k.odd?
    end
  end

  def self.remove
    profile = Profile.new # site: profile
    profile.remove_instance_variable(:@plan)
    KEPT << profile
  end

  def self.warm_up
    vary(1)
    remove
    KEPT.clear
  end
end
