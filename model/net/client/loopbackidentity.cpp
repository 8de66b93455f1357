#include "loopbackidentity.h"

#include "tls/selfsignedcertificate.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QSslSocket>

namespace sockpit::client {

namespace {

// Bounds the cache; a process rarely talks to more hosts than this.
constexpr qsizetype MaxCachedLeaves = 256;
constexpr int ValidityDays = 365;

struct Cache
{
    QMutex mutex;
    std::optional<tls::GeneratedCertificate> authority;
    QHash<QString, tls::GeneratedCertificate> leaves;
};

Cache &cache()
{
    static Cache instance;
    return instance;
}

// Still valid for at least a day: a window left open for a year gets a fresh authority.
bool usable(const tls::GeneratedCertificate &generated)
{
    return generated.certificate.expiryDate() > QDateTime::currentDateTimeUtc().addDays(1);
}

tls::CertificateRequest requestValidFromAnHourAgo()
{
    tls::CertificateRequest request;
    // An hour of slack: the loopback hop must never fail for a certificate "not yet valid".
    request.notBefore = QDateTime::currentDateTimeUtc().addSecs(-3600);
    request.notAfter = request.notBefore.addDays(ValidityDays);
    return request;
}

} // namespace

std::optional<LoopbackIdentity> loopbackIdentityFor(const QString &host, QString *why)
{
    if (!QSslSocket::supportsSsl()) {
        if (why)
            *why = QCoreApplication::translate("sockpit::client::WireTap",
                                               "no TLS library is available to Qt");
        return std::nullopt;
    }
    const QString name = host.toLower();
    Cache &c = cache();
    QMutexLocker locker(&c.mutex);
    tls::TlsProblem problem;
    if (!c.authority || !usable(*c.authority)) {
        tls::CertificateRequest request = requestValidFromAnHourAgo();
        request.commonName = QStringLiteral("Sockpit wire tap (in memory, this process only)");
        request.serverAuth = false;
        c.authority = tls::issueCertificate(request, &problem);
        c.leaves.clear();
        if (!c.authority) {
            if (why)
                *why = problem.message;
            return std::nullopt;
        }
    }
    auto leaf = c.leaves.constFind(name);
    if (leaf == c.leaves.cend() || !usable(*leaf)) {
        tls::CertificateRequest request = requestValidFromAnHourAgo();
        request.commonName = name;
        request.alternativeNames = {name};
        request.certificateAuthority = false;
        request.issuer = &*c.authority;
        std::optional<tls::GeneratedCertificate> made = tls::issueCertificate(request, &problem);
        if (!made) {
            if (why)
                *why = problem.message;
            return std::nullopt;
        }
        if (c.leaves.size() >= MaxCachedLeaves)
            c.leaves.clear();
        leaf = c.leaves.insert(name, *made);
    }

    LoopbackIdentity identity;
    identity.authority = c.authority->certificate;
    identity.serverConfiguration = QSslConfiguration::defaultConfiguration();
    identity.serverConfiguration.setProtocol(QSsl::TlsV1_2OrLater);
    identity.serverConfiguration.setLocalCertificateChain({leaf->certificate, identity.authority});
    identity.serverConfiguration.setPrivateKey(leaf->key);
    // The tap does not ask QWebSocket for a certificate: a client certificate is presented
    // only upstream, to the real server.
    identity.serverConfiguration.setPeerVerifyMode(QSslSocket::VerifyNone);
    return identity;
}

} // namespace sockpit::client
