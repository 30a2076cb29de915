# main.rb: the program behind the dumps in tests/modern/, run by
# tests/ruby/make-modern-fixtures.rb under every Ruby it has (the WebAssembly
# builds through tests/ruby/wasm/run.mjs, which loads this file as
# /app/main.rb; the native Ruby with --disable-gems, compiled under the same
# name). Every file of the program is known to Ruby as /app/NAME.rb.
#
# ENV: SCENARIO_OUT, the directory to write to; SCENARIO, one of
#   leaks     five dumps (d1.json .. d5.json) of the planted leaks below
#   compact   three dumps, GC.compact between each two (native Ruby only)
#   utf8      one dump (utf8.json) with one object allocated in a file whose
#             name holds the byte 0xFF (native Ruby only)
# and truth.json: what was planted, counted by construction, for the
# generator to check against the dumps and complete.
require 'objspace'
ObjectSpace.trace_object_allocations_start

OUT = ENV.fetch('SCENARIO_OUT')
SCENARIO = ENV.fetch('SCENARIO', 'leaks')
WASM = RUBY_PLATFORM.include?('wasi')
APP = WASM ? '/app' : '.'
GC_COUNTS = []

def load_app(name)
  if WASM
    load "/app/#{name}"
  else
    path = "/app/#{name}"
    RubyVM::InstructionSequence.compile(File.binread(name), path, path, 1).eval
  end
end

require 'set'

# Every dump is taken after a full GC; GC.count is noted just before.
def dump(name)
  GC.start
  GC_COUNTS << GC.count
  File.open("#{OUT}/#{name}", 'w') { |f| ObjectSpace.dump_all(output: f) }
end

# -- what the truth file says (written after the last dump) ---------------------

def site_line(file, site)
  lines = File.readlines(File.join(APP, file))
  index = lines.index { |l| l.end_with?("# site: #{site}\n") } or raise "no site #{site} in #{file}"
  index + 1
end

def address_of(obj)
  ObjectSpace.dump(obj)[/"address":"(0x\h+)"/, 1]
end

def shape_of(obj)
  text = ObjectSpace.dump(obj)
  { 'shape_id' => text[/"shape_id":(\d+)/, 1]&.to_i, 'too_complex' => text.include?('"too_complex_shape":true') }
end

# One planted site: TYPE objects allocated at FILE:LINE, RETAINED of them
# retained over dumps 1, 2, 3 and over all the dumps, LIVE alive in each dump.
def site(name, scenario, type, klass, file, line, retained:, live:, holder:, **extra)
  { 'site' => name, 'scenario' => scenario, 'type' => type, 'class' => klass,
    'file' => file, 'line' => line, 'retained_3' => retained[0], 'retained_all' => retained[1],
    'live' => live, 'holder' => holder }.merge(extra.transform_keys(&:to_s))
end

def app_site(name, scenario, type, klass, file, **rest)
  site(name, scenario, type, klass, "/app/#{file}", site_line(file, name), **rest)
end

def holder(name, obj, description, holds)
  { 'holder' => name, 'address' => address_of(obj), 'type' => ObjectSpace.dump(obj)[/"type":"([A-Z]+)"/, 1],
    'file' => ObjectSpace.allocation_sourcefile(obj), 'line' => ObjectSpace.allocation_sourceline(obj),
    'description' => description, 'holds_3' => holds[0], 'holds_all' => holds[1] }
end

def write_truth(truth)
  require 'json'
  truth = { 'ruby_version' => RUBY_VERSION, 'ruby_description' => RUBY_DESCRIPTION,
            'ruby_platform' => RUBY_PLATFORM, 'scenario' => SCENARIO,
            'gc_count_at_dump' => GC_COUNTS }.merge(truth)
  File.write("#{OUT}/truth.json", JSON.generate(truth))
end

# -- the five dumps of planted leaks ----------------------------------------------

