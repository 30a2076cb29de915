# frozen_string_literal: true
#
# heapsift.rb - take heap dumps of a running Ruby process for heapsift(1).
#
# Shipped with heapsift, installed as $(datadir)/heapsift/heapsift.rb
# (/usr/local/share/heapsift/heapsift.rb by default). Copy it into the
# application (lib/heapsift.rb, say) and require it there: it needs nothing
# but Ruby's own libraries, and works on Ruby 2.7 to 4.0. See heapsift-ruby(7).
#
#   Heapsift.start_tracing
#     Turns on allocation tracing (ObjectSpace.trace_object_allocations_start)
#     once: every object allocated from then on records its file, line, method
#     and GC generation. Objects allocated before it never do, so call it as
#     early as possible (at boot). Tracing costs CPU and memory.
#
#   Heapsift.dump(dir, trace: false, gzip: false) -> path
#     Runs a full GC and writes ObjectSpace.dump_all into DIR (made, mode 0700,
#     if missing) as heap-YYYYMMDD-HHMMSS.mmm-PID.json (UTC, the time the dump
#     began), or .json.gz with gzip: true. The dump is written to a hidden
#     temporary file (.heap-PID.json.XXXXXXXX.tmp, which neither heapsift nor a
#     *.json glob picks up), fsynced, then renamed and the directory fsynced:
#     a reader never sees a partial dump under the final name. The file is
#     mode 0600. With gzip: true the plain dump is compressed after it is
#     written, so DIR needs room for both for a moment. trace: true calls
#     start_tracing first (which only helps the dumps after this one). One
#     dump at a time per process: a second caller waits. Raises on failure,
#     and leaves no temporary file behind.
#
#   Heapsift::Endpoint.new(dir, token: ENV['HEAPSIFT_TOKEN'], min_interval: 60,
#                          gzip: false, trace: false)
#     A Rack application (mount it with Rack::URLMap at /dump-memory) that
#     takes one dump into DIR per authorised request. It answers:
#       403  to every request when no token is configured (nil or empty);
#       404  to a path below the mount point;
#       405  to any method but POST (with "allow: POST");
#       401  when "Authorization: Bearer TOKEN" is missing or wrong (the
#            comparison takes the same time whatever the token sent);
#       429  while a dump is being written in this process, or when the last
#            dump through this endpoint began less than min_interval seconds
#            ago (with "retry-after: SECONDS");
#       500  when the dump fails (the message is logged to rack.errors);
#       200  "NAME BYTES\n": the dump's file name (in DIR) and size.
#     Nothing from the request chooses the file's name or directory. trace:
#     true calls Heapsift.start_tracing when the endpoint is built.
#
#   Heapsift.every(seconds, dir:, keep:, trace: false, gzip: false) -> thread
#     A background thread that calls Heapsift.dump(dir) every SECONDS (the
#     first one SECONDS after the call) and deletes the dumps it wrote itself
#     beyond the newest KEEP; other files in DIR are never touched. A failed
#     dump is reported with warn and the thread carries on. thread.stop ends
#     it (waiting for a dump under way) and returns the thread; thread.value
#     is then the list of the dumps it kept, oldest first.

require 'objspace'
require 'fileutils'

