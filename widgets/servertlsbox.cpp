#include "servertlsbox.h"

#include "filepickerfield.h"
#include "themecolors.h"
#include "tls/certificatefiles.h"
#include "tls/selfsignedcertificate.h"
#include "tls/tlscontext.h"

#include <QCheckBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSslCertificate>
#include <QVBoxLayout>

namespace sockpit {

ServerTlsBox::ServerTlsBox(QWidget *parent)
    : QGroupBox(tr("TLS"), parent)
    , m_wss(new QCheckBox(tr("wss (TLS)"), this))
    , m_certificate(new FilePickerField(
          tr("Server Certificate"),
          tr("Certificates (*.pem *.crt *.cer *.p12 *.pfx);;All files (*)"), this))
    , m_key(new FilePickerField(tr("Server Private Key"),
                                tr("PEM keys (*.pem *.key);;All files (*)"), this))
    , m_passphrase(new QLineEdit(this))
    , m_clientCa(new FilePickerField(tr("Client Certificate Authorities"),
                                     tr("PEM certificates (*.pem *.crt *.cer);;All files (*)"),
                                     this))
    , m_generate(new QPushButton(tr("Generate self-signed…"), this))
    , m_trust(new QPushButton(tr("Trust in client tabs"), this))
    , m_info(new QLabel(this))
{
    m_wss->setObjectName(QStringLiteral("wssCheck"));
    m_wss->setToolTip(tr("Serve wss:// with the certificate below"));
    m_certificate->setObjectName(QStringLiteral("certificateField"));
    m_certificate->lineEdit()->setPlaceholderText(tr("PEM chain or PKCS#12 bundle"));
    m_key->setObjectName(QStringLiteral("keyField"));
    m_key->lineEdit()->setPlaceholderText(tr("PEM key (empty for PKCS#12)"));
    m_passphrase->setObjectName(QStringLiteral("keyPassphrase"));
    m_passphrase->setEchoMode(QLineEdit::Password);
    m_passphrase->setPlaceholderText(tr("only for an encrypted key; never saved"));
    m_clientCa->setObjectName(QStringLiteral("clientCaField"));
    m_clientCa->lineEdit()->setPlaceholderText(tr("optional: require client certificates"));
    m_clientCa->setToolTip(tr("Mutual TLS: when a CA file is chosen, every wss client must "
                              "present a certificate issued by one of its CAs"));
    m_generate->setObjectName(QStringLiteral("generateCertificateButton"));
    m_generate->setToolTip(tr("Make a certificate for localhost, 127.0.0.1 and ::1 with OpenSSL "
                              "and save it with its key"));
    m_trust->setObjectName(QStringLiteral("trustInClientsButton"));
    m_trust->setToolTip(tr("Make every client tab trust this certificate as a CA"));
    m_info->setObjectName(QStringLiteral("certificateInfo"));
    m_info->setWordWrap(true);
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // One above the other: side by side they are wider than the panel in some languages.
    auto *buttons = new QVBoxLayout;
    buttons->addWidget(m_generate);
    buttons->addWidget(m_trust);
    auto *form = new QFormLayout(this);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->addRow(m_wss);
    form->addRow(tr("Certificate:"), m_certificate);
    form->addRow(tr("Key:"), m_key);
    form->addRow(tr("Passphrase:"), m_passphrase);
    form->addRow(tr("Client CA:"), m_clientCa);
    form->addRow(buttons);
    form->addRow(m_info);

    connect(m_generate, &QPushButton::clicked, this, &ServerTlsBox::generateSelfSigned);
    connect(m_trust, &QPushButton::clicked, this,
            [this] { Q_EMIT trustRequested(certificateFile()); });
    connect(m_certificate, &FilePickerField::pathChanged, this,
            &ServerTlsBox::updateCertificateInfo);
    connect(m_certificate->lineEdit(), &QLineEdit::textChanged, this,
            [this] { m_trust->setEnabled(!certificateFile().isEmpty()); });
    connect(m_wss, &QCheckBox::toggled, this, &ServerTlsBox::changed);
    connect(m_certificate, &FilePickerField::pathChanged, this, &ServerTlsBox::changed);
    updateCertificateInfo();
}

bool ServerTlsBox::isWssEnabled() const
{
    return m_wss->isChecked();
}

void ServerTlsBox::setWssEnabled(bool enabled)
{
    m_wss->setChecked(enabled);
}

TlsServerSettings ServerTlsBox::settings() const
{
    TlsServerSettings settings;
    settings.enabled = m_wss->isChecked();
    settings.certificateFile = certificateFile();
    settings.keyFile = keyFile();
    settings.passphrase = m_passphrase->text().toUtf8();
    settings.clientCaFile = clientCaFile();
    settings.requireClientCertificate = !settings.clientCaFile.isEmpty();
    return settings;
}

QString ServerTlsBox::certificateFile() const
{
    return m_certificate->path();
}

void ServerTlsBox::setCertificateFile(const QString &path)
{
    m_certificate->setPath(path);
}

QString ServerTlsBox::keyFile() const
{
    return m_key->path();
}

void ServerTlsBox::setKeyFile(const QString &path)
{
    m_key->setPath(path);
}

QString ServerTlsBox::clientCaFile() const
{
    return m_clientCa->path();
}

void ServerTlsBox::setClientCaFile(const QString &path)
{
    m_clientCa->setPath(path);
}

void ServerTlsBox::setEditable(bool editable)
{
    for (QWidget *field : {static_cast<QWidget *>(m_wss), static_cast<QWidget *>(m_certificate),
                           static_cast<QWidget *>(m_key), static_cast<QWidget *>(m_passphrase),
                           static_cast<QWidget *>(m_clientCa), static_cast<QWidget *>(m_generate)})
        field->setEnabled(editable);
}

void ServerTlsBox::generateSelfSigned()
{
    bool ok = false;
    const QString names = QInputDialog::getText(
        this, tr("Generate a Self-Signed Certificate"),
        tr("The certificate covers localhost, 127.0.0.1 and ::1.\nFurther host names or IP "
           "addresses (comma-separated, optional):"),
        QLineEdit::Normal, QString(), &ok);
    if (!ok)
        return;
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Save the Certificate"), QDir::home().filePath(QStringLiteral("localhost.pem")),
        tr("PEM certificates (*.pem)"));
    if (path.isEmpty())
        return;
    QStringList extraNames;
    for (const QString &name : names.split(u',', Qt::SkipEmptyParts)) {
        if (!name.trimmed().isEmpty())
            extraNames.append(name.trimmed());
    }
    QString error;
    if (!generateSelfSignedTo(path, extraNames, &error))
        QMessageBox::warning(this, tr("Self-Signed Certificate"), error);
}

