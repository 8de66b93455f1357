#include "serverconfig.h"

#include <array>

namespace sockpit {

namespace {
// Indexed by ServerMode; these names are part of the command line (`--mode`).
constexpr std::array<const char *, 3> kModeNames = {"echo", "broadcast", "silent"};
} // namespace

QString serverModeName(ServerMode mode)
{
    return QString::fromLatin1(kModeNames.at(std::size_t(mode)));
}

std::optional<ServerMode> serverModeFromName(QStringView name)
{
    for (std::size_t i = 0; i < kModeNames.size(); ++i) {
        if (name.compare(QLatin1StringView(kModeNames[i]), Qt::CaseInsensitive) == 0)
            return ServerMode(i);
    }
    return std::nullopt;
}

} // namespace sockpit
