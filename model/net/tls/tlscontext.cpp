#include "tlscontext.h"

#include "certificatefiles.h"
#include "opensslhandles.h"
#include "tlstext.h"

#include <QCoreApplication>
#include <QSslCipher>
#include <QSslSocket>

#include <openssl/x509.h>

namespace sockpit::tls {

using namespace detail;

namespace {

void report(TlsProblem *problem, const char *id, const QString &message)
{
    if (problem)
        *problem = TlsProblem{QString::fromLatin1(id), message};
}

// "CN=localhost, O=Sockpit": most specific first, as people read names, UTF-8 unescaped.
QString readableName(X509_NAME *name)
{
    if (!name)
        return {};
    BioPtr out = writeBio();
    const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_DN_REV | XN_FLAG_FN_SN
        | (ASN1_STRFLGS_RFC2253 & ~static_cast<unsigned long>(ASN1_STRFLGS_ESC_MSB));
    if (X509_NAME_print_ex(out.get(), name, 0, flags) < 0)
        return {};
    return QString::fromUtf8(bioContents(out.get()));
}

QString protocolName(const QSslConfiguration &session)
{
    switch (session.sessionProtocol()) {
    case QSsl::TlsV1_3:
        return QStringLiteral("TLSv1.3");
    case QSsl::TlsV1_2:
        return QStringLiteral("TLSv1.2");
    case QSsl::DtlsV1_2:
        return QStringLiteral("DTLSv1.2");
    case QSsl::UnknownProtocol:
        return {};
    default:
        // Older versions are never negotiated with TlsV1_2OrLater; say what the cipher says.
        return session.sessionCipher().protocolString();
    }
}

} // namespace

QString sha256Fingerprint(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return {};
    return QString::fromLatin1(certificate.digest(QCryptographicHash::Sha256).toHex(':').toUpper());
}

CertificateInfo describeCertificate(const QSslCertificate &certificate)
{
    CertificateInfo info;
    if (certificate.isNull())
        return info;
    if (X509Ptr x509 = x509FromDer(certificate.toDer())) {
        info.subject = readableName(X509_get_subject_name(x509.get()));
        info.issuer = readableName(X509_get_issuer_name(x509.get()));
    }
    info.notBefore = certificate.effectiveDate().toUTC();
    info.notAfter = certificate.expiryDate().toUTC();
    info.sha256 = sha256Fingerprint(certificate);
    return info;
}

TlsInfo describeSession(const QSslConfiguration &session, const QList<QSslError> &errors,
                        bool verificationDisabled)
{
    TlsInfo info;
    info.protocol = protocolName(session);
    info.cipher = session.sessionCipher().name();
    const QSslCertificate peer = session.peerCertificate();
    if (!peer.isNull())
        info.peerCertificate = describeCertificate(peer);
    for (const QSslError &error : errors) {
        const QString sentence = error.errorString();
        if (!info.errors.contains(sentence))
            info.errors.append(sentence);
    }
    info.verificationDisabled = verificationDisabled;
    return info;
}

std::optional<QSslConfiguration> serverConfiguration(const TlsServerSettings &settings,
                                                     TlsProblem *problem)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setProtocol(QSsl::TlsV1_2OrLater);

    if (settings.selfSigned) {
        std::optional<GeneratedCertificate> generated
            = generateSelfSigned(settings.selfSignedExtraNames, settings.selfSignedDays, problem);
        if (!generated)
            return std::nullopt;
        configuration.setLocalCertificate(generated->certificate);
        configuration.setPrivateKey(generated->key);
    } else {
        if (settings.certificateFile.isEmpty()) {
            report(
                problem, "tls-file-not-found",
                Tls::tr("A secure server needs a certificate: choose a certificate file (and its "
                        "key), or a self-signed certificate."));
            return std::nullopt;
        }
        std::optional<CertificateWithKey> loaded = loadCertificateAndKey(
            settings.certificateFile, settings.keyFile, settings.passphrase, problem);
        if (!loaded)
            return std::nullopt;
        configuration.setLocalCertificateChain(loaded->chain);
        configuration.setPrivateKey(loaded->key);
    }

    if (settings.requireClientCertificate) {
        if (settings.clientCaFile.isEmpty()) {
            report(problem, "tls-client-ca-missing",
                   Tls::tr("Requiring client certificates needs the file of the CA certificates "
                           "that sign them."));
            return std::nullopt;
        }
        std::optional<QList<QSslCertificate>> authorities
            = loadCertificates(settings.clientCaFile, problem);
        if (!authorities)
            return std::nullopt;
        // Only these CAs, not the system's: a client certificate from any public CA must not
        // pass.
        configuration.setCaCertificates(*authorities);
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    } else {
        configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    }
    return configuration;
}

std::optional<QSslConfiguration> clientConfiguration(const TlsClientSettings &settings,
                                                     TlsProblem *problem)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setProtocol(QSsl::TlsV1_2OrLater);

    if (!settings.caFile.isEmpty()) {
        std::optional<QList<QSslCertificate>> authorities
            = loadCertificates(settings.caFile, problem);
        if (!authorities)
            return std::nullopt;
        // Setting CAs turns off Qt's on-demand loading of the system store, so the system's
        // CAs are listed explicitly: the file adds to them, it does not replace them.
        QList<QSslCertificate> all = configuration.caCertificates();
        const QList<QSslCertificate> system = QSslConfiguration::systemCaCertificates();
        for (const QSslCertificate &certificate : system) {
            if (!all.contains(certificate))
                all.append(certificate);
        }
        for (const QSslCertificate &certificate : *authorities) {
            if (!all.contains(certificate))
                all.append(certificate);
        }
        configuration.setCaCertificates(all);
    }

    if (!settings.certificateFile.isEmpty()) {
        std::optional<CertificateWithKey> loaded = loadCertificateAndKey(
            settings.certificateFile, settings.keyFile, settings.passphrase, problem);
        if (!loaded)
            return std::nullopt;
        configuration.setLocalCertificateChain(loaded->chain);
        configuration.setPrivateKey(loaded->key);
    } else if (!settings.keyFile.isEmpty()) {
        report(problem, "tls-not-a-certificate",
               Tls::tr("A client key was chosen without its certificate: choose the client "
                       "certificate file too."));
        return std::nullopt;
    }

    // Always VerifyPeer, even when the user ignores certificate errors: the errors are then
    // still found and reported (sslErrors), and the session ignores them explicitly, so that
    // the log lists each one.
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    return configuration;
}

} // namespace sockpit::tls
