#pragma once

// Drives the real window the way a person does — clicks and keys, never direct calls —
// for the GUI tests.

#include <QCheckBox>
#include <QScrollArea>
#include <QTest>
#include <QWidget>

namespace sockpit::test {

inline constexpr int kNetworkTimeoutMs = 20000;

template<typename T> T *child(QObject *root, const char *name)
{
    T *found = root->findChild<T *>(QString::fromLatin1(name));
    if (!found)
        qWarning("no child %s", name);
    return found;
}

// Selects everything in the field and types `text` over it.
inline void replaceText(QWidget *field, const QString &text)
{
    field->setFocus();
    QTest::keyClick(field, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(field, Qt::Key_Delete);
    QTest::keyClicks(field, text);
}

inline void click(QWidget *widget)
{
    QVERIFY(widget);
    QVERIFY2(widget->isEnabled(),
             qPrintable(widget->objectName() + QStringLiteral(" is disabled")));
    // The server panel scrolls: bring the widget into view as a person would.
    for (QWidget *parent = widget->parentWidget(); parent; parent = parent->parentWidget()) {
        if (auto *scroll = qobject_cast<QScrollArea *>(parent)) {
            scroll->ensureWidgetVisible(widget);
            break;
        }
    }
    // A check box reacts on its box and label, not on the empty width of its row.
    const QPoint where = qobject_cast<QCheckBox *>(widget)
        ? QPoint(qMin(8, widget->width() / 2), widget->height() / 2)
        : widget->rect().center();
    QTest::mouseClick(widget, Qt::LeftButton, {}, where);
}

} // namespace sockpit::test
