#include "connectcommand.h"
#include "protocol/timing.h"

#include "cliusage.h"
#include "signalwatcher.h"

#include "client/clientsession.h"
#include "events/eventsink.h"
#include "events/jsonlines.h"
#include "protocol/closecodes.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QSocketNotifier>
#include <QStringBuilder>
#include <QTimer>

#include <cstdio>
#include <unistd.h>

namespace sockpit::cli {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("sockpit::cli", text);
}

constexpr int QuietMs = timing::ConnectQuietMs;
// A QByteArray holds at most about 2 GiB, and a message is held whole.
constexpr qint64 MaxMessageSizeLimit = qint64(1) << 30;
constexpr int MaxDrainMs = timing::ConnectDrainMs;

struct Outgoing
{
    bool binary = false;
    QByteArray data;
};

// QCommandLineParser keeps each option's values but not the order between options, and the
// sends must go out in the order given: read them from the raw arguments.
bool collectSends(const QStringList &arguments, QList<Outgoing> *sends, QString *error)
{
    static const QStringList kinds = {QStringLiteral("send"), QStringLiteral("send-hex"),
                                      QStringLiteral("send-base64"), QStringLiteral("send-file")};
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (!argument.startsWith(QLatin1StringView("--")))
            continue;
        QString name = argument.mid(2);
        QString value;
        const qsizetype equals = name.indexOf(QLatin1Char('='));
        if (equals >= 0) {
            value = name.mid(equals + 1);
            name = name.left(equals);
        } else if (kinds.contains(name)) {
            if (i + 1 >= arguments.size())
                return false; // the parser reports the missing value
            value = arguments.at(++i);
        } else {
            // Skip the value of other options that take one, so it is not read as a flag.
            static const QStringList withValue
                = {QStringLiteral("header"), QStringLiteral("subprotocol"),
                   QStringLiteral("origin"), QStringLiteral("frame-size"),
                   QStringLiteral("expect"), QStringLiteral("timeout"),
                   QStringLiteral("close"),  QStringLiteral("ca"),
                   QStringLiteral("cert"),   QStringLiteral("key"),
                   QStringLiteral("log"),    QStringLiteral("max-message-size")};
            if (withValue.contains(name))
                ++i;
            continue;
        }
        if (!kinds.contains(name))
            continue;
        Outgoing out;
        if (name == QLatin1StringView("send")) {
            out.data = value.toUtf8();
        } else if (name == QLatin1StringView("send-hex")) {
            const QByteArray hex = value.toLatin1().replace(' ', QByteArray());
            out.binary = true;
            out.data = QByteArray::fromHex(hex);
            if (hex.size() % 2 != 0 || out.data.toHex() != hex.toLower()) {
                *error = tr("--send-hex: \"%1\" is not hexadecimal.").arg(value);
                return false;
            }
        } else if (name == QLatin1StringView("send-base64")) {
            const auto decoded = QByteArray::fromBase64Encoding(
                value.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded) {
                *error = tr("--send-base64: \"%1\" is not base64.").arg(value);
                return false;
            }
            out.binary = true;
            out.data = *decoded;
        } else {
            QFile file(value);
            if (!file.open(QIODevice::ReadOnly)) {
                *error = tr("--send-file: cannot read \"%1\": %2.").arg(value, file.errorString());
                return false;
            }
            out.binary = true;
            out.data = file.readAll();
        }
        sends->append(out);
    }
    return true;
}

void printLine(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
}

QString describeClose(int code, const QString &reason)
{
    const QString name = protocol::closeCodeInfo(code).name;
    QString text = tr("closed %1 (%2)").arg(code).arg(name);
    if (!reason.isEmpty())
        text += QStringLiteral(": ") + reason;
    return text;
}

// connect's one sink: the log, when there is one, and a word on stderr when certificate
// verification is off (said there too, not only in the log). No store: nothing reads it.
class ConnectEventSink final : public EventSink
{
public:
    explicit ConnectEventSink(JsonLinesWriter *log)
        : m_log(log)
    { }

    void record(Event event) override
    {
        if (event.kind == EventKind::Error
            && event.errorId == QLatin1StringView("tls-verification-disabled"))
            printStatus(event.error);
        if (m_log)
            m_log->record(std::move(event));
    }

private:
    JsonLinesWriter *m_log;
};

} // namespace

int runConnectCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Open one WebSocket connection without a window (like wscat -c).\n"
           "Received text messages are printed to stdout, one a line (binary as hex); status "
           "lines go to stderr.\n"
           "When it ends: with --expect N, after N received messages; with --stdin, when "
           "standard input ends; otherwise when the server closes, on SIGINT/SIGTERM (close "
           "1001), or when --timeout elapses (then it closes with --close and exits 0).\n"
           "Exit codes: 0 after a closing handshake, 1 on a connection, handshake or TLS "
           "failure, an abnormal end (1006), a connection the client failed because the server "
           "broke the protocol (1002, 1007) or sent a message over --max-message-size (1009), "
           "or --expect not met in time, 2 on usage errors."));
    const QCommandLineOption helpOption = commandHelpOption();
    parser.addOption(helpOption);
    parser.addPositionalArgument(QStringLiteral("URL"), tr("ws:// or wss:// URL"));
    const QCommandLineOption headerOption(
        QStringLiteral("header"), tr("Extra request header (repeatable)."), tr("Name: value"));
    const QCommandLineOption subprotocolOption(
        QStringLiteral("subprotocol"), tr("Requested subprotocol (repeatable)."), tr("NAME"));
    const QCommandLineOption originOption(QStringLiteral("origin"), tr("Origin header."),
                                          tr("ORIGIN"));
    const QCommandLineOption sendOption(QStringLiteral("send"),
                                        tr("Text message sent once open (repeatable, in order)."),
                                        tr("TEXT"));
    const QCommandLineOption sendHexOption(
        QStringLiteral("send-hex"), tr("Binary message given as hex (repeatable)."), tr("HEX"));
    const QCommandLineOption sendBase64Option(QStringLiteral("send-base64"),
                                              tr("Binary message given as base64 (repeatable)."),
                                              tr("BASE64"));
    const QCommandLineOption sendFileOption(QStringLiteral("send-file"),
                                            tr("Binary message read from a file (repeatable)."),
                                            tr("FILE"));
    const QCommandLineOption stdinOption(QStringLiteral("stdin"),
                                         tr("Send each line of standard input as text; close "
                                            "at its end."));
    const QCommandLineOption frameSizeOption(QStringLiteral("frame-size"),
                                             tr("Outgoing frame size: longer messages are "
                                                "fragmented."),
                                             tr("BYTES"));
    const QCommandLineOption expectOption(QStringLiteral("expect"),
                                          tr("Close after N messages received."), tr("N"));
    const QCommandLineOption timeoutOption(QStringLiteral("timeout"),
                                           tr("Connect timeout, and how long to stay open."),
                                           tr("SECONDS"));
    const QCommandLineOption closeOption(
        QStringLiteral("close"), tr("How to close when done (default 1000)."), tr("CODE[:REASON]"));
    const QCommandLineOption caOption(QStringLiteral("ca"), tr("Trust this CA file (PEM)."),
                                      tr("FILE"));
    const QCommandLineOption certOption(QStringLiteral("cert"),
                                        tr("Client certificate (mutual TLS)."), tr("FILE"));
    const QCommandLineOption keyOption(QStringLiteral("key"), tr("Client private key."),
                                       tr("FILE"));
    const QCommandLineOption insecureOption(QStringLiteral("insecure"),
                                            tr("Ignore certificate errors (logged)."));
    const QCommandLineOption logOption(QStringLiteral("log"),
                                       tr("JSON Lines event log; \"-\" is stdout."), tr("FILE"));
    const QCommandLineOption maxMessageSizeOption(
        QStringLiteral("max-message-size"),
        tr("Largest message accepted from the server, in bytes (default 16777216, 16 MiB); a "
           "larger one closes the connection with 1009."),
        tr("BYTES"));
    parser.addOptions({headerOption, subprotocolOption, originOption, sendOption, sendHexOption,
                       sendBase64Option, sendFileOption, stdinOption, frameSizeOption, expectOption,
                       timeoutOption, closeOption, caOption, certOption, keyOption, insecureOption,
                       logOption, maxMessageSizeOption});

    QStringList argv = arguments;
    argv.prepend(QStringLiteral("sockpit connect"));
    if (!parser.parse(argv)) {
        printError(parser.errorText());
        return ExitUsage;
    }
    if (parser.isSet(helpOption)) {
        printCommandHelp(parser, QStringLiteral("sockpit connect [options] URL"));
        return ExitSuccess;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1) {
        printError(tr("connect needs exactly one URL (see 'sockpit connect --help')."));
        return ExitUsage;
    }

    ClientConfig config;
    config.url = QUrl(positional.first(), QUrl::StrictMode);
    for (const QString &header : parser.values(headerOption)) {
        const qsizetype colon = header.indexOf(QLatin1Char(':'));
        if (colon <= 0) {
            printError(tr("--header \"%1\": expected \"Name: value\".").arg(header));
            return ExitUsage;
        }
        config.headers.append(qMakePair(header.left(colon).trimmed().toUtf8(),
                                        header.mid(colon + 1).trimmed().toUtf8()));
    }
    config.subprotocols = parser.values(subprotocolOption);
    config.origin = parser.value(originOption);
    bool ok = true;
    if (parser.isSet(frameSizeOption)) {
        config.frameSize = parser.value(frameSizeOption).toLongLong(&ok);
        if (!ok || config.frameSize <= 0) {
            printError(tr("--frame-size: expected a positive number of bytes."));
            return ExitUsage;
        }
    }
    if (parser.isSet(maxMessageSizeOption)) {
        config.maxMessageSize = parser.value(maxMessageSizeOption).toLongLong(&ok);
        if (!ok || config.maxMessageSize <= 0 || config.maxMessageSize > MaxMessageSizeLimit) {
            printError(tr("--max-message-size: expected a number of bytes from 1 to %1.")
                           .arg(MaxMessageSizeLimit));
            return ExitUsage;
        }
    }
    int expect = -1;
    if (parser.isSet(expectOption)) {
        expect = parser.value(expectOption).toInt(&ok);
        if (!ok || expect < 0) {
            printError(tr("--expect: expected a number of messages."));
            return ExitUsage;
        }
    }
    double timeoutSeconds = 0;
    if (parser.isSet(timeoutOption)) {
        timeoutSeconds = parser.value(timeoutOption).toDouble(&ok);
        if (!ok || timeoutSeconds <= 0 || timeoutSeconds > 86400 * 7) {
            printError(tr("--timeout: expected a positive number of seconds."));
            return ExitUsage;
        }
        config.connectTimeoutMs = int(timeoutSeconds * 1000);
    }
    int closeCode = 1000;
    QString closeReason;
    if (parser.isSet(closeOption)) {
        const QString value = parser.value(closeOption);
        const qsizetype colon = value.indexOf(QLatin1Char(':'));
        closeCode = (colon < 0 ? value : value.left(colon)).toInt(&ok);
        if (colon >= 0)
            closeReason = value.mid(colon + 1);
        if (!ok || !protocol::isSendableCloseCode(closeCode)) {
            printError(tr("--close: %1 is not a close code that may be sent (RFC 6455 section "
                          "7.4).")
                           .arg(value));
            return ExitUsage;
        }
        if (closeReason.toUtf8().size() > 123) {
            printError(tr("--close: the reason must fit in 123 bytes (RFC 6455 section 5.5)."));
            return ExitUsage;
        }
    }
    config.tls.caFile = parser.value(caOption);
    config.tls.certificateFile = parser.value(certOption);
    config.tls.keyFile = parser.value(keyOption);
    config.tls.ignoreCertificateErrors = parser.isSet(insecureOption);

    QList<Outgoing> sends;
    QString sendError;
    if (!collectSends(arguments, &sends, &sendError)) {
        printError(sendError);
        return ExitUsage;
    }
    const bool useStdin = parser.isSet(stdinOption);

    JsonLinesWriter writer;
    if (parser.isSet(logOption)) {
        if (!writer.open(parser.value(logOption))) {
            printError(tr("--log: %1").arg(writer.errorString()));
            return ExitUsage;
        }
    }
    ConnectEventSink sink(writer.isOpen() ? &writer : nullptr);

    QObject context;
    ClientSession session(&sink);
    SignalWatcher signals_;
    QTimer stayTimer;
    stayTimer.setSingleShot(true);
    QTimer quietTimer;
    quietTimer.setSingleShot(true);
    quietTimer.setInterval(QuietMs);
    int exitCode = ExitSuccess;
    int received = 0;
    bool expectUnmet = false;
    bool failedByClient = false; // the client failed the connection (1002, 1007, 1009)
    QSocketNotifier *stdinNotifier = nullptr;
    QByteArray stdinBuffer;

    auto finish = [&](int code) {
        exitCode = code;
        QCoreApplication::exit(code);
    };
    auto closeWhenDone = [&] {
        if (session.state() == ClientSession::State::Open)
            session.close(closeCode, closeReason);
    };

    QObject::connect(&session, &ClientSession::opened, &context, [&] {
        QString status = tr("connected to %1").arg(config.url.toString());
        if (!session.negotiatedSubprotocol().isEmpty())
            status += tr(" (subprotocol %1)").arg(session.negotiatedSubprotocol());
        printStatus(status);
        for (const Outgoing &out : std::as_const(sends)) {
            if (out.binary)
                session.sendBinary(out.data);
            else
                session.sendText(QString::fromUtf8(out.data));
        }
        if (expect == 0) {
            closeWhenDone();
            return;
        }
        if (useStdin) {
            stdinNotifier = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, &context);
            QObject::connect(stdinNotifier, &QSocketNotifier::activated, &context, [&] {
                char chunk[4096];
                const ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
                if (n > 0)
                    stdinBuffer.append(chunk, qsizetype(n));
                qsizetype newline;
                while ((newline = stdinBuffer.indexOf('\n')) >= 0) {
                    QByteArray line = stdinBuffer.left(newline);
                    stdinBuffer.remove(0, newline + 1);
                    if (line.endsWith('\r'))
                        line.chop(1);
                    session.sendText(QString::fromUtf8(line));
                }
                if (n <= 0) {
                    stdinNotifier->setEnabled(false);
                    if (!stdinBuffer.isEmpty())
                        session.sendText(QString::fromUtf8(std::exchange(stdinBuffer, {})));
                    if (expect < 0) {
                        // QWebSocket drops the connection right after its Close frame, so
                        // replies still in flight would be lost: close once the server has
                        // been quiet for a moment (at most a few seconds).
                        quietTimer.start();
                        QTimer::singleShot(MaxDrainMs, &context, closeWhenDone);
                    }
                }
            });
        }
        if (timeoutSeconds > 0) {
            QObject::connect(&stayTimer, &QTimer::timeout, &context, [&] {
                if (expect > 0 && received < expect) {
                    expectUnmet = true;
                    printError(tr("timed out after %1 s with %2 of %3 expected messages")
                                   .arg(timeoutSeconds)
                                   .arg(received)
                                   .arg(expect));
                }
                closeWhenDone();
            });
            stayTimer.start(int(timeoutSeconds * 1000));
        }
    });
    QObject::connect(&quietTimer, &QTimer::timeout, &context, closeWhenDone);
    auto countMessage = [&] {
        ++received;
        if (quietTimer.isActive())
            quietTimer.start();
        if (expect > 0 && received == expect)
            closeWhenDone();
    };
    QObject::connect(&session, &ClientSession::textReceived, &context, [&](const QString &text) {
        printLine(text.toUtf8());
        countMessage();
    });
    QObject::connect(&session, &ClientSession::binaryReceived, &context,
                     [&](const QByteArray &data) {
                         printLine(data.toHex());
                         countMessage();
                     });
    QObject::connect(&session, &ClientSession::protocolFailure, &context,
                     [&](const QString &, const QString &sentence) {
                         printError(sentence);
                         failedByClient = true;
                     });
    QObject::connect(&session, &ClientSession::closed, &context,
                     [&](int code, const QString &reason, CloseInitiator) {
                         printStatus(describeClose(code, reason));
                         finish(code == 1006 || expectUnmet || failedByClient ? ExitFailure
                                                                              : ExitSuccess);
                     });
    QObject::connect(&session, &ClientSession::failed, &context,
                     [&](const QString &id, const QString &sentence) {
                         printError(sentence);
                         finish(id == QLatin1StringView("bad-url") ? ExitUsage : ExitFailure);
                     });
    QObject::connect(&signals_, &SignalWatcher::terminationRequested, &context, [&](int) {
        if (session.state() == ClientSession::State::Open) {
            writer.flush();
            session.close(1001, QStringLiteral("client going away")); // wire text: English
            // A clean close after an interruption is success: closed() exits with 0.
        } else if (session.state() == ClientSession::State::Closing) {
            session.abort();
        } else {
            session.close(); // cancels a pending connection attempt
            finish(ExitSuccess);
        }
    });

    // Start from the event loop, so that an early failure finds the loop running.
    QTimer::singleShot(0, &context, [&] { session.open(config); });
    const int result = QCoreApplication::exec();
    writer.close();
    Q_UNUSED(result);
    return exitCode;
}

} // namespace sockpit::cli
