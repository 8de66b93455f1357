#pragma once

#include "events/event.h"

#include <QIcon>

namespace sockpit {

// Icons of the log's kind and direction columns. An icon from the application's resources
// (":/icons/kinds/<kind>.svg", ":/icons/direction-<in|out>.svg") wins when it exists;
// otherwise a small glyph is painted so that every row has a distinct mark.
QIcon kindIcon(EventKind kind);
QIcon directionIcon(EventDirection direction);

} // namespace sockpit
