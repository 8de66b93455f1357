#pragma once

#include "tlscontext.h"

#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>

#include <optional>

namespace sockpit::tls {

// A certificate with the issuers that should be sent beside it, and its private key.
struct CertificateWithKey
{
    QList<QSslCertificate> chain; // the key's certificate first, then the rest as given
    QSslKey key;
};

// Certificates to trust (a CA file): one or more PEM certificates, or one DER certificate.
// Problems: tls-file-not-found, tls-file-unreadable, tls-not-a-certificate.
std::optional<QList<QSslCertificate>> loadCertificates(const QString &file, TlsProblem *problem);

// A certificate chain and its private key, checked: the key belongs to the certificate and
// the certificate is valid now.
// - `certificateFile` is a PEM chain (or one DER certificate) and `keyFile` a PEM or DER
//   private key, possibly encrypted with `passphrase`. An empty `keyFile` means the key is in
//   `certificateFile` (a combined PEM).
// - or `certificateFile` is a PKCS#12 bundle (.p12/.pfx, recognised by content, not by name)
//   protected by `passphrase`; `keyFile` is then only read when the bundle holds no key.
// Problems: tls-file-not-found, tls-file-unreadable, tls-not-a-certificate, tls-not-a-key,
// tls-wrong-passphrase, tls-key-mismatch, tls-certificate-expired,
// tls-certificate-not-yet-valid, tls-pkcs12-unsupported.
std::optional<CertificateWithKey> loadCertificateAndKey(const QString &certificateFile,
                                                        const QString &keyFile,
                                                        const QByteArray &passphrase,
                                                        TlsProblem *problem);

} // namespace sockpit::tls
