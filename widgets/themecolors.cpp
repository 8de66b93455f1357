#include "themecolors.h"

#include <QPalette>

namespace sockpit::theme {

bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

QColor blend(const QColor &from, const QColor &to, qreal amount)
{
    const qreal keep = 1.0 - amount;
    return QColor::fromRgbF(float(from.redF() * keep + to.redF() * amount),
                            float(from.greenF() * keep + to.greenF() * amount),
                            float(from.blueF() * keep + to.blueF() * amount));
}

QColor errorText(const QPalette &palette)
{
    return isDark(palette) ? QColor(0xff, 0x7b, 0x72) : QColor(0xb3, 0x1d, 0x1d);
}

QColor okText(const QPalette &palette)
{
    return isDark(palette) ? QColor(0x7e, 0xe7, 0x87) : QColor(0x15, 0x6b, 0x2e);
}

QColor rowTint(const QPalette &palette, EventKind kind, EventDirection direction, bool isError)
{
    const QColor base = palette.color(QPalette::Base);
    const qreal strength = isDark(palette) ? 0.22 : 0.12;
    if (isError)
        return blend(base, QColor(0xe0, 0x30, 0x30), strength + 0.04);
    switch (kind) {
    case EventKind::Listening:
    case EventKind::Stopped:
    case EventKind::Handshake:
    case EventKind::Open:
    case EventKind::Close:
    case EventKind::Tls:
        // Lifecycle rows stand apart from the message traffic around them.
        return blend(base, QColor(0x9a, 0x8c, 0x98), strength);
    case EventKind::Broadcast:
        return blend(base, QColor(0xc0, 0x80, 0xe0), strength);
    default:
        break;
    }
    if (direction == EventDirection::In)
        return blend(base, QColor(0x30, 0x80, 0xf0), strength * 0.8);
    if (direction == EventDirection::Out)
        return blend(base, QColor(0x40, 0xc0, 0x60), strength * 0.8);
    return {};
}

} // namespace sockpit::theme
