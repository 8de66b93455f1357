#include "eventicons.h"

#include <QHash>

namespace sockpit {

QIcon kindIcon(EventKind kind)
{
    static QHash<int, QIcon> cache;
    const auto it = cache.constFind(int(kind));
    if (it != cache.constEnd())
        return *it;
    const QIcon icon(QStringLiteral(":/icons/kinds/") + kindName(kind) + QStringLiteral(".svg"));
    cache.insert(int(kind), icon);
    return icon;
}

QIcon directionIcon(EventDirection direction)
{
    if (direction == EventDirection::None)
        return {};
    static const QIcon in(QStringLiteral(":/icons/direction-in.svg"));
    static const QIcon out(QStringLiteral(":/icons/direction-out.svg"));
    return direction == EventDirection::In ? in : out;
}

} // namespace sockpit
