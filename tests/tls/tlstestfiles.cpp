#include "tlstestfiles.h"

#include "tls/selfsignedcertificate.h"

#include <QFile>
#include <QProcess>
#include <QStringBuilder>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <memory>

using namespace sockpit::tls;

namespace {

bool write(const QString &path, const QByteArray &data)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(data) == data.size();
}

template<auto Free> struct Release
{
    template<typename T> void operator()(T *p) const { Free(p); }
};
template<typename T, auto Free> using Owned = std::unique_ptr<T, Release<Free>>;
using Bio = Owned<BIO, &BIO_free_all>;
using Key = Owned<EVP_PKEY, &EVP_PKEY_free>;
using Cert = Owned<X509, &X509_free>;
using P12 = Owned<PKCS12, &PKCS12_free>;

Bio memoryBio(const QByteArray &data)
{
    return Bio(BIO_new_mem_buf(data.constData(), int(data.size())));
}

QByteArray contents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);
    return size > 0 ? QByteArray(data, size) : QByteArray();
}

// The PKCS#12 OpenSSL 3 writes by default: AES-256-CBC and PBKDF2, SHA-256 MAC.
QByteArray pkcs12(const GeneratedCertificate &leaf, const GeneratedCertificate &issuer,
                  const char *password)
{
    Bio keyBio = memoryBio(leaf.keyPem);
    Key key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    Bio certBio = memoryBio(leaf.certificatePem);
    Cert cert(PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr));
    Bio caBio = memoryBio(issuer.certificatePem);
    Cert caCert(PEM_read_bio_X509(caBio.get(), nullptr, nullptr, nullptr));
    STACK_OF(X509) *chain = sk_X509_new_null();
    sk_X509_push(chain, caCert.get());
    P12 p12(PKCS12_create(password, "sockpit test", key.get(), cert.get(), chain, 0, 0, 0, 0, 0));
    sk_X509_free(chain);
    if (!p12)
        return {};
    Bio out(BIO_new(BIO_s_mem()));
    if (i2d_PKCS12_bio(out.get(), p12.get()) != 1)
        return {};
    return contents(out.get());
}

// "-----BEGIN EC PRIVATE KEY-----" with "Proc-Type: 4,ENCRYPTED": what older tools write.
QByteArray traditionalEncryptedKey(const GeneratedCertificate &pair, const QByteArray &passphrase)
{
    Bio keyBio = memoryBio(pair.keyPem);
    Key key(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
    Bio out(BIO_new(BIO_s_mem()));
    QByteArray pass = passphrase;
    if (!key
        || PEM_write_bio_PrivateKey_traditional(out.get(), key.get(), EVP_aes_256_cbc(),
                                                reinterpret_cast<unsigned char *>(pass.data()),
                                                int(pass.size()), nullptr, nullptr)
            != 1)
        return {};
    return contents(out.get());
}

} // namespace

