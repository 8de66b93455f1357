#pragma once

#include <QStringList>

namespace sockpit::cli {

// `sockpit bench`: arguments after the command name. Returns the process exit code.
int runBenchCommand(const QStringList &arguments);

} // namespace sockpit::cli
