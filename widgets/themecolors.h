#pragma once

#include "events/event.h"

#include <QColor>

class QPalette;

namespace sockpit::theme {

// Colours derived from the current palette, so that they stay readable in light and dark
// themes: tints are small blends into the base colour, never fixed backgrounds.
bool isDark(const QPalette &palette);
QColor blend(const QColor &from, const QColor &to, qreal amount);

QColor errorText(const QPalette &palette); // a red that contrasts with the window
QColor okText(const QPalette &palette); // a green that contrasts with the window

// Background of a log row; invalid when the row keeps the view's own background.
QColor rowTint(const QPalette &palette, EventKind kind, EventDirection direction, bool isError);

} // namespace sockpit::theme
