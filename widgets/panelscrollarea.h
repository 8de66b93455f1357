#pragma once

#include <QScrollArea>

namespace sockpit {

// A scroll area for a tall panel in a dock: it scrolls up and down, never sideways, and
// asks for at least the width its panel needs (in whatever language it is shown), so
// that the dock is never narrower than its panel.
class PanelScrollArea : public QScrollArea
{
    Q_OBJECT
public:
    explicit PanelScrollArea(QWidget *panel, QWidget *parent = nullptr);

    QSize minimumSizeHint() const override;

protected:
    // The panel's needs change with its contents: the dock hears of it.
    bool eventFilter(QObject *watched, QEvent *event) override;
};

} // namespace sockpit
