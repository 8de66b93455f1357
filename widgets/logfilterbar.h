#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;
class QToolButton;

namespace sockpit {

class EventFilterProxy;

// The log's filter bar: kinds (a menu of checkable kinds), source, connection, direction,
// and a text or regular expression. Applies every change to the proxy at once; an invalid
// regular expression is marked on the field with the reason in its tooltip.
class LogFilterBar : public QWidget
{
    Q_OBJECT
public:
    explicit LogFilterBar(EventFilterProxy *proxy, QWidget *parent = nullptr);

    QLineEdit *textField() const { return m_text; }
    bool hasPatternError() const { return m_patternError; }

public Q_SLOTS:
    void focusTextField();
    void reset();

private:
    void applyKinds();
    void applyText();
    void updateKindsButtonText();

    EventFilterProxy *m_proxy;
    QToolButton *m_kinds;
    QComboBox *m_source;
    QSpinBox *m_connection;
    QComboBox *m_direction;
    QLineEdit *m_text;
    QCheckBox *m_regex;
    bool m_patternError = false;
};

} // namespace sockpit
