#pragma once

#include <QStringList>

namespace sockpit::cli {

// `sockpit connect`: arguments after the command name. Returns the process exit code.
int runConnectCommand(const QStringList &arguments);

} // namespace sockpit::cli
