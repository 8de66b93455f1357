#pragma once

#include <QComboBox>

#include <optional>

namespace sockpit {

// An editable list of close codes a user may send: the registered ones and the starts of
// the library (3000-3999) and private (4000-4999) ranges, each with its name
// ("1000 Normal Closure"); any other code can be typed.
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
};

} // namespace sockpit
