#include "windowgeometry.h"

namespace sockpit {

QSize fittingWindowSize(const QSize &preferred, const QRect &available)
{
    if (!available.isValid())
        return preferred;
    return preferred.boundedTo(QSize(available.width() * 9 / 10, available.height() * 9 / 10));
}

bool fitsOn(const QRect &geometry, const QRect &available)
{
    return available.contains(geometry);
}

} // namespace sockpit
