#include "connectcommand.h"

#include "cliusage.h"

namespace sockpit::cli {

int runConnectCommand(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    printError(QStringLiteral("'connect' is not available in this build yet"));
    return ExitUsage;
}

} // namespace sockpit::cli
