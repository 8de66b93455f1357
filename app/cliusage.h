#pragma once

#include <QString>
#include <QStringList>

namespace sockpit::cli {

// Exit codes of every command (ARCHITECTURE.md, "Command line").
enum ExitCode : int {
    ExitSuccess = 0,
    ExitFailure = 1, // connection or handshake failure, the reason on stderr
    ExitUsage = 2,
};

QString versionText();
QString topLevelHelp();

// One line to stderr, with the program's name in front.
void printError(const QString &message);
// A human status line to stderr.
void printStatus(const QString &message);

} // namespace sockpit::cli
