#pragma once

#include "server/serverconfig.h"

#include <QString>
#include <QStringList>

#include <optional>

namespace sockpit::cli {

// What `sockpit serve` was asked to do.
struct ServeOptions
{
    ServerConfig config;
    bool logging = false; // --log given
    QString logPath; // "-" for standard output
};

// Reads the arguments after `serve`. On --help, or on a mistake (said on stderr), returns
// nothing and sets *exitCode: ExitSuccess after the help, ExitUsage or ExitFailure.
std::optional<ServeOptions> parseServeOptions(const QStringList &arguments, int *exitCode);

} // namespace sockpit::cli
