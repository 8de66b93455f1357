#include "serveoptions.h"

#include "cliusage.h"

#include "protocol/handshakerequest.h"
#include "server/listenaddress.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>

namespace sockpit::cli {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("sockpit::cli", text);
}

// HOST:PORT, where HOST is "localhost" or an IP address (IPv6 in brackets: "[::1]:0").
bool parseListen(const QString &text, QString *host, quint16 *port, QString *error)
{
    QString hostText;
    QString portText;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || close + 1 >= text.size() || text.at(close + 1) != u':') {
            *error = tr("--listen: expected [IPV6]:PORT, got \"%1\".").arg(text);
            return false;
        }
        hostText = text.mid(1, close - 1);
        portText = text.mid(close + 2);
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon <= 0 || text.left(colon).contains(u':')) {
            *error = tr("--listen: expected HOST:PORT (an IPv6 host in brackets), got \"%1\".")
                         .arg(text);
            return false;
        }
        hostText = text.left(colon);
        portText = text.mid(colon + 1);
    }
    bool ok = false;
    const uint number = portText.toUInt(&ok);
    if (!ok || number > 65535) {
        *error = tr("--listen: \"%1\" is not a port number (0-65535).").arg(portText);
        return false;
    }
    *port = quint16(number);
    const std::optional<ListenHost> listenHost = parseListenHost(hostText);
    if (!listenHost || hostText.isEmpty()) {
        *error = tr("--listen: \"%1\" is not localhost or an IP address.").arg(hostText);
        return false;
    }
    *host = listenHost->name;
    return true;
}

// SECONDS[:CODE[:REASON]]; the reason may itself contain colons.
bool parseCloseAfter(const QString &text, CloseAfter *closeAfter, QString *error)
{
    const QStringList parts = text.split(u':');
    bool ok = false;
    closeAfter->seconds = parts.at(0).toInt(&ok);
    if (!ok || closeAfter->seconds < 0) {
        *error = tr("--close-after: \"%1\" is not a number of seconds.").arg(parts.at(0));
        return false;
    }
    if (parts.size() > 1) {
        closeAfter->code = parts.at(1).toInt(&ok);
        if (!ok || closeAfter->code < 1000 || closeAfter->code > 4999 || closeAfter->code == 1005
            || closeAfter->code == 1006 || closeAfter->code == 1015) {
            *error = tr("--close-after: \"%1\" is not a close code that may be sent.")
                         .arg(parts.at(1));
            return false;
        }
    }
    if (parts.size() > 2)
        closeAfter->reason = parts.mid(2).join(u':');
    if (closeAfter->reason.toUtf8().size() > 123) {
        *error = tr("--close-after: the reason is longer than 123 bytes.");
        return false;
    }
    return true;
}

} // namespace

