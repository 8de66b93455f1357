#include "benchcommand.h"
#include "cliusage.h"
#include "connectcommand.h"
#include "servecommand.h"

#include "guimain.h"

#include <QCoreApplication>
#include <QFileInfo>

#include <cstdio>
#include <cstring>

using namespace sockpit;

int main(int argc, char *argv[])
{
    // --version and --help must work without a display, so they are answered before any
    // application object (and so any platform plugin) exists.
    if (argc >= 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-v") == 0)) {
        QCoreApplication app(argc, argv);
        std::printf("%s\n", qUtf8Printable(cli::versionText()));
        return cli::ExitSuccess;
    }
    if (argc >= 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
        QCoreApplication app(argc, argv);
        std::printf("%s", qUtf8Printable(cli::topLevelHelp()));
        return cli::ExitSuccess;
    }

    if (argc >= 2) {
        using Command = int (*)(const QStringList &);
        struct Entry
        {
            const char *name;
            Command run;
        };
        const Entry commands[] = {
            {"serve", &cli::runServeCommand},
            {"connect", &cli::runConnectCommand},
            {"bench", &cli::runBenchCommand},
        };
        for (const Entry &command : commands) {
            if (std::strcmp(argv[1], command.name) != 0)
                continue;
            QCoreApplication app(argc, argv);
            QCoreApplication::setApplicationName(QStringLiteral("sockpit"));
            QCoreApplication::setApplicationVersion(QStringLiteral(SOCKPIT_VERSION));
            QStringList arguments = QCoreApplication::arguments();
            arguments.remove(0, 2); // program and command name
            return command.run(arguments);
        }
        // A word that is neither a command nor an existing file is a mistyped command, not
        // a workspace: say so, rather than open a window on it. Options (--lang) go on.
        if (argv[1][0] != '-' && !QFileInfo::exists(QString::fromLocal8Bit(argv[1]))) {
            QCoreApplication app(argc, argv);
            cli::printError(cli::unknownCommandText(QString::fromLocal8Bit(argv[1])));
            return cli::ExitUsage;
        }
    }

    return runGui(argc, argv);
}
