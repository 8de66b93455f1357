#include "panelscrollarea.h"

#include <QEvent>
#include <QScrollBar>

namespace sockpit {

PanelScrollArea::PanelScrollArea(QWidget *panel, QWidget *parent)
    : QScrollArea(parent)
{
    setWidget(panel);
    setWidgetResizable(true);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
}

QSize PanelScrollArea::minimumSizeHint() const
{
    QSize hint = QScrollArea::minimumSizeHint();
    if (const QWidget *panel = widget()) {
        const int width = panel->minimumSizeHint().width() + verticalScrollBar()->sizeHint().width()
            + 2 * frameWidth();
        hint.setWidth(qMax(hint.width(), width));
    }
    return hint;
}

bool PanelScrollArea::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == widget() && event->type() == QEvent::LayoutRequest)
        updateGeometry();
    return QScrollArea::eventFilter(watched, event);
}

} // namespace sockpit
