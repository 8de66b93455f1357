#include "servecommand.h"
#include "protocol/timing.h"

#include "cliusage.h"
#include "serveoptions.h"
#include "signalwatcher.h"

#include "events/eventchannel.h"
#include "events/eventsink.h"
#include "events/jsonlines.h"
#include "server/embeddedserver.h"
#include "thread/networkthread.h"
#include "tls/tlscontext.h"

#include <QCoreApplication>
#include <QTimer>

#include <memory>

namespace sockpit::cli {

namespace {

constexpr int ShutdownGraceMs = timing::ServeShutdownGraceMs;

// `sockpit serve` once its options are read. The server lives on the network thread; this
// thread writes the log, so that encoding JSON never delays a frame, and handles the
// signals. No store: nothing would read it (docs/architecture.md, "Events").
class ServeCommand
{
public:
    explicit ServeCommand(ServeOptions options)
        : m_options(std::move(options))
    { }
    ~ServeCommand();

    int run();

private:
    bool openLog();
    bool startServer(); // false with the reason printed
    void beginShutdown(); // SIGINT or SIGTERM
    void exitWhenIdle(); // on the network thread

    ServeOptions m_options;
    JsonLinesWriter m_writer;
    NullEventSink m_discard; // holds no state: safe from the network thread
    std::unique_ptr<EventChannel> m_channel;
    NetworkThread m_network;
    EmbeddedServer *m_server = nullptr; // lives on the network thread
    bool m_stopping = false; // network thread
    QTimer m_grace;
};

ServeCommand::~ServeCommand()
{
    // Deleting the server closes what is still open and records it; then nothing produces
    // events any more, and what is queued reaches the log before it is closed.
    m_network.run([this] {
        delete m_server;
        m_server = nullptr;
    });
    m_network.stop();
    if (m_channel)
        m_channel->drain();
    m_writer.close();
}

bool ServeCommand::openLog()
{
    if (!m_options.logging)
        return true;
    if (!m_writer.open(m_options.logPath)) {
        printError(QCoreApplication::translate("sockpit::cli", "Cannot open the log %1: %2")
                       .arg(m_options.logPath, m_writer.errorString()));
        return false;
    }
    m_channel = std::make_unique<EventChannel>(&m_writer);
    return true;
}

bool ServeCommand::startServer()
{
    EventSink *sink = m_channel ? static_cast<EventSink *>(m_channel.get()) : &m_discard;
    bool started = false;
    QString error;
    QUrl url;
    QString note;
    QSslCertificate certificate;
    m_network.run([&] {
        m_server = new EmbeddedServer(sink);
        started = m_server->start(m_options.config);
        error = m_server->errorString();
        url = m_server->url();
        note = m_server->note();
        certificate = m_server->localCertificate();
        QObject::connect(m_server, &EmbeddedServer::connectionClosed, m_server,
                         [this] { exitWhenIdle(); });
    });
    if (!started) {
        printError(error);
        return false;
    }
    printStatus(QStringLiteral("listening on %1").arg(url.toString()));
    if (!note.isEmpty())
        printStatus(QStringLiteral("note: %1").arg(note));
    if (m_options.config.tls.enabled && m_options.config.tls.selfSigned)
        printStatus(
            QCoreApplication::translate("sockpit::cli", "certificate SHA-256 fingerprint: %1")
                .arg(tls::sha256Fingerprint(certificate)));
    return true;
}

// Closes every connection with 1001 (Going Away, RFC 6455 section 7.4.1) and waits a bounded
// time for the peers' answers; the process then exits 0 with the log complete.
void ServeCommand::beginShutdown()
{
    if (m_grace.isActive())
        return;
    m_grace.start(ShutdownGraceMs);
    m_network.post([this] {
        m_stopping = true;
        m_server->stop(1001, QStringLiteral("server shutting down")); // wire text: English
        exitWhenIdle();
    });
    m_writer.flush();
}

void ServeCommand::exitWhenIdle()
{
    if (m_stopping && m_server->connections().isEmpty())
        QMetaObject::invokeMethod(
            QCoreApplication::instance(), [] { QCoreApplication::exit(ExitSuccess); },
            Qt::QueuedConnection);
}

int ServeCommand::run()
{
    if (!openLog())
        return ExitFailure;
    if (!startServer())
        return ExitFailure;

    SignalWatcher signals;
    m_grace.setSingleShot(true);
    QObject::connect(&m_grace, &QTimer::timeout, [] { QCoreApplication::exit(ExitSuccess); });
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &signals,
                     [this](int) { beginShutdown(); });
    return QCoreApplication::exec();
}

} // namespace

int runServeCommand(const QStringList &arguments)
{
    int exitCode = ExitUsage;
    std::optional<ServeOptions> options = parseServeOptions(arguments, &exitCode);
    if (!options)
        return exitCode;
    ServeCommand command(std::move(*options));
    return command.run();
}

} // namespace sockpit::cli