def leaks
  %w[reuse.rb closures.rb accounts.rb shapes.rb memo.rb spike.rb misc.rb].each { |f| load_app(f) }
  # Each planting line runs once before dump 1 (what it plants is dropped), so
  # that its call caches are old: then only what is planted is new at it.
  [Reuse, Closures, Accounts, Shapes, Spike, Misc].each(&:warm_up)

  # The IMEMO fields objects that taking object_ids makes (Ruby 4.0), counted
  # as they are made.
  imemo_fields = -> { ObjectSpace.count_imemo_objects[:imemo_fields].to_i }
  float_on_heap = !(1.5 * 1).equal?(1.5 * 1)

  # Before dump 1.
  Reuse.fill_old(Reuse::OLD)
  Accounts.archive(Accounts::ARCHIVED)
  Memo.remember(Memo::STEP)
  dump('d1.json')

  # Between dump 1 and dump 2.
  Reuse.old.clear
  GC.start
  Reuse.fill_fresh(Reuse::FRESH)
  Reuse.fill_transient(Reuse::TRANSIENT)
  Closures.leak(Closures::COUNT)
  Accounts.signup(Accounts::LEAKED)
  Accounts.visit(Accounts::TEMPORARY, Accounts::TEMPORARY_WITH_ID)
  GC.start
  n = imemo_fields.call
  Accounts.take_ids(Accounts::WITH_ID)
  email_fields = imemo_fields.call - n
  n = imemo_fields.call
  Accounts.take_old_id(Accounts::DIRECTORY.name)
  name_fields = imemo_fields.call - n
  Shapes.vary(Shapes::WIDE)
  Shapes.remove
  Memo.remember(Memo::STEP)
  Spike.allocate(Spike::SIZE)
  Misc.plant(%w[dynamic_symbol_0 dynamic_symbol_1 dynamic_symbol_2])
  dump('d2.json')

  # Between dump 2 and dump 3.
  Reuse.transient.clear
  GC.start
  Reuse.fill_refill(Reuse::TRANSIENT)
  Memo.remember(Memo::STEP)
  dump('d3.json')

  # Between dump 3 and dump 4.
  Spike.release
  Memo.remember(Memo::STEP)
  dump('d4.json')

  # Between dump 4 and dump 5.
  Memo.remember(Memo::STEP)
  dump('d5.json')

  write_truth(leaks_truth(float_on_heap, email_fields, name_fields))
end

