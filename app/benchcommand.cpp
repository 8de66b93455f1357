#include "benchcommand.h"

#include "cliusage.h"
#include "signalwatcher.h"

#include "client/clientsession.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace sockpit::cli {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("sockpit::cli", text);
}

// Every flag has a ceiling, so a typo cannot start an unbounded load.
constexpr int MaxConnections = 1000;
constexpr qint64 MaxMessages = 10'000'000;
constexpr qint64 MaxSize = qint64(16) * 1024 * 1024;
constexpr double MaxDuration = 3600;

struct Worker
{
    std::unique_ptr<ClientSession> session;
    qint64 sent = 0;
    qint64 received = 0;
    bool done = false;
    bool failed = false;
    QElapsedTimer inFlight;
};

double percentile(const std::vector<double> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto index = std::size_t(p / 100.0 * double(sorted.size() - 1) + 0.5);
    return sorted[std::min(index, sorted.size() - 1)];
}

bool parseBounded(const QCommandLineParser &parser, const QCommandLineOption &option, double min,
                  double max, double *value)
{
    if (!parser.isSet(option))
        return true;
    bool ok = false;
    const double parsed = parser.value(option).toDouble(&ok);
    if (!ok || parsed < min || parsed > max) {
        printError(tr("--%1: expected a number from %2 to %3.")
                       .arg(option.names().first())
                       .arg(min)
                       .arg(max));
        return false;
    }
    *value = parsed;
    return true;
}

} // namespace

int runBenchCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Load generator: N connections each send a text message of SIZE bytes, wait for "
           "any reply (the round trip is one latency sample) and repeat, until M messages "
           "per connection or the duration is over. Prints a JSON summary to stdout.\n"
           "Exit codes: 0 when every connection opened, 1 otherwise, 2 on usage errors."));
    const QCommandLineOption helpOption = commandHelpOption();
    parser.addOption(helpOption);
    parser.addPositionalArgument(QStringLiteral("URL"),
                                 tr("ws:// or wss:// URL of an echo server"));
    const QCommandLineOption connectionsOption(
        QStringLiteral("connections"), tr("Parallel connections (default 1, at most 1000)."),
        tr("N"));
    const QCommandLineOption messagesOption(QStringLiteral("messages"),
                                            tr("Messages per connection (default 100)."), tr("M"));
    const QCommandLineOption sizeOption(QStringLiteral("size"),
                                        tr("Message size in bytes (default 32)."), tr("BYTES"));
    const QCommandLineOption durationOption(
        QStringLiteral("duration"), tr("Stop after this long (default 10)."), tr("SECONDS"));
    const QCommandLineOption insecureOption(QStringLiteral("insecure"),
                                            tr("Ignore certificate errors."));
    parser.addOptions(
        {connectionsOption, messagesOption, sizeOption, durationOption, insecureOption});
    QStringList argv = arguments;
    argv.prepend(QStringLiteral("sockpit bench"));
    if (!parser.parse(argv)) {
        printError(parser.errorText());
        return ExitUsage;
    }
    if (parser.isSet(helpOption)) {
        printCommandHelp(parser, QStringLiteral("sockpit bench [options] URL"));
        return ExitSuccess;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(tr("bench needs exactly one URL (see 'sockpit bench --help')."));
        return ExitUsage;
    }
    double connections = 1;
    double messages = 100;
    double size = 32;
    double duration = 10;
    if (!parseBounded(parser, connectionsOption, 1, MaxConnections, &connections)
        || !parseBounded(parser, messagesOption, 1, double(MaxMessages), &messages)
        || !parseBounded(parser, sizeOption, 0, double(MaxSize), &size)
        || !parseBounded(parser, durationOption, 0.1, MaxDuration, &duration))
        return ExitUsage;

    ClientConfig config;
    config.url = QUrl(parser.positionalArguments().first(), QUrl::StrictMode);
    config.wireTap = false; // measure the server, not the tap
    config.connectTimeoutMs = int(std::min(duration, 15.0) * 1000);
    config.tls.ignoreCertificateErrors = parser.isSet(insecureOption);
    const QString payload(qsizetype(size), QLatin1Char('x'));
    const qint64 perConnection = qint64(messages);

    QObject context;
    SignalWatcher signals_;
    std::vector<Worker> workers(static_cast<std::size_t>(connections));
    std::vector<double> latencies;
    latencies.reserve(std::size_t(std::min<double>(connections * messages, 1e7)));
    QElapsedTimer clock;
    QTimer deadline;
    deadline.setSingleShot(true);
    bool usageError = false;
    int finished = 0;

    auto checkAllDone = [&] {
        if (finished == int(workers.size()))
            QCoreApplication::quit();
    };
    auto finish = [&](Worker &worker) {
        if (worker.done)
            return;
        worker.done = true;
        ++finished;
        if (worker.session->state() == ClientSession::State::Open)
            worker.session->close(1000, QString());
        checkAllDone();
    };
    auto sendNext = [&](Worker &worker) {
        if (worker.sent >= perConnection) {
            finish(worker);
            return;
        }
        ++worker.sent;
        worker.inFlight.start();
        worker.session->sendText(payload);
    };

    for (Worker &worker : workers) {
        worker.session = std::make_unique<ClientSession>(nullptr);
        ClientSession *session = worker.session.get();
        Worker *w = &worker;
        QObject::connect(session, &ClientSession::opened, &context, [&, w] {
            if (!clock.isValid())
                clock.start();
            sendNext(*w);
        });
        auto onReply = [&, w] {
            if (w->done || !w->inFlight.isValid())
                return;
            latencies.push_back(double(w->inFlight.nsecsElapsed()) / 1e6);
            w->inFlight.invalidate();
            ++w->received;
            sendNext(*w);
        };
        QObject::connect(session, &ClientSession::textReceived, &context, onReply);
        QObject::connect(session, &ClientSession::binaryReceived, &context, onReply);
        QObject::connect(session, &ClientSession::failed, &context,
                         [&, w](const QString &id, const QString &sentence) {
                             if (!w->failed)
                                 printError(sentence);
                             w->failed = true;
                             usageError = usageError || id == QLatin1StringView("bad-url");
                             finish(*w);
                         });
        QObject::connect(session, &ClientSession::closed, &context,
                         [&, w](int, const QString &, CloseInitiator) { finish(*w); });
    }
    QObject::connect(&deadline, &QTimer::timeout, &context, [&] {
        for (Worker &worker : workers)
            finish(worker);
        QCoreApplication::quit();
    });
    QObject::connect(&signals_, &SignalWatcher::terminationRequested, &context,
                     [&](int) { deadline.start(0); });

    QTimer::singleShot(0, &context, [&] {
        deadline.start(int(duration * 1000));
        for (Worker &worker : workers)
            worker.session->open(config);
    });
    QCoreApplication::exec();
    const double elapsedSeconds = clock.isValid() ? double(clock.nsecsElapsed()) / 1e9 : 0.0;

    // Let the close frames go out before the sessions are destroyed (bounded).
    QTimer grace;
    grace.setSingleShot(true);
    QObject::connect(&grace, &QTimer::timeout, &context, [] { QCoreApplication::quit(); });
    grace.start(200);
    QCoreApplication::exec();

    if (usageError)
        return ExitUsage;
    qint64 sent = 0;
    qint64 received = 0;
    int failedConnections = 0;
    for (const Worker &worker : workers) {
        sent += worker.sent;
        received += worker.received;
        failedConnections += worker.failed ? 1 : 0;
    }
    std::sort(latencies.begin(), latencies.end());
    double mean = 0;
    for (double value : latencies)
        mean += value;
    if (!latencies.empty())
        mean /= double(latencies.size());

    QJsonObject latency{
        {QStringLiteral("min"), latencies.empty() ? 0.0 : latencies.front()},
        {QStringLiteral("mean"), mean},
        {QStringLiteral("p50"), percentile(latencies, 50)},
        {QStringLiteral("p90"), percentile(latencies, 90)},
        {QStringLiteral("p99"), percentile(latencies, 99)},
        {QStringLiteral("max"), latencies.empty() ? 0.0 : latencies.back()},
    };
    QJsonObject summary{
        {QStringLiteral("url"), config.url.toString()},
        {QStringLiteral("connections"), int(workers.size())},
        {QStringLiteral("failedConnections"), failedConnections},
        {QStringLiteral("messagesPerConnection"), perConnection},
        {QStringLiteral("size"), qint64(size)},
        {QStringLiteral("sent"), sent},
        {QStringLiteral("received"), received},
        {QStringLiteral("durationSeconds"), elapsedSeconds},
        {QStringLiteral("messagesPerSecond"),
         elapsedSeconds > 0 ? double(received) / elapsedSeconds : 0.0},
        {QStringLiteral("latencyMs"), latency},
    };
    std::printf("%s\n", QJsonDocument(summary).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    return failedConnections > 0 ? ExitFailure : ExitSuccess;
}

} // namespace sockpit::cli