std::optional<ServeOptions> parseServeOptions(const QStringList &arguments, int *exitCode)
{
    *exitCode = ExitUsage;
    QCommandLineParser parser;
    parser.setApplicationDescription(tr("Run the embedded WebSocket server without a window."));
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    const QCommandLineOption helpOption = commandHelpOption();
    const QCommandLineOption listenOption(
        QStringLiteral("listen"),
        tr("Where to listen (default localhost:8080, that is 127.0.0.1 and ::1; port 0 picks "
           "a free one)."),
        tr("HOST:PORT"), QStringLiteral("localhost:8080"));
    const QCommandLineOption modeOption(QStringLiteral("mode"),
                                        tr("echo, broadcast or silent (default echo)."), tr("MODE"),
                                        QStringLiteral("echo"));
    const QCommandLineOption replyOption(QStringLiteral("reply"),
                                         tr("What is sent back; %m is the received message."),
                                         tr("TEMPLATE"), QStringLiteral("%m"));
    const QCommandLineOption closeAfterOption(QStringLiteral("close-after"),
                                              tr("Close each connection that long after it opens."),
                                              tr("SECONDS[:CODE[:REASON]]"));
    const QCommandLineOption subprotocolOption(
        QStringLiteral("subprotocol"), tr("An accepted subprotocol (repeatable, preferred first)."),
        tr("NAME"));
    const QCommandLineOption originOption(
        QStringLiteral("origin"), tr("An allowed Origin (repeatable); others get HTTP 403."),
        tr("ORIGIN"));
    const QCommandLineOption maxSizeOption(
        QStringLiteral("max-message-size"),
        tr("Largest incoming message (default 16 MiB); larger ones close with 1009."), tr("BYTES"),
        QString::number(qint64(16) * 1024 * 1024));
    const QCommandLineOption handshakeTimeoutOption(
        QStringLiteral("handshake-timeout"),
        tr("Seconds a client has, from the TCP accept, to complete the opening handshake "
           "(default 10)."),
        tr("SECONDS"), QStringLiteral("10"));
    const QCommandLineOption maxHeadOption(
        QStringLiteral("max-request-head"),
        tr("Largest upgrade request head in bytes (default 16384); larger ones get 431."),
        tr("BYTES"), QString::number(protocol::MaxRequestHeadSize));
    const QCommandLineOption maxLineOption(
        QStringLiteral("max-header-line"),
        tr("Longest request or header line in bytes (default and most 8000); longer ones "
           "get 431."),
        tr("BYTES"), QString::number(protocol::MaxRequestLineSize));
    const QCommandLineOption maxFieldsOption(
        QStringLiteral("max-header-fields"),
        tr("Most header fields in an upgrade request (default and most 100); more get 431."),
        tr("COUNT"), QString::number(protocol::MaxHeaderFields));
    const QCommandLineOption certOption(QStringLiteral("tls-cert"),
                                        tr("Certificate chain (PEM) or PKCS#12 bundle for wss."),
                                        tr("FILE"));
    const QCommandLineOption keyOption(QStringLiteral("tls-key"), tr("Private key (PEM) for wss."),
                                       tr("FILE"));
    const QCommandLineOption passphraseOption(
        QStringLiteral("tls-key-passphrase-file"),
        tr("File whose first line is the key's (or bundle's) passphrase."), tr("FILE"));
    const QCommandLineOption selfSignedOption(
        QStringLiteral("tls-self-signed"),
        tr("Serve wss with a localhost certificate generated in memory."));
    const QCommandLineOption clientCaOption(
        QStringLiteral("tls-client-ca"),
        tr("Mutual TLS: wss clients must present a certificate from these CAs (PEM)."), tr("FILE"));
    const QCommandLineOption requireClientCertOption(
        QStringLiteral("tls-require-client-cert"),
        tr("Refuse wss clients without a certificate (implied by --tls-client-ca)."));
    const QCommandLineOption logOption(QStringLiteral("log"),
                                       tr("Write the JSON Lines event log here (\"-\": stdout)."),
                                       tr("FILE"));
    parser.addOptions({helpOption, listenOption, modeOption, replyOption, closeAfterOption,
                       subprotocolOption, originOption, maxSizeOption, handshakeTimeoutOption,
                       maxHeadOption, maxLineOption, maxFieldsOption, certOption, keyOption,
                       passphraseOption, selfSignedOption, clientCaOption, requireClientCertOption,
                       logOption});

    if (!parser.parse(QStringList{QStringLiteral("sockpit serve")} + arguments)) {
        printError(parser.errorText());
        return std::nullopt;
    }
    if (parser.isSet(helpOption)) {
        printCommandHelp(parser, QStringLiteral("sockpit serve [options]"));
        *exitCode = ExitSuccess;
        return std::nullopt;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printError(tr("serve takes no arguments, got \"%1\".")
                       .arg(parser.positionalArguments().constFirst()));
        return std::nullopt;
    }

    ServeOptions options;
    ServerConfig &config = options.config;
    QString error;
    if (!parseListen(parser.value(listenOption), &config.host, &config.port, &error)) {
        printError(error);
        return std::nullopt;
    }
    const std::optional<ServerMode> mode = serverModeFromName(parser.value(modeOption));
    if (!mode) {
        printError(tr("--mode: expected echo, broadcast or silent, got \"%1\".")
                       .arg(parser.value(modeOption)));
        return std::nullopt;
    }
    config.mode = *mode;
    config.replyTemplate = parser.value(replyOption);
    if (parser.isSet(closeAfterOption)) {
        CloseAfter closeAfter;
        if (!parseCloseAfter(parser.value(closeAfterOption), &closeAfter, &error)) {
            printError(error);
            return std::nullopt;
        }
        config.closeAfter = closeAfter;
    }
    config.subprotocols = parser.values(subprotocolOption);
    config.allowedOrigins = parser.values(originOption);
    bool ok = false;
    config.maxMessageSize = parser.value(maxSizeOption).toLongLong(&ok);
    if (!ok || config.maxMessageSize <= 0) {
        printError(tr("--max-message-size: \"%1\" is not a positive number of bytes.")
                       .arg(parser.value(maxSizeOption)));
        return std::nullopt;
    }

    // Qt's WebSocket stack itself drops lines of 8 KiB and more, and more than 100 header
    // fields, without an answer: the bounds stop below, so that every request gets one.
    const struct
    {
        const QCommandLineOption &option;
        qint64 low;
        qint64 high;
        qsizetype *target;
    } bounded[] = {
        {maxHeadOption, 256, 1024 * 1024, &config.headLimits.maxHeadBytes},
        {maxLineOption, 64, protocol::MaxRequestLineSize, &config.headLimits.maxLineBytes},
    };
    for (const auto &[option, low, high, target] : bounded) {
        const qint64 value = parser.value(option).toLongLong(&ok);
        if (!ok || value < low || value > high) {
            printError(tr("--%1: \"%2\" is not a number from %3 to %4.")
                           .arg(option.names().constFirst(), parser.value(option))
                           .arg(low)
                           .arg(high));
            return std::nullopt;
        }
        *target = value;
    }
    config.headLimits.maxHeaderFields = parser.value(maxFieldsOption).toInt(&ok);
    if (!ok || config.headLimits.maxHeaderFields < 1
        || config.headLimits.maxHeaderFields > protocol::MaxHeaderFields) {
        printError(tr("--max-header-fields: \"%1\" is not a number from 1 to %2.")
                       .arg(parser.value(maxFieldsOption))
                       .arg(protocol::MaxHeaderFields));
        return std::nullopt;
    }
    const double timeoutSeconds = parser.value(handshakeTimeoutOption).toDouble(&ok);
    if (!ok || timeoutSeconds < 0.1 || timeoutSeconds > 3600) {
        printError(tr("--handshake-timeout: \"%1\" is not a number of seconds from 0.1 to "
                      "3600.")
                       .arg(parser.value(handshakeTimeoutOption)));
        return std::nullopt;
    }
    config.handshakeTimeoutMs = int(timeoutSeconds * 1000);

    const bool fileTls = parser.isSet(certOption) || parser.isSet(keyOption);
    if (fileTls && parser.isSet(selfSignedOption)) {
        printError(tr("--tls-self-signed cannot be combined with --tls-cert/--tls-key."));
        return std::nullopt;
    }
    if (parser.isSet(passphraseOption) && !fileTls) {
        printError(tr("--tls-key-passphrase-file needs --tls-cert."));
        return std::nullopt;
    }
    if (fileTls) {
        if (!parser.isSet(certOption)) {
            printError(tr("--tls-key needs --tls-cert."));
            return std::nullopt;
        }
        config.tls.enabled = true;
        config.tls.certificateFile = parser.value(certOption);
        config.tls.keyFile = parser.value(keyOption);
        if (parser.isSet(passphraseOption)) {
            QFile file(parser.value(passphraseOption));
            if (!file.open(QIODevice::ReadOnly)) {
                printError(tr("Cannot read the passphrase file %1: %2")
                               .arg(file.fileName(), file.errorString()));
                *exitCode = ExitFailure;
                return std::nullopt;
            }
            QByteArray passphrase = file.readLine();
            while (passphrase.endsWith('\n') || passphrase.endsWith('\r'))
                passphrase.chop(1);
            config.tls.passphrase = passphrase;
        }
    } else if (parser.isSet(selfSignedOption)) {
        config.tls.enabled = true;
        config.tls.selfSigned = true;
    }
    if ((parser.isSet(clientCaOption) || parser.isSet(requireClientCertOption))
        && !config.tls.enabled) {
        printError(tr("--tls-client-ca and --tls-require-client-cert need wss (--tls-cert or "
                      "--tls-self-signed)."));
        return std::nullopt;
    }
    if (parser.isSet(requireClientCertOption) && !parser.isSet(clientCaOption)) {
        printError(tr("--tls-require-client-cert needs --tls-client-ca FILE."));
        return std::nullopt;
    }
    config.tls.clientCaFile = parser.value(clientCaOption);
    // A client CA alone means mutual TLS: listing CAs and then not checking would mislead.
    config.tls.requireClientCertificate = parser.isSet(clientCaOption);

    options.logPath = parser.value(logOption);
    options.logging = parser.isSet(logOption);
    return options;
}

} // namespace sockpit::cli
