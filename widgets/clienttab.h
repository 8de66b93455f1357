#pragma once

#include "client/sessionhost.h"

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTabWidget;

namespace sockpit {

class CloseCodeCombo;
class FilePickerField;
class EventSink;
class NetworkThread;
class HeadersEditor;
class MessageComposer;

// One client connection a person drives: where to connect and how (URL, headers,
// subprotocols, Origin, TLS trust), a composer, ping and close. The tab owns its
// ClientSession (on the network thread, through its SessionHost); everything it does is
// recorded by the session into the shared store.
class ClientTab : public QWidget
{
    Q_OBJECT
public:
    ClientTab(NetworkThread *network, EventSink *sink, QWidget *parent = nullptr);
    ~ClientTab() override;

    SessionHost *session() const { return m_session; }

    QString urlText() const;
    void setUrlText(const QString &url);
    HeaderList headers() const;
    void setHeaders(const HeaderList &headers);
    void setTrustedCaFile(const QString &path);
    // True while "Ignore certificate errors" is on: the tab shows a warning and its tab
    // bar entry is marked.
    bool ignoresCertificateErrors() const;

    // Empty when the URL can be connected to; otherwise a sentence saying what is wrong.
    static QString urlProblem(const QString &text);

    // What the tab bar shows: a state mark, the tab's number, and the custom name or
    // host:port ("● #3 localhost:8080"). Renaming keeps the number.
    QString title() const;
    int number() const { return m_number; }
    void setNumber(int number);
    QString customName() const { return m_customName; }
    void setCustomName(const QString &name);

public Q_SLOTS:
    // Returns false (and says why beside the URL) when the URL is not usable.
    bool connectToServer();
    void disconnectFromServer();
    void send();
    void sendPing();
    void closeWithChosenCode();

Q_SIGNALS:
    void titleChanged();

private:
    QWidget *createOptionsPage();
    QWidget *createTlsPage();
    ClientConfig currentConfig() const;
    void validateUrl();
    void updateState();
    void onFailed(const QString &errorId, const QString &sentence);
    void forgetProblem();
    void onClosed(int code, const QString &reason, CloseInitiator initiator);
    void setStateText(const QString &text, bool problem);
    // A problem with what the user asked for (the close code or reason), shown beside the
    // close controls so that the connection's state line stays as it is.
    void showCloseProblem(const QString &text);
    void updateActions();
    void updateTlsWarning();

    SessionHost *m_session;
    QLineEdit *m_url;
    QLabel *m_urlError;
    QPushButton *m_connect;
    QLabel *m_state;
    QTabWidget *m_options;
    HeadersEditor *m_headers;
    QLineEdit *m_subprotocols;
    QLineEdit *m_origin;
    FilePickerField *m_caFile;
    FilePickerField *m_certFile;
    FilePickerField *m_keyFile;
    QLineEdit *m_passphrase;
    QCheckBox *m_ignoreTlsErrors;
    QLabel *m_tlsWarning;
    MessageComposer *m_composer;
    QPushButton *m_send;
    QPushButton *m_ping;
    CloseCodeCombo *m_closeCode;
    QLineEdit *m_closeReason;
    QPushButton *m_close;
    QLabel *m_closeProblem;
    QString m_customName;
    int m_number = 0;
    QString m_lastProblem;
};

} // namespace sockpit
