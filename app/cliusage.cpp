#include "cliusage.h"

#include <QCommandLineParser>
#include <QCoreApplication>

#include <cstdio>

namespace sockpit::cli {

QString versionText()
{
    return QStringLiteral("sockpit " SOCKPIT_VERSION " (Qt %1)").arg(QLatin1StringView(qVersion()));
}

QString topLevelHelp()
{
    return QCoreApplication::translate(
        "cli",
        "Usage:\n"
        "  sockpit [--lang CODE] [WORKSPACE]   open the window (WORKSPACE: a JSON Lines log)\n"
        "  sockpit serve [options]             run the embedded server without a window\n"
        "  sockpit connect URL [options]       one client without a window\n"
        "  sockpit bench URL [options]         load generator\n"
        "  sockpit --version | --help\n"
        "\n"
        "Run 'sockpit COMMAND --help' for the options of a command.\n");
}

QString unknownCommandText(const QString &word)
{
    return QCoreApplication::translate("cli",
                                       "unknown command '%1' (and no such file); the commands "
                                       "are serve, connect and bench: see 'sockpit --help'.")
        .arg(word);
}

void printError(const QString &message)
{
    std::fprintf(stderr, "sockpit: %s\n", qUtf8Printable(message));
    std::fflush(stderr);
}

void printStatus(const QString &message)
{
    std::fprintf(stderr, "%s\n", qUtf8Printable(message));
    std::fflush(stderr);
}

QCommandLineOption commandHelpOption()
{
    return QCommandLineOption({QStringLiteral("h"), QStringLiteral("help")},
                              QCoreApplication::translate("cli", "Show this help."));
}

void printCommandHelp(const QCommandLineParser &parser, const QString &usage)
{
    QString help = parser.helpText();
    help.replace(0, help.indexOf(u'\n'),
                 QCoreApplication::translate("cli", "Usage: %1").arg(usage));
    std::printf("%s", qUtf8Printable(help));
}

} // namespace sockpit::cli
