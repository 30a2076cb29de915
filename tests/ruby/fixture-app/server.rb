# The simulated service behind data/app-{1,2,3}.json.gz. make-fixtures.rb
# copies this directory to a temporary one and runs, from inside it,
#
#   ruby --disable-gems -e 'eval(File.read("server.rb"), TOPLEVEL_BINDING, "server.rb", 1)'
#
# so that every allocation site is a relative name (app/..., gems/..., lib/...)
# and no absolute path of the machine ends up in the heap (running the file
# directly, or with load, keeps its absolute real path alive).
# It writes app-1.json, app-2.json and app-3.json into the current directory,
# each through a request to the /dump-memory endpoint.
require 'objspace'
ObjectSpace.trace_object_allocations_start

# eval with an explicit file name rather than load: load would also keep the
# absolute real path of every file in the heap.
%w[lib/rackish.rb gems/leaky-1.2.3/lib/leaky.rb app/services/page_cache.rb
   app/models/session.rb app/middleware/audit_log.rb
   app/controllers/products_controller.rb].each do |file|
  eval(File.read(file), TOPLEVEL_BINDING, file, 1)
end

# The usual way to take dumps from a live service: an endpoint mounted with
# URLMap that runs a full GC and writes ObjectSpace.dump_all to a file.
class DumpMemory
  def call(env)
    file = Rackish::Utils.parse_query(env['QUERY_STRING'])['file']
    GC.start
    File.open(file, 'w') { |io| ObjectSpace.dump_all(output: io) }
    [200, { 'content-type' => 'text/plain' }, ["dumped #{file}"]]
  end
end

builder = Rackish::Builder.new
builder.use RequestTimer
builder.use AuditLog
APP = Rackish::URLMap.new('/dump-memory' => DumpMemory.new, '/' => builder.run(Application.new))

RNG = Random.new(20240611)
AGENTS = ['curl/8.1', 'Mozilla/5.0 (X11; Linux x86_64)', 'probe/1.0'].freeze
WORDS = %w[red green blue lamp chair table desk sofa rug shelf].freeze

# One request env, as a server would build it from the socket.
def build_env(n)
  kind = RNG.rand(100)
  path, query =
    if kind < 40 then ["/products/#{RNG.rand(1_000_000)}", "ref=r#{n}"]
    elsif kind < 60 then ['/search', "q=#{WORDS.sample(random: RNG)}+#{WORDS.sample(random: RNG)}"]
    elsif kind < 70 then ['/login', "user=user#{RNG.rand(10_000)}"]
    else ['/health', '']
    end
  env = {
    'REQUEST_METHOD' => kind >= 60 && kind < 70 ? 'POST' : 'GET',
    'PATH_INFO' => path,
    'QUERY_STRING' => query,
    'SERVER_NAME' => 'shop.example',
    'HTTP_USER_AGENT' => AGENTS[n % AGENTS.size].dup,
    'HTTP_ACCEPT' => 'text/html',
    'rack.input' => +'',
    'REQUEST_ID' => format('%08x-%04x', n, RNG.rand(0x10000))
  }
  env['HTTP_X_USER'] = "user#{RNG.rand(10_000)}" if RNG.rand(100) < 20
  env
end

# Requests accepted but not yet served; whatever is queued when a dump is
# taken is alive in that dump only.
$backlog = []
$served = 0

def serve(count)
  count.times do
    env = $backlog.shift || build_env($served)
    status, _headers, body = APP.call(env)
    raise "request failed: #{status}" unless status == 200
    body.each(&:bytesize)
    $served += 1
  end
end

def queue(count)
  count.times { |i| $backlog << build_env(1_000_000 + $served + i) }
end

def take_dump(name)
  status, _h, body = APP.call('REQUEST_METHOD' => 'GET', 'PATH_INFO' => '/dump-memory',
                              'QUERY_STRING' => "file=#{name}")
  raise "dump failed: #{status}" unless status == 200
  $stderr.puts "#{body.first}: served=#{$served} sessions=#{Session.all.size} " \
               "callbacks=#{AuditLog::CALLBACKS.size} cache=#{PageCache::STORE.size} leaky=#{Leaky.count}"
end

serve(300)
queue(200)
take_dump('app-1.json')
serve(700)
queue(200)
take_dump('app-2.json')
serve(700)
queue(200)
take_dump('app-3.json')
