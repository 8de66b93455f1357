#pragma once

#include <QStyledItemDelegate>

namespace sockpit {

// Marks log rows by kind and direction: an icon in the kind and direction columns, a
// palette-derived tint for the row and a red text for errors. The model stays free of
// colours; this delegate reads its semantic roles.
class EventRowDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace sockpit
