#include "eventrowdelegate.h"

#include "eventicons.h"
#include "events/eventlogmodel.h"
#include "themecolors.h"

namespace sockpit {

void EventRowDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const auto kind = EventKind(index.data(EventLogModel::KindRole).toInt());
    const auto direction = EventDirection(index.data(EventLogModel::DirectionRole).toInt());
    const bool isError = index.data(EventLogModel::IsErrorRole).toBool();

    if (index.column() == EventLogModel::KindColumn) {
        option->icon = kindIcon(kind);
        option->features |= QStyleOptionViewItem::HasDecoration;
    } else if (index.column() == EventLogModel::DirectionColumn
               && direction != EventDirection::None) {
        option->icon = directionIcon(direction);
        option->features |= QStyleOptionViewItem::HasDecoration;
    }

    const QColor tint = theme::rowTint(option->palette, kind, direction, isError);
    if (tint.isValid())
        option->backgroundBrush = tint;
    if (isError) {
        const QColor red = theme::errorText(option->palette);
        option->palette.setColor(QPalette::Text, red);
        option->palette.setColor(QPalette::WindowText, red);
    }
}

} // namespace sockpit
