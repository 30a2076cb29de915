# frozen_string_literal: true

# Objects with several instance variables. Accounts signed up between dump 1
# and dump 2 stay in the directory's @active array: each keeps its email
# string, its tags array and (where Floats are heap objects, as on 32-bit
# WebAssembly) its score. Accounts of visits are garbage. object_id is taken
# on some leaked accounts and their emails, on some garbage ones, on old
# archived accounts (before dump 1) and on an old string.
class Account
  attr_reader :id, :email

  def initialize(id, owner)
    @id = id
    @email = format('user%d@example.test', id) # site: account_email
    @tags = %i[new unverified] # site: account_tags
    @owner = owner
    @score = id * 1.5 # site: account_score
  end
end

class Directory
  attr_reader :name, :owner, :active, :archived

  def initialize(name)
    @name = name
    @owner = Object.new
    @active = []
    @archived = []
  end
end

module Accounts
  LEAKED = 80
  TEMPORARY = 120
  WITH_ID = 30
  TEMPORARY_WITH_ID = 40
  ARCHIVED = 20
  DIRECTORY = Directory.new('main directory'.dup)
  IDS = []

  def self.archive(n)
    n.times do |i|
      account = Account.new(-1 - i, DIRECTORY.owner) # site: account_archived
      IDS << account.object_id
      DIRECTORY.archived << account
    end
  end

  def self.signup(n)
    n.times { |i| DIRECTORY.active << Account.new(i, DIRECTORY.owner) } # site: account_leaked
  end

  def self.visit(n, with_id)
    n.times do |i|
      account = Account.new(1000 + i, DIRECTORY.owner) # site: account_temporary
      next unless i < with_id

      IDS << account.object_id
      IDS << account.email.object_id
    end
  end

  # On the first n active accounts (by index: a slice of the array would turn
  # its buffer into a shared array object).
  def self.take_ids(n)
    n.times do |i|
      account = DIRECTORY.active[i]
      IDS << account.object_id # site: id_account
      IDS << account.email.object_id # site: id_email
    end
  end

  def self.take_old_id(string)
    IDS << string.object_id # site: id_old_name
  end

  def self.warm_up
    signup(1)
    visit(1, 1)
    take_ids(1)
    take_old_id(+'warm-up')
    DIRECTORY.active.clear
    IDS.clear
  end
end
