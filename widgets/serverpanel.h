#pragma once

#include "server/serverconfig.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QSpinBox;
class QTableView;

namespace sockpit {

class CloseCodeCombo;
class ConnectionListModel;
class ServerHost;
class HandshakeLimitsBox;
class ServerPolicyBox;
class ServerTlsBox;

// Settings, start/stop and the live connections of the embedded server. Everything it
// does goes through ServerHost, which records it in the log.
class ServerPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ServerPanel(ServerHost *server, QWidget *parent = nullptr);

    // The configuration the fields describe, or nullopt with *problem saying why.
    std::optional<ServerConfig> currentConfig(QString *problem = nullptr) const;
    ServerTlsBox *tlsBox() const { return m_tls; }
    ServerPolicyBox *policyBox() const { return m_policy; }

    // Last settings (never the passphrase).
    void saveSettings(QSettings &settings) const;
    void loadSettings(QSettings &settings);

public Q_SLOTS:
    void startOrStop();
    void start();
    void stop();

Q_SIGNALS:
    void openClientsRequested(const QString &url, int count);
    void trustRequested(const QString &certificateFile);

private:
    QWidget *createSettingsBox();
    QWidget *createConnectionsBox();
    bool applyPolicy(ServerConfig *config, QString *problem) const;
    void updateState();
    void showProblem(const QString &text);
    void forgetProblem();
    QList<qint64> selectedConnections() const;
    void sendToSelected();
    void closeSelected();

    ServerHost *m_server;
    ConnectionListModel *m_connections;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QComboBox *m_mode;
    QLineEdit *m_reply;
    QLineEdit *m_subprotocols;
    QSpinBox *m_maxSize;
    ServerTlsBox *m_tls;
    ServerPolicyBox *m_policy;
    HandshakeLimitsBox *m_handshake;
    QPushButton *m_startStop;
    QLabel *m_state;
    QSpinBox *m_clientCount;
    QPushButton *m_openClients;
    QTableView *m_view;
    QLineEdit *m_sendText;
    QPushButton *m_sendSelected;
    QPushButton *m_sendAll;
    CloseCodeCombo *m_closeCode;
    QLineEdit *m_closeReason;
    QPushButton *m_closeSelected;
    QPushButton *m_closeAll;
    QString m_problem;
};

} // namespace sockpit
