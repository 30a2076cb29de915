# Dynamic symbols (with the string each is made of), string literals (chilled
# on Ruby 3.4+) and a Set (an OBJECT holding a Hash up to 3.4, a DATA on 4.0),
# all kept in constants.
module Misc
  SYMBOLS = []
  CHILLED = []
  SETS = []

  def self.plant(names)
    names.each { |name| SYMBOLS << name.to_sym } # site: symbol
    4.times { CHILLED << 'a chilled literal' } # site: chilled
    SETS << Set[1, 2, 3] # site: set
  end

  def self.warm_up
    plant(%w[inspect to_s hash]) # symbols that exist already
    [SYMBOLS, CHILLED, SETS].each(&:clear)
  end
end