def leaks_truth(float_on_heap, email_fields, name_fields)
  fresh = Reuse::FRESH
  tran = Reuse::TRANSIENT
  closures = Closures::COUNT
  leaked = Accounts::LEAKED
  archived = Accounts::ARCHIVED
  kept_wide = Shapes::KEPT.count { |o| o.is_a?(Wide) }
  step = Memo::STEP
  spike = Spike::SIZE
  floats = float_on_heap ? leaked : 0
  set = Misc::SETS.first
  set_hash = set.instance_variable_get(:@hash) if set.instance_variable_defined?(:@hash)
  sites = [
    app_site('reuse_old', 'slot reuse', 'STRING', 'String', 'reuse.rb',
             retained: [0, 0], live: [Reuse::OLD, 0, 0, 0, 0], holder: 'Reuse @old'),
    app_site('reuse_fresh', 'slot reuse', 'STRING', 'String', 'reuse.rb',
             retained: [fresh, fresh], live: [0] + [fresh] * 4, holder: 'Reuse @fresh'),
    app_site('reuse_transient', 'slot reuse', 'STRING', 'String', 'reuse.rb',
             retained: [0, 0], live: [0, tran, 0, 0, 0], holder: 'Reuse @transient'),
    app_site('reuse_refill', 'slot reuse', 'STRING', 'String', 'reuse.rb',
             retained: [0, 0], live: [0, 0, tran, tran, tran], holder: 'Reuse @refill'),
    app_site('closure_label', 'closure leak', 'STRING', 'String', 'closures.rb',
             retained: [closures, closures], live: [0] + [closures] * 4, holder: 'Closures::HANDLERS'),
    app_site('closure_data', 'closure leak', 'ARRAY', 'Array', 'closures.rb',
             retained: [closures, closures], live: [0] + [closures] * 4, holder: 'Closures::HANDLERS'),
    app_site('closure_proc', 'closure leak', 'DATA', 'Proc', 'closures.rb',
             retained: [closures, closures], live: [0] + [closures] * 4, holder: 'Closures::HANDLERS',
             struct: 'proc'),
    app_site('closure_proc', 'closure leak', 'IMEMO', nil, 'closures.rb',
             retained: [closures, closures], live: [0] + [closures] * 4, holder: 'Closures::HANDLERS',
             imemo_type: 'env'),
    app_site('account_leaked', 'ivars', 'OBJECT', 'Account', 'accounts.rb',
             retained: [leaked, leaked], live: [0] + [leaked] * 4, holder: 'Accounts::DIRECTORY @active'),
    app_site('account_email', 'ivars', 'STRING', 'String', 'accounts.rb',
             retained: [leaked, leaked], live: [archived] + [archived + leaked] * 4,
             holder: 'Accounts::DIRECTORY @active (an Account @email)'),
    app_site('account_tags', 'ivars', 'ARRAY', 'Array', 'accounts.rb',
             retained: [leaked, leaked], live: [archived] + [archived + leaked] * 4,
             holder: 'Accounts::DIRECTORY @active (an Account @tags)'),
    app_site('account_score', 'ivars', 'FLOAT', 'Float', 'accounts.rb',
             retained: [floats, floats],
             live: [float_on_heap ? archived : 0] + [float_on_heap ? archived + leaked : 0] * 4,
             holder: 'Accounts::DIRECTORY @active (an Account @score)', float_on_heap: float_on_heap),
    app_site('account_archived', 'object_id', 'OBJECT', 'Account', 'accounts.rb',
             retained: [0, 0], live: [archived] * 5, holder: 'Accounts::DIRECTORY @archived',
             object_id_taken: archived),
    app_site('account_temporary', 'object_id', 'OBJECT', 'Account', 'accounts.rb',
             retained: [0, 0], live: [0] * 5, holder: nil, object_id_taken: Accounts::TEMPORARY_WITH_ID),
    app_site('id_email', 'object_id', 'IMEMO', nil, 'accounts.rb',
             retained: [email_fields, email_fields], live: [0] + [email_fields] * 4,
             holder: 'the email string whose object_id was taken', imemo_type: 'fields',
             object_id_taken: Accounts::WITH_ID),
    app_site('id_old_name', 'object_id', 'IMEMO', nil, 'accounts.rb',
             retained: [name_fields, name_fields], live: [0] + [name_fields] * 4,
             holder: 'Accounts::DIRECTORY @name (a string from before dump 1)', imemo_type: 'fields',
             object_id_taken: 1),
    app_site('wide', 'ivars', 'OBJECT', 'Wide', 'shapes.rb',
             retained: [kept_wide, kept_wide], live: [0] + [kept_wide] * 4, holder: 'Shapes::KEPT'),
    app_site('profile', 'ivars', 'OBJECT', 'Profile', 'shapes.rb',
             retained: [1, 1], live: [0] + [1] * 4, holder: 'Shapes::KEPT'),
    app_site('memo', 'steady leak', 'STRING', 'String', 'memo.rb',
             retained: [step, step], live: (1..5).map { |k| k * step }, holder: 'Memo @@memo'),
    app_site('spike', 'spike', 'STRING', 'String', 'spike.rb',
             retained: [spike, 0], live: [0, spike, spike, 0, 0], holder: 'Spike::BATCH'),
    app_site('symbol', 'dynamic symbol', 'SYMBOL', 'Symbol', 'misc.rb',
             retained: [3, 3], live: [0] + [3] * 4, holder: 'Misc::SYMBOLS'),
    app_site('symbol', 'dynamic symbol', 'STRING', 'String', 'misc.rb',
             retained: [3, 3], live: [0] + [3] * 4, holder: 'the dynamic symbol made of it', fstring: true),
    app_site('chilled', 'chilled string', 'STRING', 'String', 'misc.rb',
             retained: [4, 4], live: [0] + [4] * 4, holder: 'Misc::CHILLED',
             chilled: RUBY_VERSION >= '3.4'),
  ]
  set_type = ObjectSpace.dump(set)[/"type":"([A-Z]+)"/, 1]
  sites << site('set', 'Set', set_type, 'Set', ObjectSpace.allocation_sourcefile(set),
                ObjectSpace.allocation_sourceline(set), retained: [1, 1], live: [0] + [1] * 4,
                holder: 'Misc::SETS', struct: set_type == 'DATA' ? 'set' : nil)
  if set_hash
    sites << site('set', 'Set', 'HASH', 'Hash', ObjectSpace.allocation_sourcefile(set_hash),
                  ObjectSpace.allocation_sourceline(set_hash), retained: [1, 1], live: [0] + [1] * 4,
                  holder: 'a Set @hash')
  end

  directory = Accounts::DIRECTORY
  active_holds = leaked * 3 + floats + email_fields
  holders = [
    holder('Reuse @fresh', Reuse.fresh, 'an Array in an instance variable of module Reuse', [fresh, fresh]),
    holder('Closures::HANDLERS', Closures::HANDLERS, 'an Array in a constant: procs, their envs, what they captured',
           [closures * 4, closures * 4]),
    holder('Accounts::DIRECTORY @active', directory.active,
           'an Array in @active of a Directory in a constant: accounts, their emails, tags and scores',
           [active_holds, active_holds]),
    holder('Shapes::KEPT', Shapes::KEPT, 'an Array in a constant', [kept_wide + 1, kept_wide + 1]),
    holder('Memo @@memo', Memo.table, 'a Hash in a class variable, STEP more strings in every interval',
           [step, step]),
    holder('Spike::BATCH', Spike::BATCH, 'an Array in a constant, emptied between dump 3 and dump 4', [spike, 0]),
    holder('Misc::CHILLED', Misc::CHILLED, 'an Array in a constant', [4, 4]),
  ]

  ivar_objects = []
  shapes = Hash.new(0)
  directory.active.each { |a| shapes[shape_of(a)['shape_id']] += 1 }
  ivar_objects << { 'what' => 'Account (leaked, accounts.rb account_leaked)', 'count' => leaked,
                    'ivars' => directory.active.first.instance_variables.map(&:to_s),
                    'shape_ids' => shapes.map { |id, count| { 'shape_id' => id, 'count' => count } },
                    'with_object_id' => Accounts::WITH_ID }
  ivar_objects << { 'what' => 'Directory (Accounts::DIRECTORY, the holder of the leaked accounts)', 'count' => 1,
                    'address' => address_of(directory), 'ivars' => directory.instance_variables.map(&:to_s) }
                  .merge(shape_of(directory))
  Shapes::KEPT.each do |o|
    ivar_objects << { 'what' => "#{o.class} (Shapes::KEPT)", 'count' => 1, 'address' => address_of(o),
                      'ivars' => o.instance_variables.map(&:to_s) }.merge(shape_of(o))
  end

  { 'float_on_heap' => float_on_heap, 'sites' => sites, 'holders' => holders, 'ivar_objects' => ivar_objects,
    'object_id_taken' => { 'leaked_accounts' => Accounts::WITH_ID, 'their_emails' => Accounts::WITH_ID,
                           'archived_accounts' => archived, 'old_string' => 1,
                           'temporary_accounts' => Accounts::TEMPORARY_WITH_ID,
                           'temporary_emails' => Accounts::TEMPORARY_WITH_ID } }
