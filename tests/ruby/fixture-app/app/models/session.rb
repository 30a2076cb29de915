# Sessions registered in a class-level array and never removed (leak c).
class Session
  @all = []

  class << self
    attr_reader :all

    def start(user, agent)
      session = new(user, agent)
      @all << session
      session
    end
  end

  attr_reader :user, :agent, :token

  def initialize(user, agent)
    @user = user
    @agent = agent
    @token = "tok-#{user}-#{object_id.to_s(16)}"
    @started_at = Time.now
  end
end
