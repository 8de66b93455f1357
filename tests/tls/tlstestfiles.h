#pragma once

#include "tls/tlscontext.h"

#include <QString>
#include <QTemporaryDir>

// Certificates and keys made at test time in a temporary folder (no private key is ever
// committed): a CA, a server certificate and a client certificate it signs, a stranger,
// an expired and a not-yet-valid certificate, and the same pair as PKCS#12 bundles and
// encrypted keys.
class TlsTestFiles
{
public:
    static constexpr char kPassphrase[] = "correct horse battery staple";

    // Empty when everything was made; otherwise what failed.
    QString create();

    QString path(const QString &name) const { return m_dir.filePath(name); }

    sockpit::tls::GeneratedCertificate ca;
    sockpit::tls::GeneratedCertificate server;
    sockpit::tls::GeneratedCertificate client;

private:
    QTemporaryDir m_dir;
};