end

# -- compaction ----------------------------------------------------------------------

def compact
  load_app('compact.rb')
  Compaction.warm_up
  Compaction.fill_old(Compaction::OLD)
  dump('d1.json')

  old_before = Compaction.addresses(Compaction::KEPT_OLD)
  GC.compact
  old_after = Compaction.addresses(Compaction::KEPT_OLD)
  Compaction.leak(Compaction::LEAKED)
  dump('d2.json')

  leaked_before = Compaction.addresses(Compaction::KEPT_LEAKED)
  old_before2 = Compaction.addresses(Compaction::KEPT_OLD)
  GC.compact
  leaked_after = Compaction.addresses(Compaction::KEPT_LEAKED)
  old_after2 = Compaction.addresses(Compaction::KEPT_OLD)
  dump('d3.json')

  moves = lambda do |before, after|
    before.zip(after).reject { |a, b| a == b }.map { |a, b| { 'from' => format('0x%x', a), 'to' => format('0x%x', b) } }
  end
  n_old = Compaction::OLD
  n_leaked = Compaction::LEAKED
  write_truth(
    'sites' => [
      app_site('compact_leaked', 'compaction', 'OBJECT', 'Leaked', 'compact.rb',
               retained: [n_leaked, n_leaked], live: [0, n_leaked, n_leaked], holder: 'Compaction::KEPT_LEAKED'),
      app_site('compact_old', 'compaction', 'OBJECT', 'Thing', 'compact.rb',
               retained: [0, 0], live: [n_old] * 3, holder: 'Compaction::KEPT_OLD'),
    ],
    'compactions' => [
      { 'between' => [1, 2], 'old_moved' => moves.(old_before, old_after) },
      { 'between' => [2, 3], 'old_moved' => moves.(old_before2, old_after2),
        'leaked_moved' => moves.(leaked_before, leaked_after) },
    ],
  )
end

# -- a file name that is not UTF-8 ---------------------------------------------------

def utf8
  name = "\xFF.rb".b
  load_app(name)
  dump('utf8.json')
  write_truth('sites' => [site('invalid_utf8', 'invalid UTF-8 file name', 'ARRAY', 'Array',
                               "/app/#{name}".b.unpack1('H*'), 1, retained: [1, 1], live: [1],
                               holder: '$invalid_utf8_kept', file_is_hex: true)])
end

case SCENARIO
when 'leaks' then leaks
when 'compact' then compact
when 'utf8' then utf8
else raise "unknown SCENARIO #{SCENARIO}"
end
