#pragma once

#include <QGroupBox>

class QSettings;
class QSpinBox;

namespace sockpit {

struct ServerConfig;

// The bounds on the opening handshake, as `sockpit serve --handshake-timeout`,
// `--max-request-head`, `--max-header-line` and `--max-header-fields` set them: how long a
// client has from the TCP accept, and how large its upgrade request may be before it is
// answered with 431.
class HandshakeLimitsBox : public QGroupBox
{
    Q_OBJECT
public:
    explicit HandshakeLimitsBox(QWidget *parent = nullptr);

    void apply(ServerConfig *config) const;
    // While the server listens the bounds cannot change.
    void setEditable(bool editable);

    // Inside the caller's settings group.
    void saveSettings(QSettings &settings) const;
    void loadSettings(QSettings &settings);

private:
    QSpinBox *m_timeout;
    QSpinBox *m_headBytes;
    QSpinBox *m_lineBytes;
    QSpinBox *m_fields;
};

} // namespace sockpit
