# A tiny Rack look-alike: just enough of Rack's shape (env hashes, middleware
# built around an app, URLMap mounting) for the fixture service.
module Rackish
  class Builder
    def initialize
      @middleware = []
    end

    def use(klass, *args)
      @middleware << [klass, args]
    end

    def run(app)
      @middleware.reverse.inject(app) { |inner, (klass, args)| klass.new(inner, *args) }
    end
  end

  class URLMap
    def initialize(map)
      @map = map.sort_by { |prefix, _| -prefix.size }
    end

    def call(env)
      path = env['PATH_INFO']
      @map.each do |prefix, app|
        next unless path == prefix || path.start_with?(prefix == '/' ? '/' : prefix + '/') || prefix == '/'
        return app.call(env.merge('SCRIPT_NAME' => prefix))
      end
      [404, { 'content-type' => 'text/plain' }, ['not found']]
    end
  end

  module Utils
    def self.parse_query(qs)
      qs.to_s.split('&').each_with_object({}) do |pair, params|
        key, value = pair.split('=', 2)
        params[key] = value.to_s.tr('+', ' ')
      end
    end
  end
end
