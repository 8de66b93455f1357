#include "servecommand.h"

#include "cliusage.h"

namespace sockpit::cli {

int runServeCommand(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    printError(QStringLiteral("'serve' is not available in this build yet"));
    return ExitUsage;
}

} // namespace sockpit::cli
