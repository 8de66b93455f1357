#pragma once

#include "protocol/timing.h"
#include "server/embeddedserver.h"
#include "server/serverconfig.h"

#include <QHash>
#include <QList>
#include <QObject>

#include <QSslCertificate>
#include <QStringList>
#include <QUrl>
#include <functional>

#include <optional>

namespace sockpit {

class EventSink;
class NetworkThread;

// The embedded server living on the network thread, as the window's thread sees it. The
// EmbeddedServer and everything under it (listeners, taps, Qt's engine) stay on the network
// thread; every call here is queued to it and returns at once, and what the window reads
// (listening or not, the URL, the open connections and their counters) is a copy kept up
// to date by queued calls back. Counter changes arrive together, at most every
// `CountersIntervalMs`, not once per message.
//
// The sink must be safe to call from the network thread (an EventChannel to the window's
// store). Both objects must outlive the host; ~ServerHost deletes the server on the network
// thread and waits for it.
class ServerHost : public QObject
{
    Q_OBJECT
public:
    static constexpr int CountersIntervalMs = timing::CountersMs;

    ServerHost(NetworkThread *network, EventSink *sink, QObject *parent = nullptr);
    ~ServerHost() override;

    // Starts listening; started() or failed() follows. Until then isStarting() is true.
    void start(const ServerConfig &config);
    // Closes every connection with (code, reason) and stops listening; stopped() follows.
    void stop(int code = 1001, const QString &reason = QString());

    bool isStarting() const { return m_starting; }
    bool isListening() const { return m_listening; }
    QUrl url() const { return m_url; }
    quint16 port() const { return quint16(m_url.port(0)); }
    QString errorString() const { return m_errorString; }
    QString note() const { return m_note; }
    QStringList addresses() const { return m_addresses; }
    const ServerConfig &config() const { return m_config; }
    QSslCertificate localCertificate() const { return m_certificate; }

    void setMode(ServerMode mode);
    void setReplyTemplate(const QString &replyTemplate);

    // The open connections as last reported, in the order they opened.
    QList<ConnectionInfo> connections() const;
    std::optional<ConnectionInfo> connection(qint64 id) const;

    // Each returns whether the connection (or any, for a broadcast) is open as far as this
    // thread knows; the server records what really went out.
    bool sendText(qint64 id, const QString &text);
    bool sendBinary(qint64 id, const QByteArray &data);
    bool ping(qint64 id, const QByteArray &payload = QByteArray());
    int broadcastText(const QString &text);
    int broadcastBinary(const QByteArray &data);
    bool closeConnection(qint64 id, int code = 1000, const QString &reason = QString());
    void closeAll(int code = 1000, const QString &reason = QString());

    // Runs `work` with the server on the network thread and waits (tests, shutdown).
    void withServer(const std::function<void(EmbeddedServer &)> &work);

Q_SIGNALS:
    void started(const QUrl &url);
    void stopped();
    void failed(const QString &message);
    void connectionOpened(qint64 id);
    void connectionChanged(qint64 id); // counters changed
    void connectionClosed(qint64 id);

private:
    struct Snapshot
    {
        bool listening = false;
        QUrl url;
        QString errorString;
        QString note;
        QStringList addresses;
        ServerConfig config;
        QSslCertificate certificate;
    };
    class Agent;

    void apply(const Snapshot &snapshot);
    void onOpened(const ConnectionInfo &info);
    void onChanged(const QList<ConnectionInfo> &infos);
    void onClosed(qint64 id);
    void post(std::function<void(EmbeddedServer &)> work);

    NetworkThread *m_network;
    Agent *m_agent = nullptr; // lives on the network thread
    bool m_starting = false;
    bool m_listening = false;
    QUrl m_url;
    QString m_errorString;
    QString m_note;
    QStringList m_addresses;
    ServerConfig m_config;
    QSslCertificate m_certificate;
    QList<ConnectionInfo> m_connections;
};

} // namespace sockpit
