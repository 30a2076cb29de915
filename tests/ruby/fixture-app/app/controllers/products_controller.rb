# Request handlers. They allocate plenty of short-lived objects.
class ProductsController
  def show(env, params)
    id = env['PATH_INFO'].split('/').last
    PageCache.fetch(env) do
      rows = Array.new(8) { |i| { 'id' => id, 'n' => i, 'label' => "item #{id}-#{i}" } }
      rows.map { |r| "<li>#{r['label']}</li>" }.join("\n")
    end
  end

  def search(env, params)
    q = params['q'].to_s
    Leaky.instrument('search', path: env['PATH_INFO']) do
      words = q.split(' ').map(&:downcase)
      FragmentCache.fetch(words.first.to_s) { words.map { |w| w * 3 }.join(',') }
    end
  end

  def login(env, params)
    session = Session.start(params['user'].to_s, env['HTTP_USER_AGENT'].to_s)
    "welcome #{session.user}"
  end
end

class Application
  def initialize
    @products = ProductsController.new
  end

  def call(env)
    params = Rackish::Utils.parse_query(env['QUERY_STRING'])
    body =
      case env['PATH_INFO']
      when %r{\A/products/\d+\z} then @products.show(env, params)
      when '/search' then @products.search(env, params)
      when '/login' then @products.login(env, params)
      when '/health' then 'ok'
      else return [404, { 'content-type' => 'text/plain' }, ['not found']]
      end
    [200, { 'content-type' => 'text/html', 'content-length' => body.bytesize.to_s }, [body]]
  end
end
