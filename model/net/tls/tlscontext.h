#pragma once

#include "events/event.h"
#include "tlssettings.h"

#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslKey>

#include <optional>

namespace sockpit::tls {

// A TLS failure: a sentence that names the file and the cause, and a stable id
// ("tls-file-not-found", "tls-not-a-certificate", "tls-key-mismatch", "tls-wrong-passphrase",
// "tls-certificate-expired", ...).
struct TlsProblem
{
    QString id;
    QString message;
};

// Builds the configuration of a wss server from the user's choice (PEM pair, PKCS#12,
// encrypted key, or a generated self-signed certificate). Nothing half-configured: either
// a complete configuration or the first problem found.
std::optional<QSslConfiguration> serverConfiguration(const TlsServerSettings &settings,
                                                     TlsProblem *problem);

// Builds the configuration of a wss client: system CAs plus the chosen CA file, the client
// certificate for mutual TLS, and verification (off only when the user said so).
std::optional<QSslConfiguration> clientConfiguration(const TlsClientSettings &settings,
                                                     TlsProblem *problem);

// The facts of an established (or failed) secure connection, for the `tls` event.
TlsInfo describeSession(const QSslConfiguration &session, const QList<QSslError> &errors,
                        bool verificationDisabled);
CertificateInfo describeCertificate(const QSslCertificate &certificate);

// Colon-separated upper-case hex of the SHA-256 of the DER certificate.
QString sha256Fingerprint(const QSslCertificate &certificate);

struct GeneratedCertificate
{
    QSslCertificate certificate;
    QSslKey key;
    QByteArray certificatePem;
    QByteArray keyPem; // unencrypted; write it with owner-only permissions
};

// A self-signed certificate for localhost, 127.0.0.1 and ::1 plus `extraNames` (DNS names
// or IP addresses), made with OpenSSL. Valid from now for `days` days.
std::optional<GeneratedCertificate> generateSelfSigned(const QStringList &extraNames, int days,
                                                       TlsProblem *problem);

} // namespace sockpit::tls
