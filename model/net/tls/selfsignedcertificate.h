#pragma once

#include "tlscontext.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <optional>

namespace sockpit::tls {

enum class KeyKind : quint8 { EcP256, Rsa2048 };

// What a new certificate says. generateSelfSigned() fills it for localhost; tests and the
// application can issue others (a CA and a leaf it signs, an expired one, a client one).
struct CertificateRequest
{
    QString commonName = QStringLiteral("localhost");
    QString organization = QStringLiteral("Sockpit");
    QStringList alternativeNames; // DNS names or IP addresses (an address becomes IP:)
    QDateTime notBefore; // null: now
    QDateTime notAfter; // null: notBefore + 365 days
    // A CA certificate may sign others; a self-signed one is marked CA as well so that a
    // client can trust it directly as its CA file.
    bool certificateAuthority = true;
    bool serverAuth = true;
    bool clientAuth = false;
    KeyKind keyKind = KeyKind::EcP256;
    const GeneratedCertificate *issuer = nullptr; // null: self-signed
};

// Problems: tls-invalid-name (an alternative name that is neither a DNS name nor an
// address), tls-generation-failed.
std::optional<GeneratedCertificate> issueCertificate(const CertificateRequest &request,
                                                     TlsProblem *problem);

// The alternative names generateSelfSigned() puts in: localhost, 127.0.0.1, ::1, then the
// extra ones not already there.
QStringList selfSignedNames(const QStringList &extraNames);

// Writes the certificate (mode 0644) and the private key (mode 0600, created so: never
// readable by others, not even for a moment). With a `passphrase` the key is encrypted
// (PKCS#8, AES-256-CBC). Existing files are replaced. Problems: tls-save-failed, naming
// the file.
bool saveCertificateFiles(const GeneratedCertificate &generated, const QString &certificateFile,
                          const QString &keyFile, TlsProblem *problem,
                          const QByteArray &passphrase = {});

// The key as PKCS#8 PEM encrypted with `passphrase` (AES-256-CBC), or empty on failure.
QByteArray encryptedKeyPem(const GeneratedCertificate &generated, const QByteArray &passphrase);

} // namespace sockpit::tls
