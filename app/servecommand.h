#pragma once

#include <QStringList>

namespace sockpit::cli {

// `sockpit serve`: arguments after the command name. Returns the process exit code.
int runServeCommand(const QStringList &arguments);

} // namespace sockpit::cli
