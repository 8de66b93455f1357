#include "benchcommand.h"

#include "cliusage.h"

namespace sockpit::cli {

int runBenchCommand(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    printError(QStringLiteral("'bench' is not available in this build yet"));
    return ExitUsage;
}

} // namespace sockpit::cli
