# An unbounded cache of rendered pages, keyed by the full request path (leak a).
module PageCache
  STORE = {}

  def self.fetch(env)
    key = "#{env['PATH_INFO']}?#{env['QUERY_STRING']}"
    STORE[key] ||= yield
  end
end

# A bounded cache of the same kind, for contrast: it churns but does not grow.
module FragmentCache
  LIMIT = 64
  STORE = {}

  def self.fetch(key)
    return STORE[key] if STORE.key?(key)
    STORE.shift if STORE.size >= LIMIT
    STORE[key] = yield
  end
end
