#include "serverhost.h"

#include "thread/networkthread.h"

#include <QSet>
#include <QTimer>

namespace sockpit {

// The network thread's half: owns the server, reports to the host with queued calls.
class ServerHost::Agent : public QObject
{
public:
    Agent(ServerHost *owner, EventSink *sink)
        : m_host(owner)
        , server(sink)
    {
        m_counters.setSingleShot(true);
        m_counters.setInterval(CountersIntervalMs);
        connect(&m_counters, &QTimer::timeout, this, &Agent::reportCounters);
        connect(&server, &EmbeddedServer::started, this, [this] { reportState(); });
        connect(&server, &EmbeddedServer::stopped, this, [this] { reportState(); });
        connect(&server, &EmbeddedServer::failed, this, [this](const QString &message) {
            const Snapshot state = snapshot();
            toHost([state, message](ServerHost *host) {
                host->apply(state);
                Q_EMIT host->failed(message);
            });
        });
        connect(&server, &EmbeddedServer::connectionOpened, this, [this](qint64 id) {
            if (const std::optional<ConnectionInfo> info = server.connection(id))
                toHost([info = *info](ServerHost *host) { host->onOpened(info); });
        });
        connect(&server, &EmbeddedServer::connectionChanged, this, [this](qint64 id) {
            m_changed.insert(id);
            if (!m_counters.isActive())
                m_counters.start();
        });
        connect(&server, &EmbeddedServer::connectionClosed, this, [this](qint64 id) {
            m_changed.remove(id);
            toHost([id](ServerHost *host) { host->onClosed(id); });
        });
    }

    Snapshot snapshot() const
    {
        Snapshot s;
        s.listening = server.isListening();
        s.url = server.url();
        s.errorString = server.errorString();
        s.note = server.note();
        s.addresses = server.addresses();
        s.config = server.config();
        s.certificate = server.localCertificate();
        return s;
    }

    void reportState()
    {
        const Snapshot state = snapshot();
        const bool listening = state.listening;
        const QUrl url = state.url;
        toHost([state, listening, url](ServerHost *host) {
            host->apply(state);
            if (listening)
                Q_EMIT host->started(url);
            else
                Q_EMIT host->stopped();
        });
    }

    void reportCounters()
    {
        QList<ConnectionInfo> infos;
        for (const qint64 id : std::as_const(m_changed)) {
            if (const std::optional<ConnectionInfo> info = server.connection(id))
                infos.append(*info);
        }
        m_changed.clear();
        if (!infos.isEmpty())
            toHost([infos](ServerHost *host) { host->onChanged(infos); });
    }

    void toHost(std::function<void(ServerHost *)> call) { queueTo(m_host, std::move(call)); }

private:
    ServerHost *m_host;

public:
    EmbeddedServer server;

private:
    QSet<qint64> m_changed;
    QTimer m_counters;
};

ServerHost::ServerHost(NetworkThread *network, EventSink *sink, QObject *parent)
    : QObject(parent)
    , m_network(network)
{
    m_network->run([this, sink] { m_agent = new Agent(this, sink); });
}

ServerHost::~ServerHost()
{
    // Deleting the server closes what is open (recorded into the sink) on its own thread;
    // the queued reports still on their way die with this object.
    m_network->run([this] {
        delete m_agent;
        m_agent = nullptr;
    });
}

void ServerHost::post(std::function<void(EmbeddedServer &)> work)
{
    Agent *agent = m_agent;
    m_network->post([agent, work = std::move(work)] { work(agent->server); });
}

void ServerHost::withServer(const std::function<void(EmbeddedServer &)> &work)
{
    m_network->run([this, &work] { work(m_agent->server); });
}

void ServerHost::start(const ServerConfig &config)
{
    m_starting = true;
    m_errorString.clear();
    post([config](EmbeddedServer &server) { server.start(config); });
}

void ServerHost::stop(int code, const QString &reason)
{
    post([code, reason](EmbeddedServer &server) { server.stop(code, reason); });
}

void ServerHost::setMode(ServerMode mode)
{
    m_config.mode = mode;
    post([mode](EmbeddedServer &server) { server.setMode(mode); });
}

void ServerHost::setReplyTemplate(const QString &replyTemplate)
{
    m_config.replyTemplate = replyTemplate;
    post([replyTemplate](EmbeddedServer &server) { server.setReplyTemplate(replyTemplate); });
}

QList<ConnectionInfo> ServerHost::connections() const
{
    return m_connections;
}

std::optional<ConnectionInfo> ServerHost::connection(qint64 id) const
{
    for (const ConnectionInfo &info : m_connections) {
        if (info.id == id)
            return info;
    }
    return std::nullopt;
}

bool ServerHost::sendText(qint64 id, const QString &text)
{
    post([id, text](EmbeddedServer &server) { server.sendText(id, text); });
    return connection(id).has_value();
}

bool ServerHost::sendBinary(qint64 id, const QByteArray &data)
{
    post([id, data](EmbeddedServer &server) { server.sendBinary(id, data); });
    return connection(id).has_value();
}

bool ServerHost::ping(qint64 id, const QByteArray &payload)
{
    post([id, payload](EmbeddedServer &server) { server.ping(id, payload); });
    return connection(id).has_value();
}

int ServerHost::broadcastText(const QString &text)
{
    post([text](EmbeddedServer &server) { server.broadcastText(text); });
    return int(m_connections.size());
}

int ServerHost::broadcastBinary(const QByteArray &data)
{
    post([data](EmbeddedServer &server) { server.broadcastBinary(data); });
    return int(m_connections.size());
}

bool ServerHost::closeConnection(qint64 id, int code, const QString &reason)
{
    post([id, code, reason](EmbeddedServer &server) { server.closeConnection(id, code, reason); });
    return connection(id).has_value();
}

void ServerHost::closeAll(int code, const QString &reason)
{
    post([code, reason](EmbeddedServer &server) { server.closeAll(code, reason); });
}

void ServerHost::apply(const Snapshot &snapshot)
{
    m_starting = false;
    m_listening = snapshot.listening;
    m_url = snapshot.url;
    m_errorString = snapshot.errorString;
    m_note = snapshot.note;
    m_addresses = snapshot.addresses;
    m_config = snapshot.config;
    m_certificate = snapshot.certificate;
}

void ServerHost::onOpened(const ConnectionInfo &info)
{
    m_connections.append(info);
    Q_EMIT connectionOpened(info.id);
}

void ServerHost::onChanged(const QList<ConnectionInfo> &infos)
{
    for (const ConnectionInfo &info : infos) {
        for (ConnectionInfo &held : m_connections) {
            if (held.id == info.id) {
                held = info;
                Q_EMIT connectionChanged(info.id);
                break;
            }
        }
    }
}

void ServerHost::onClosed(qint64 id)
{
    m_connections.removeIf([id](const ConnectionInfo &info) { return info.id == id; });
    Q_EMIT connectionClosed(id);
}

} // namespace sockpit
