#pragma once

#include <QRect>
#include <QSize>

namespace sockpit {

// The size a first window opens at: `preferred`, shrunk to at most 90% of the screen's
// available geometry in each direction, so that it never opens larger than the screen.
QSize fittingWindowSize(const QSize &preferred, const QRect &available);

// Whether a saved window geometry lies wholly inside the screen's available geometry.
bool fitsOn(const QRect &geometry, const QRect &available);

} // namespace sockpit
