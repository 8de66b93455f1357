#include "eventicons.h"

#include <QFile>
#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace sockpit {

namespace {

struct Glyph
{
    QColor colour;
    QChar letter;
};

Glyph glyphFor(EventKind kind)
{
    switch (kind) {
    case EventKind::Listening:
        return {QColor(0x2e, 0x9d, 0x5b), u'L'};
    case EventKind::Stopped:
        return {QColor(0x80, 0x80, 0x80), u'S'};
    case EventKind::Handshake:
        return {QColor(0x8a, 0x63, 0xd2), u'H'};
    case EventKind::Open:
        return {QColor(0x2e, 0x9d, 0x5b), u'O'};
    case EventKind::Text:
        return {QColor(0x31, 0x7b, 0xd8), u'T'};
    case EventKind::Binary:
        return {QColor(0x1f, 0x9a, 0xa8), u'B'};
    case EventKind::Ping:
        return {QColor(0xc9, 0x8a, 0x12), u'P'};
    case EventKind::Pong:
        return {QColor(0xc9, 0x8a, 0x12), u'p'};
    case EventKind::Close:
        return {QColor(0x86, 0x6b, 0x5a), u'C'};
    case EventKind::Error:
        return {QColor(0xd0, 0x34, 0x34), u'!'};
    case EventKind::Broadcast:
        return {QColor(0xa4, 0x4c, 0xc8), u'*'};
    case EventKind::Tls:
        return {QColor(0x4a, 0x7a, 0x3a), u'S'};
    }
    return {QColor(0x80, 0x80, 0x80), u'?'};
}

QIcon paintedGlyph(const Glyph &glyph)
{
    QIcon icon;
    for (const int side : {16, 32}) {
        QPixmap pixmap(side, side);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(glyph.colour);
        painter.drawRoundedRect(QRectF(0.5, 0.5, side - 1.0, side - 1.0), side / 4.0, side / 4.0);
        QFont font;
        font.setBold(true);
        font.setPixelSize(side * 11 / 16);
        painter.setFont(font);
        painter.setPen(Qt::white);
        painter.drawText(QRect(0, 0, side, side), Qt::AlignCenter, QString(glyph.letter));
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QIcon paintedArrow(bool incoming)
{
    QIcon icon;
    for (const int side : {16, 32}) {
        QPixmap pixmap(side, side);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        painter.setBrush(incoming ? QColor(0x31, 0x7b, 0xd8) : QColor(0x2e, 0x9d, 0x5b));
        const qreal s = side;
        QPainterPath path;
        // Incoming points left (towards the reader), outgoing points right.
        if (incoming) {
            path.moveTo(s * 0.15, s * 0.5);
            path.lineTo(s * 0.55, s * 0.15);
            path.lineTo(s * 0.55, s * 0.38);
            path.lineTo(s * 0.9, s * 0.38);
            path.lineTo(s * 0.9, s * 0.62);
            path.lineTo(s * 0.55, s * 0.62);
            path.lineTo(s * 0.55, s * 0.85);
        } else {
            path.moveTo(s * 0.85, s * 0.5);
            path.lineTo(s * 0.45, s * 0.15);
            path.lineTo(s * 0.45, s * 0.38);
            path.lineTo(s * 0.1, s * 0.38);
            path.lineTo(s * 0.1, s * 0.62);
            path.lineTo(s * 0.45, s * 0.62);
            path.lineTo(s * 0.45, s * 0.85);
        }
        path.closeSubpath();
        painter.drawPath(path);
        painter.end();
        icon.addPixmap(pixmap);
    }
    return icon;
}

QIcon resourceIcon(const QString &path)
{
    return QFile::exists(path) ? QIcon(path) : QIcon();
}

} // namespace

QIcon kindIcon(EventKind kind)
{
    static QHash<int, QIcon> cache;
    const auto it = cache.constFind(int(kind));
    if (it != cache.constEnd())
        return *it;
    QIcon icon
        = resourceIcon(QStringLiteral(":/icons/kinds/") + kindName(kind) + QStringLiteral(".svg"));
    if (icon.isNull())
        icon = paintedGlyph(glyphFor(kind));
    cache.insert(int(kind), icon);
    return icon;
}

QIcon directionIcon(EventDirection direction)
{
    if (direction == EventDirection::None)
        return {};
    static QIcon in;
    static QIcon out;
    QIcon &slot = direction == EventDirection::In ? in : out;
    if (slot.isNull()) {
        const bool incoming = direction == EventDirection::In;
        slot = resourceIcon(incoming ? QStringLiteral(":/icons/direction-in.svg")
                                     : QStringLiteral(":/icons/direction-out.svg"));
        if (slot.isNull())
            slot = paintedArrow(incoming);
    }
    return slot;
}

} // namespace sockpit