QString TlsTestFiles::create()
{
    if (!m_dir.isValid())
        return QStringLiteral("no temporary folder");
    const QDateTime now = QDateTime::currentDateTimeUtc();
    TlsProblem problem;
    auto issue = [&problem](CertificateRequest request) {
        std::optional<GeneratedCertificate> made = issueCertificate(request, &problem);
        return made ? *made : GeneratedCertificate();
    };

    CertificateRequest caRequest;
    caRequest.commonName = QStringLiteral("Sockpit Test CA");
    caRequest.serverAuth = false;
    ca = issue(caRequest);

    CertificateRequest serverRequest;
    serverRequest.alternativeNames = selfSignedNames({});
    serverRequest.certificateAuthority = false;
    serverRequest.issuer = &ca;
    server = issue(serverRequest);

    CertificateRequest clientRequest;
    clientRequest.commonName = QStringLiteral("test client");
    clientRequest.certificateAuthority = false;
    clientRequest.serverAuth = false;
    clientRequest.clientAuth = true;
    clientRequest.issuer = &ca;
    client = issue(clientRequest);

    // A client certificate from nobody the server trusts.
    clientRequest.issuer = nullptr;
    clientRequest.commonName = QStringLiteral("stranger");
    const GeneratedCertificate stranger = issue(clientRequest);

    CertificateRequest rsaRequest = serverRequest;
    rsaRequest.keyKind = KeyKind::Rsa2048;
    const GeneratedCertificate rsa = issue(rsaRequest);

    CertificateRequest expiredRequest = serverRequest;
    expiredRequest.notBefore = now.addDays(-30);
    expiredRequest.notAfter = now.addDays(-1);
    const GeneratedCertificate expired = issue(expiredRequest);

    CertificateRequest futureRequest = serverRequest;
    futureRequest.notBefore = now.addDays(1);
    futureRequest.notAfter = now.addDays(30);
    const GeneratedCertificate future = issue(futureRequest);

    if (!problem.id.isEmpty())
        return problem.message;

    const QByteArray passphrase(kPassphrase);
    const QByteArray p12 = pkcs12(server, ca, kPassphrase);
    const QByteArray traditional = traditionalEncryptedKey(server, passphrase);
    ERR_clear_error();
    if (p12.isEmpty() || traditional.isEmpty())
        return QStringLiteral("PKCS#12 or encrypted key not written");

    const bool written = write(path(QStringLiteral("ca.pem")), ca.certificatePem)
        && write(path(QStringLiteral("server.pem")), server.certificatePem)
        && write(path(QStringLiteral("server.key")), server.keyPem)
        && write(path(QStringLiteral("server.der")), server.certificate.toDer())
        && write(path(QStringLiteral("ca-then-server.pem")),
                 ca.certificatePem + server.certificatePem)
        && write(path(QStringLiteral("server-then-ca.pem")),
                 server.certificatePem + ca.certificatePem)
        && write(path(QStringLiteral("combined.pem")), server.certificatePem + server.keyPem)
        && write(path(QStringLiteral("server-pkcs8-encrypted.key")),
                 encryptedKeyPem(server, passphrase))
        && write(path(QStringLiteral("server-traditional-encrypted.key")), traditional)
        && write(path(QStringLiteral("server.p12")), p12)
        && write(path(QStringLiteral("client.pem")), client.certificatePem)
        && write(path(QStringLiteral("client.key")), client.keyPem)
        && write(path(QStringLiteral("stranger.pem")), stranger.certificatePem)
        && write(path(QStringLiteral("stranger.key")), stranger.keyPem)
        && write(path(QStringLiteral("rsa.pem")), rsa.certificatePem)
        && write(path(QStringLiteral("rsa.key")), rsa.keyPem)
        && write(path(QStringLiteral("expired.pem")), expired.certificatePem)
        && write(path(QStringLiteral("expired.key")), expired.keyPem)
        && write(path(QStringLiteral("future.pem")), future.certificatePem)
        && write(path(QStringLiteral("future.key")), future.keyPem)
        && write(path(QStringLiteral("notes.txt")), "just some words\n");
    if (!written)
        return QStringLiteral("files not written");

    // A bundle as OpenSSL 1.1 and many Windows tools write it (RC2-40 for the certificates),
    // made by the openssl program in its own process so that this test process does not
    // load the legacy provider before the code under test needs it.
    QProcess openssl;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SOCKPIT_TEST_PASS"), QString::fromLatin1(kPassphrase));
    openssl.setProcessEnvironment(environment);
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("pkcs12"), QStringLiteral("-export"), QStringLiteral("-legacy"),
                   QStringLiteral("-in"), path(QStringLiteral("server.pem")),
                   QStringLiteral("-inkey"), path(QStringLiteral("server.key")),
                   QStringLiteral("-out"), path(QStringLiteral("server-legacy.p12")),
                   QStringLiteral("-passout"), QStringLiteral("env:SOCKPIT_TEST_PASS")});
    if (!openssl.waitForFinished(30000) || openssl.exitCode() != 0)
        return QStringLiteral("openssl pkcs12 -export -legacy failed: ")
            + QString::fromLocal8Bit(openssl.readAllStandardError());
    return {};
}
