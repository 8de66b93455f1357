#pragma once

#include "events/event.h"

#include <QIcon>

namespace sockpit {

// Icons of the log's kind and direction columns, compiled in from resources/icons
// (":/icons/kinds/<kind>.svg", ":/icons/direction-<in|out>.svg"); the `themes` test checks
// that every kind and direction has one.
QIcon kindIcon(EventKind kind);
QIcon directionIcon(EventDirection direction);

} // namespace sockpit