module Heapsift
  # Held while a dump is written: at most one at a time per process, whoever
  # asks (Heapsift.dump, the endpoint or an every thread).
  LOCK = Mutex.new
  private_constant :LOCK

  @tracing = false

  class << self
    def start_tracing
      LOCK.synchronize { start_tracing_locked }
      true
    end

    def dump(dir, trace: false, gzip: false)
      LOCK.synchronize { dump_locked(dir, trace: trace, gzip: gzip) }
    end

    def every(seconds, dir:, keep:, trace: false, gzip: false)
      unless seconds.is_a?(Numeric) && seconds > 0
        raise ArgumentError, "seconds must be a positive number, not #{seconds.inspect}"
      end
      unless keep.is_a?(Integer) && keep >= 1
        raise ArgumentError, "keep must be a positive Integer, not #{keep.inspect}"
      end
      Every.new(seconds, File.expand_path(dir), keep, trace, gzip).thread
    end

    private

    # The caller holds LOCK (the endpoint takes it with try_lock).
    def dump_locked(dir, trace:, gzip:)
      start_tracing_locked if trace
      dir = File.expand_path(dir)
      FileUtils.mkdir_p(dir, mode: 0o700)
      started = Time.now.utc
      GC.start
      plain = write_temporary(dir, 'json') { |io| ObjectSpace.dump_all(output: io) }
      packed = nil
      begin
        packed = write_temporary(dir, 'json.gz') { |io| compress(plain, io) } if gzip
        final = final_name(dir, started, gzip ? 'json.gz' : 'json')
        File.rename(packed || plain, final)
        packed = nil
        plain = nil unless gzip
        fsync_directory(dir)
        final
      ensure
        remove_quietly(plain)
        remove_quietly(packed)
      end
    end

    def start_tracing_locked
      return if @tracing
      ObjectSpace.trace_object_allocations_start
      @tracing = true
    end

    # Creates a hidden file that no glob for dumps matches (O_EXCL: never an
    # existing file, never through a link planted in a shared directory),
    # writes it through the block, closes it (Ruby 2.7's dump_all writes
    # through a stdio stream that only close flushes) and fsyncs it. Returns
    # its path; on failure removes it and raises.
    def write_temporary(dir, extension)
      path, io = create_temporary(dir, extension)
      begin
        begin
          restrict(io)
          yield io
        ensure
          io.close
        end
        File.open(path, File::WRONLY, &:fsync)
      rescue StandardError, ScriptError
        remove_quietly(path)
        raise
      end
      path
    end

    # 0600 whatever the umask (which can only take bits away from the mode
    # the file was created with); a platform without chmod keeps that mode.
    def restrict(io)
      io.chmod(0o600)
    rescue Errno::ENOSYS, Errno::ENOTSUP, NotImplementedError
      nil
    end

    def create_temporary(dir, extension)
      10.times do
        path = File.join(dir, format('.heap-%d.%s.%08x.tmp', Process.pid, extension, rand(1 << 32)))
        begin
          return [path, File.open(path, File::WRONLY | File::CREAT | File::EXCL, 0o600)]
        rescue Errno::EEXIST
          next
        end
      end
      raise Errno::EEXIST, "#{dir}: no free temporary name"
    end

    def remove_quietly(path)
      File.unlink(path) if path
    rescue SystemCallError
      nil
    end

    def compress(plain, io)
      require 'zlib'
      gz = Zlib::GzipWriter.new(io)
      File.open(plain, 'rb') do |src|
        buffer = String.new(capacity: 1 << 20)
        gz.write(buffer) while src.read(1 << 20, buffer)
      end
      gz.finish
    end

    # One process writes one dump at a time, so the PID and the millisecond
    # make the name unique; a name already taken (by another process of the
    # same PID, on a shared volume) moves on to the next millisecond.
    def final_name(dir, time, extension)
      loop do
        name = format('heap-%s.%03d-%d.%s', time.strftime('%Y%m%d-%H%M%S'), time.usec / 1000,
                      Process.pid, extension)
        path = File.join(dir, name)
        return path unless File.exist?(path)
        time += Rational(1, 1000)
      end
    end

    # Makes the rename durable. Platforms that cannot fsync a directory
    # (or open one) keep the rename without it.
    def fsync_directory(dir)
      File.open(dir, File::RDONLY, &:fsync)
    rescue Errno::EINVAL, Errno::EBADF, Errno::EACCES, Errno::EISDIR, Errno::ENOTSUP, NotImplementedError
      nil
    end
  end

  # The thread behind Heapsift.every.
  class Every # :nodoc:
    attr_reader :thread

    def initialize(seconds, dir, keep, trace, gzip)
      @seconds = seconds
      @dir = dir
      @keep = keep
      @trace = trace
      @gzip = gzip
      @lock = Mutex.new
      @wake = ConditionVariable.new
      @stopping = false
      @thread = Thread.new { run }
      @thread.name = 'heapsift-every'
      every = self
      @thread.define_singleton_method(:stop) { every.stop }
    end

    def stop
      @lock.synchronize do
        @stopping = true
        @wake.signal
      end
      @thread.join unless Thread.current == @thread
      @thread
    end

    private

    def run
      written = []
      while wait
        begin
          written << Heapsift.dump(@dir, trace: @trace, gzip: @gzip)
        rescue StandardError, ScriptError => e
          warn "heapsift: dump into #{@dir} failed: #{e.class}: #{e.message}"
        end
        written.shift(written.size - @keep).each { |old| remove(old) } if written.size > @keep
      end
      written
    end

    # Sleeps SECONDS, or less when stopped; false once stopped.
    def wait
      @lock.synchronize do
        deadline = now + @seconds
        until @stopping
          left = deadline - now
          break if left <= 0
          @wake.wait(@lock, left)
        end
        !@stopping
      end
    end

    def remove(path)
      File.unlink(path)
    rescue Errno::ENOENT
      nil
    rescue SystemCallError => e
      warn "heapsift: cannot remove the old dump #{path}: #{e.message}"
    end

    def now
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end

  # The Rack application: see the top of this file.
  class Endpoint
    TEXT = 'text/plain; charset=utf-8'
    private_constant :TEXT

    def initialize(dir, token: ENV['HEAPSIFT_TOKEN'], min_interval: 60, gzip: false, trace: false)
      unless min_interval.is_a?(Numeric) && min_interval >= 0
        raise ArgumentError, "min_interval must be a number of seconds, not #{min_interval.inspect}"
      end
      require 'digest'
      @dir = File.expand_path(dir)
      token = token.to_s.strip
      @token_digest = token.empty? ? nil : Digest::SHA256.digest(token)
      @min_interval = min_interval
      @gzip = gzip
      @last_start = nil # monotonic time the last dump through here began
      Heapsift.start_tracing if trace
    end

    def call(env)
      response = respond(env)
      response[2] = [] if env['REQUEST_METHOD'] == 'HEAD'
      response
    end

    private

    def respond(env)
      return answer(403, "no token is configured: set HEAPSIFT_TOKEN and restart\n") unless @token_digest
      return answer(404, "not found\n") unless ['', '/'].include?(env['PATH_INFO'].to_s)
      return answer(405, "POST only\n", 'allow' => 'POST') unless env['REQUEST_METHOD'] == 'POST'
      unless authorised?(env['HTTP_AUTHORIZATION'])
        return answer(401, "missing or wrong token\n", 'www-authenticate' => 'Bearer realm="heapsift"')
      end
      unless LOCK.try_lock
        return answer(429, "a dump is being written: try again later\n", 'retry-after' => [wait, 1].max.to_s)
      end
      begin
        if wait > 0
          return answer(429, "the last dump began less than #{@min_interval} s ago\n", 'retry-after' => wait.to_s)
        end
        @last_start = now
        take_dump(env)
      ensure
        LOCK.unlock
      end
    end

    def take_dump(env)
      path = Heapsift.__send__(:dump_locked, @dir, trace: false, gzip: @gzip)
      answer(200, "#{File.basename(path)} #{File.size(path)}\n")
    rescue StandardError, ScriptError => e
      message = "heapsift: dump failed: #{e.class}: #{e.message}"
      errors = env['rack.errors']
      errors.puts(message) if errors.respond_to?(:puts)
      answer(500, "#{message}\n")
    end

    # Whole seconds until min_interval has passed since the last dump began
    # (0 when it has).
    def wait
      return 0 unless @last_start
      left = @min_interval - (now - @last_start)
      left > 0 ? left.ceil : 0
    end

    def authorised?(header)
      match = /\ABearer[ \t]+([^ \t]+)[ \t]*\z/i.match(header.to_s)
      # Digests of equal length: the comparison's time says nothing of the
      # token's length or of where the one sent differs.
      sent = Digest::SHA256.digest(match ? match[1] : '')
      same = if defined?(::Rack::Utils) && ::Rack::Utils.respond_to?(:secure_compare)
               ::Rack::Utils.secure_compare(sent, @token_digest)
             else
               difference = 0
               sent.bytes.zip(@token_digest.bytes) { |a, b| difference |= a ^ b }
               difference.zero?
             end
      same && !match.nil?
    end

    def answer(status, text, headers = {})
      [status,
       { 'content-type' => TEXT, 'content-length' => text.bytesize.to_s, 'cache-control' => 'no-store' }.merge(headers),
       [text]]
    end

    def now
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end
end
