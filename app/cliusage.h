#pragma once

#include <QCommandLineOption>
#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace sockpit::cli {

// Exit codes of every command (packaging/sockpit.1, "EXIT STATUS").
enum ExitCode : int {
    ExitSuccess = 0,
    ExitFailure = 1, // connection or handshake failure, the reason on stderr
    ExitUsage = 2,
};

QString versionText();
QString topLevelHelp();
// A first argument that is neither a command nor an existing file.
QString unknownCommandText(const QString &word);

// One line to stderr, with the program's name in front.
void printError(const QString &message);
// A human status line to stderr.
void printStatus(const QString &message);

// -h/--help for a command, without Qt's --help-all (its Qt options do not apply here).
QCommandLineOption commandHelpOption();
// Prints the parser's help with `usage` ("sockpit serve [options]") as its first line:
// QCommandLineParser would name the executable's path instead of the command.
void printCommandHelp(const QCommandLineParser &parser, const QString &usage);

} // namespace sockpit::cli
