#pragma once

#include <QComboBox>

#include <optional>

namespace sockpit {

// An editable list of close codes a user may send: the registered ones and the starts of
// the library (3000-3999) and private (4000-4999) ranges, each with its name
// ("1000 Normal Closure"); any other code can be typed. A typed code that may not be sent
// marks the box (a tinted field, the reason in its tooltip) until it is mended, so that the
// problem is shown where it is and no status line has to give way to it.
class CloseCodeCombo : public QComboBox
{
    Q_OBJECT
public:
    explicit CloseCodeCombo(QWidget *parent = nullptr);

    // Room for the text it shows.
    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

    // The code at the start of the text, when it is one that may be sent (RFC 6455
    // section 7.4); nullopt otherwise.
    std::optional<int> code() const;
    void setCode(int code);
    // Why the typed code cannot be sent, or empty.
    QString problem() const;

private:
    void updateMarker();

    QString m_hint;
};

} // namespace sockpit
