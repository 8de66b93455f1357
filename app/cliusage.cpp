#include "cliusage.h"

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

} // namespace sockpit::cli
