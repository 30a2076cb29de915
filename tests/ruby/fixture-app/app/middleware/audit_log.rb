# Middleware that registers a callback per request "to flush later" and never
# flushes: each proc keeps the request's locals alive through its env (leak b).
class AuditLog
  CALLBACKS = []

  def initialize(app)
    @app = app
  end

  def call(env)
    user = env['HTTP_X_USER'].to_s.dup
    trail = "#{env['REQUEST_METHOD']} #{env['PATH_INFO']} by #{user}"
    status, headers, body = @app.call(env)
    CALLBACKS << proc { "#{trail} -> #{status}" } if user != ''
    [status, headers, body]
  end
end

# Harmless middleware that allocates per request and keeps nothing.
class RequestTimer
  def initialize(app)
    @app = app
  end

  def call(env)
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    status, headers, body = @app.call(env)
    headers = headers.merge('x-runtime' => format('%.6f', Process.clock_gettime(Process::CLOCK_MONOTONIC) - started))
    [status, headers, body]
  end
end
