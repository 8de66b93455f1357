#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace sockpit {

// What the user chose for a wss server. Passphrases live only in memory: they are never
// written to logs, exports or settings.
struct TlsServerSettings
{
    bool enabled = false;
    bool selfSigned = false; // generate a localhost certificate in memory
    QStringList selfSignedExtraNames; // further DNS names / IP addresses for it
    int selfSignedDays = 30; // validity of the generated certificate
    QString certificateFile; // PEM chain, or a PKCS#12 bundle (.p12/.pfx) with the key
    QString keyFile; // PEM key (may be encrypted); empty for PKCS#12
    QByteArray passphrase; // for an encrypted PEM key or the PKCS#12 bundle
    bool requireClientCertificate = false;
    QString clientCaFile; // CAs that client certificates must chain to
};

// What the user chose for a wss client.
struct TlsClientSettings
{
    QString caFile; // extra trusted CAs (PEM), beside the system's
    QString certificateFile; // client certificate for mutual TLS
    QString keyFile;
    QByteArray passphrase;
    bool ignoreCertificateErrors = false; // only when the user turns it on, and then flagged
};

} // namespace sockpit
