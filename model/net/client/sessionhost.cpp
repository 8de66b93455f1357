#include "sessionhost.h"

#include "thread/networkthread.h"

namespace sockpit {

// The network thread's half: owns the session, reports to the host with queued calls.
class SessionHost::Agent : public QObject
{
public:
    Agent(SessionHost *owner, EventSink *sink)
        : m_host(owner)
        , session(sink)
    {
        // Each report carries the state as it is when the signal fires, so that the host's
        // copy is never older than the signal it emits.
        connect(&session, &ClientSession::stateChanged, this, [this](ClientSession::State) {
            const Snapshot now = snapshot();
            toHost([now](SessionHost *host) {
                host->apply(now);
                Q_EMIT host->stateChanged(now.state);
            });
        });
        connect(&session, &ClientSession::opened, this, [this] {
            const Snapshot now = snapshot();
            toHost([now](SessionHost *host) {
                host->apply(now);
                Q_EMIT host->opened();
            });
        });
        connect(&session, &ClientSession::closed, this,
                [this](int code, const QString &reason, CloseInitiator initiator) {
                    const Snapshot now = snapshot();
                    toHost([now, code, reason, initiator](SessionHost *host) {
                        host->apply(now);
                        Q_EMIT host->closed(code, reason, initiator);
                    });
                });
        connect(&session, &ClientSession::failed, this,
                [this](const QString &errorId, const QString &sentence) {
                    const Snapshot now = snapshot();
                    toHost([now, errorId, sentence](SessionHost *host) {
                        host->apply(now);
                        Q_EMIT host->failed(errorId, sentence);
                    });
                });
        connect(&session, &ClientSession::protocolFailure, this,
                [this](const QString &errorId, const QString &sentence) {
                    toHost([errorId, sentence](SessionHost *host) {
                        Q_EMIT host->protocolFailure(errorId, sentence);
                    });
                });
    }

    Snapshot snapshot() const
    {
        Snapshot s;
        s.state = session.state();
        s.connectionId = session.connectionId();
        s.subprotocol = session.negotiatedSubprotocol();
        s.localPort = session.localPort();
        return s;
    }

    void toHost(std::function<void(SessionHost *)> call) { queueTo(m_host, std::move(call)); }

private:
    SessionHost *m_host;

public:
    ClientSession session;
};

SessionHost::SessionHost(NetworkThread *network, EventSink *sink, QObject *parent)
    : QObject(parent)
    , m_network(network)
{
    m_network->run([this, sink] { m_agent = new Agent(this, sink); });
}

SessionHost::~SessionHost()
{
    m_network->run([this] {
        delete m_agent;
        m_agent = nullptr;
    });
}

void SessionHost::post(std::function<void(ClientSession &)> work)
{
    Agent *agent = m_agent;
    m_network->post([agent, work = std::move(work)] { work(agent->session); });
}

void SessionHost::withSession(const std::function<void(ClientSession &)> &work)
{
    m_network->run([this, &work] { work(m_agent->session); });
}

void SessionHost::open(const ClientConfig &config)
{
    m_config = config;
    m_subprotocol.clear();
    m_localPort = 0;
    if (m_state != State::Connecting) {
        m_state = State::Connecting;
        Q_EMIT stateChanged(m_state);
    }
    post([config](ClientSession &session) { session.open(config); });
}

bool SessionHost::sendText(const QString &text)
{
    post([text](ClientSession &session) { session.sendText(text); });
    return m_state == State::Open;
}

bool SessionHost::sendBinary(const QByteArray &data)
{
    post([data](ClientSession &session) { session.sendBinary(data); });
    return m_state == State::Open;
}

bool SessionHost::ping(const QByteArray &payload)
{
    post([payload](ClientSession &session) { session.ping(payload); });
    return m_state == State::Open;
}

void SessionHost::close(int code, const QString &reason)
{
    post([code, reason](ClientSession &session) { session.close(code, reason); });
}

void SessionHost::abort()
{
    post([](ClientSession &session) { session.abort(); });
}

void SessionHost::apply(const Snapshot &snapshot)
{
    m_state = snapshot.state;
    m_connectionId = snapshot.connectionId;
    m_subprotocol = snapshot.subprotocol;
    m_localPort = snapshot.localPort;
}

} // namespace sockpit
