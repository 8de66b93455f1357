#pragma once

#include "tls/tlssettings.h"

#include <QGroupBox>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace sockpit {

class FilePickerField;

// The server panel's TLS section: wss on or off, the certificate and key files (or a
// PKCS#12 bundle), the key passphrase (kept in memory only), a self-signed certificate
// generated on request, its fingerprint and validity, and "trust it in the client tabs".
class ServerTlsBox : public QGroupBox
{
    Q_OBJECT
public:
    explicit ServerTlsBox(QWidget *parent = nullptr);

    bool isWssEnabled() const;
    void setWssEnabled(bool enabled);
    TlsServerSettings settings() const;
    QString certificateFile() const;
    void setCertificateFile(const QString &path);
    QString keyFile() const;
    void setKeyFile(const QString &path);
    // Mutual TLS: when set, clients must present a certificate issued by these CAs.
    QString clientCaFile() const;
    void setClientCaFile(const QString &path);
    // While the server listens its certificate cannot change, but it can still be handed
    // to the client tabs: everything but "Trust in client tabs" follows `editable`.
    void setEditable(bool editable);

public Q_SLOTS:
    void generateSelfSigned();
    // Writes a new self-signed certificate to `certificatePath` and its key beside it
    // ("<name>.key", readable by the owner only). Returns false with *error set.
    bool generateSelfSignedTo(const QString &certificatePath, const QStringList &extraNames,
                              QString *error);

Q_SIGNALS:
    void trustRequested(const QString &certificateFile);
    void changed();

private:
    void updateCertificateInfo();

    QCheckBox *m_wss;
    FilePickerField *m_certificate;
    FilePickerField *m_key;
    QLineEdit *m_passphrase;
    FilePickerField *m_clientCa;
    QPushButton *m_generate;
    QPushButton *m_trust;
    QLabel *m_info;
};

} // namespace sockpit
