#pragma once

#include "server/serverconfig.h"

#include <QGroupBox>

class QLineEdit;
class QSettings;
class QSpinBox;

namespace sockpit {

class CloseCodeCombo;

// The server panel's connection policy, as `sockpit serve --origin` and `--close-after`
// set it: which Origins may connect (others get HTTP 403), and whether each connection
// is closed, with which code and reason, a number of seconds after it opens.
class ServerPolicyBox : public QGroupBox
{
    Q_OBJECT
public:
    explicit ServerPolicyBox(QWidget *parent = nullptr);

    // Origins separated by commas or spaces; empty: any origin.
    QStringList allowedOrigins() const;
    // Nullopt when connections stay open.
    std::optional<CloseAfter> closeAfter() const;
    // Why the fields do not make a policy (a close code that cannot be sent, a reason
    // too long for a Close frame), or empty.
    QString problem() const;
    // While the server listens the policy cannot change.
    void setEditable(bool editable);

    // Inside the caller's settings group.
    void saveSettings(QSettings &settings) const;
    void loadSettings(QSettings &settings);

private:
    void updateCloseFields();

    QLineEdit *m_origins;
    QSpinBox *m_closeSeconds;
    CloseCodeCombo *m_closeCode;
    QLineEdit *m_closeReason;
};

} // namespace sockpit