bool ServerTlsBox::generateSelfSignedTo(const QString &certificatePath,
                                        const QStringList &extraNames, QString *error)
{
    tls::TlsProblem problem;
    const std::optional<tls::GeneratedCertificate> generated
        = tls::generateSelfSigned(extraNames, 365, &problem);
    if (!generated) {
        *error = problem.message;
        return false;
    }
    const QFileInfo info(certificatePath);
    const QString keyPath = info.dir().filePath(info.completeBaseName() + QStringLiteral(".key"));
    // The core creates the key file owner-only from the start, never readable by others.
    if (!tls::saveCertificateFiles(*generated, certificatePath, keyPath, &problem)) {
        *error = problem.message;
        return false;
    }
    m_passphrase->clear();
    setKeyFile(keyPath);
    setCertificateFile(certificatePath);
    m_wss->setChecked(true);
    return true;
}

void ServerTlsBox::updateCertificateInfo()
{
    const QString path = certificateFile();
    m_trust->setEnabled(!path.isEmpty());
    QPalette palette = m_info->palette();
    palette.setColor(QPalette::WindowText, this->palette().color(QPalette::WindowText));
    if (path.isEmpty()) {
        m_info->setText(tr("No certificate chosen."));
        m_info->setPalette(palette);
        return;
    }
    const bool pkcs12 = path.endsWith(QLatin1StringView(".p12"), Qt::CaseInsensitive)
        || path.endsWith(QLatin1StringView(".pfx"), Qt::CaseInsensitive);
    // Reads this one file (bounded in size). QSslCertificate::fromPath() would walk the
    // whole folder, and its sub-folders, to match the name as a pattern.
    tls::TlsProblem problem;
    const std::optional<QList<QSslCertificate>> chain = tls::loadCertificates(path, &problem);
    if (!chain) {
        const bool bundle = pkcs12 && problem.id == QLatin1StringView("tls-not-a-certificate");
        m_info->setText(bundle ? tr("PKCS#12 bundle: its details show once the server starts.")
                               : problem.message);
        if (!bundle)
            palette.setColor(QPalette::WindowText, theme::errorText(palette));
        m_info->setPalette(palette);
        return;
    }
    const QSslCertificate &leaf = chain->first();
    const QLocale locale;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QString text
        = tr("SHA-256: %1\nValid from %2 to %3")
              .arg(tls::sha256Fingerprint(leaf),
                   locale.toString(leaf.effectiveDate().toLocalTime(), QLocale::ShortFormat),
                   locale.toString(leaf.expiryDate().toLocalTime(), QLocale::ShortFormat));
    if (leaf.expiryDate() < now) {
        text += u'\n' + tr("This certificate has expired.");
        palette.setColor(QPalette::WindowText, theme::errorText(palette));
    } else if (leaf.effectiveDate() > now) {
        text += u'\n' + tr("This certificate is not valid yet.");
        palette.setColor(QPalette::WindowText, theme::errorText(palette));
    }
    m_info->setText(text);
    m_info->setPalette(palette);
}

} // namespace sockpit
