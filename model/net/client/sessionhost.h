#pragma once

#include "client/clientconfig.h"
#include "client/clientsession.h"

#include <QObject>
#include <QString>

#include <functional>

namespace sockpit {

class EventSink;
class NetworkThread;

// A client session living on the network thread, as the window's thread sees it (the
// client tabs). The ClientSession, its sockets, its wire tap and Qt's engine stay on the
// network thread; every call here is queued to it and returns at once, and what the tab
// reads (the state, the connection id, the subprotocol, the local port) is a copy kept up
// to date by queued calls back. Messages are not signalled across: the tab shows them from
// the log, where the session records each one.
//
// The sink must be safe to call from the network thread (the window's EventChannel). Both
// must outlive the host; ~SessionHost deletes the session on the network thread and waits.
class SessionHost : public QObject
{
    Q_OBJECT
public:
    using State = ClientSession::State;

    SessionHost(NetworkThread *network, EventSink *sink, QObject *parent = nullptr);
    ~SessionHost() override;

    // Starts connecting: the state is Connecting at once (the network thread then reports
    // how it went). Failures arrive as failed() and an error event, as with ClientSession.
    void open(const ClientConfig &config);

    State state() const { return m_state; }
    qint64 connectionId() const { return m_connectionId; }
    QString negotiatedSubprotocol() const { return m_subprotocol; }
    quint16 localPort() const { return m_localPort; }
    const ClientConfig &config() const { return m_config; }

    // Each returns whether the session is open as far as this thread knows.
    bool sendText(const QString &text);
    bool sendBinary(const QByteArray &data);
    bool ping(const QByteArray &payload = QByteArray());
    void close(int code = 1000, const QString &reason = QString());
    void abort();

    // Runs `work` with the session on the network thread and waits (tests).
    void withSession(const std::function<void(ClientSession &)> &work);

Q_SIGNALS:
    void stateChanged(sockpit::ClientSession::State state);
    void opened();
    void closed(int code, const QString &reason, sockpit::CloseInitiator initiator);
    void failed(const QString &errorId, const QString &sentence);
    void protocolFailure(const QString &errorId, const QString &sentence);

private:
    struct Snapshot
    {
        State state = State::Idle;
        qint64 connectionId = 0;
        QString subprotocol;
        quint16 localPort = 0;
    };
    class Agent;

    void apply(const Snapshot &snapshot);
    void post(std::function<void(ClientSession &)> work);

    NetworkThread *m_network;
    Agent *m_agent = nullptr; // lives on the network thread
    State m_state = State::Idle;
    qint64 m_connectionId = 0;
    QString m_subprotocol;
    quint16 m_localPort = 0;
    ClientConfig m_config;
};

} // namespace sockpit
