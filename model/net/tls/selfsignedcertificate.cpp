#include "selfsignedcertificate.h"

#include "opensslhandles.h"
#include "tlstext.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QUrl>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace sockpit::tls {

using namespace detail;

namespace {

void report(TlsProblem *problem, const char *id, const QString &message)
{
    if (problem)
        *problem = TlsProblem{QString::fromLatin1(id), message};
}

bool failGeneration(TlsProblem *problem, const char *step)
{
    const QString reason = takeOpenSslError();
    report(
        problem, "tls-generation-failed",
        Tls::tr("The certificate could not be made (%1: %2).")
            .arg(QLatin1StringView(step), reason.isEmpty() ? Tls::tr("no reason given") : reason));
    return false;
}

// "IP:127.0.0.1" or "DNS:example.test", or empty when the name is neither.
QString alternativeNameEntry(const QString &name)
{
    const QString trimmed = name.trimmed();
    QHostAddress address;
    if (address.setAddress(trimmed)) {
        address.setScopeId({});
        return QStringLiteral("IP:") + address.toString();
    }
    const QByteArray ace = QUrl::toAce(trimmed);
    if (ace.isEmpty() || ace.size() > 253)
        return {};
    for (const char c : ace) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '*' || c == '_';
        if (!allowed)
            return {};
    }
    return QStringLiteral("DNS:") + QString::fromLatin1(ace);
}

bool addExtension(X509 *certificate, X509 *issuer, int nid, const QString &value,
                  TlsProblem *problem)
{
    X509V3_CTX context;
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509ExtensionPtr extension(
        X509V3_EXT_conf_nid(nullptr, &context, nid, value.toLatin1().constData()));
    if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1)
        return failGeneration(problem, OBJ_nid2sn(nid));
    return true;
}

bool addNameEntry(X509_NAME *name, const char *field, const QString &value)
{
    if (value.isEmpty())
        return true;
    const QByteArray utf8 = value.toUtf8();
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char *>(utf8.constData()),
                                      int(utf8.size()), -1, 0)
        == 1;
}

EvpPkeyPtr makeKey(KeyKind kind)
{
    if (kind == KeyKind::Rsa2048)
        return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(2048)));
    return EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
}

bool setTime(ASN1_TIME *field, const QDateTime &when)
{
    return ASN1_TIME_set(field, time_t(when.toSecsSinceEpoch())) != nullptr;
}

QByteArray pemOf(X509 *certificate)
{
    BioPtr out = writeBio();
    if (PEM_write_bio_X509(out.get(), certificate) != 1)
        return {};
    return bioContents(out.get());
}

QByteArray pemOf(EVP_PKEY *key, const EVP_CIPHER *cipher = nullptr,
                 const QByteArray &passphrase = {})
{
    BioPtr out = writeBio();
    const int written = cipher
        ? PEM_write_bio_PKCS8PrivateKey(out.get(), key, cipher, passphrase.constData(),
                                        int(passphrase.size()), nullptr, nullptr)
        : PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    if (written != 1)
        return {};
    return bioContents(out.get());
}

bool writeFile(const QString &path, const QByteArray &data, QFileDevice::Permissions permissions,
               TlsProblem *problem)
{
    QFile file(path);
    // Created with its final permissions, and tightened before writing when it existed.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, permissions)
        || !file.setPermissions(permissions) || file.write(data) != data.size() || !file.flush()) {
        report(problem, "tls-save-failed",
               Tls::tr("%1 cannot be written: %2.")
                   .arg(QDir::toNativeSeparators(path), file.errorString()));
        return false;
    }
    return true;
}

} // namespace

QStringList selfSignedNames(const QStringList &extraNames)
{
    QStringList names{QStringLiteral("localhost"), QStringLiteral("127.0.0.1"),
                      QStringLiteral("::1")};
    for (const QString &name : extraNames) {
        const QString trimmed = name.trimmed();
        if (!trimmed.isEmpty() && !names.contains(trimmed, Qt::CaseInsensitive))
            names.append(trimmed);
    }
    return names;
}

std::optional<GeneratedCertificate> generateSelfSigned(const QStringList &extraNames, int days,
                                                       TlsProblem *problem)
{
    CertificateRequest request;
    request.alternativeNames = selfSignedNames(extraNames);
    request.notBefore = QDateTime::currentDateTimeUtc();
    request.notAfter = request.notBefore.addDays(qMax(1, days));
    return issueCertificate(request, problem);
}

std::optional<GeneratedCertificate> issueCertificate(const CertificateRequest &request,
                                                     TlsProblem *problem)
{
    QStringList entries;
    for (const QString &name : request.alternativeNames) {
        const QString entry = alternativeNameEntry(name);
        if (entry.isEmpty()) {
            report(problem, "tls-invalid-name",
                   Tls::tr("\"%1\" is neither a host name nor an IP address.").arg(name));
            return std::nullopt;
        }
        if (!entries.contains(entry, Qt::CaseInsensitive))
            entries.append(entry);
    }

    ERR_clear_error();
    EvpPkeyPtr key = makeKey(request.keyKind);
    if (!key) {
        failGeneration(problem, "key");
        return std::nullopt;
    }

    // The signer: the issuer's certificate and key, or this certificate and its own key.
    X509Ptr issuerCertificate;
    EvpPkeyPtr issuerKey;
    if (request.issuer) {
        BioPtr certificateBio = readBio(request.issuer->certificatePem);
        issuerCertificate.reset(PEM_read_bio_X509(certificateBio.get(), nullptr, nullptr, nullptr));
        BioPtr keyBio = readBio(request.issuer->keyPem);
        issuerKey.reset(PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr));
        if (!issuerCertificate || !issuerKey) {
            failGeneration(problem, "issuer");
            return std::nullopt;
        }
    }

    X509Ptr certificate(X509_new());
    BignumPtr serial(BN_new());
    const QDateTime notBefore
        = request.notBefore.isValid() ? request.notBefore : QDateTime::currentDateTimeUtc();
    const QDateTime notAfter
        = request.notAfter.isValid() ? request.notAfter : notBefore.addDays(365);
    // A random positive serial of 127 bits (RFC 5280 section 4.1.2.2 allows up to 20 bytes).
    if (!certificate || !serial || X509_set_version(certificate.get(), X509_VERSION_3) != 1
        || BN_rand(serial.get(), 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) != 1
        || !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate.get()))
        || !setTime(X509_getm_notBefore(certificate.get()), notBefore)
        || !setTime(X509_getm_notAfter(certificate.get()), notAfter)
        || X509_set_pubkey(certificate.get(), key.get()) != 1) {
        failGeneration(problem, "fields");
        return std::nullopt;
    }

    X509_NAME *subject = X509_get_subject_name(certificate.get());
    if (!addNameEntry(subject, "O", request.organization)
        || !addNameEntry(subject, "CN", request.commonName)
        || X509_set_issuer_name(certificate.get(),
                                issuerCertificate ? X509_get_subject_name(issuerCertificate.get())
                                                  : subject)
            != 1) {
        failGeneration(problem, "name");
        return std::nullopt;
    }

    X509 *signer = issuerCertificate ? issuerCertificate.get() : certificate.get();
    QStringList usage{QStringLiteral("critical"), QStringLiteral("digitalSignature")};
    if (request.keyKind == KeyKind::Rsa2048)
        usage.append(QStringLiteral("keyEncipherment"));
    if (request.certificateAuthority)
        usage << QStringLiteral("keyCertSign") << QStringLiteral("cRLSign");
    QStringList extendedUsage;
    if (request.serverAuth)
        extendedUsage.append(QStringLiteral("serverAuth"));
    if (request.clientAuth)
        extendedUsage.append(QStringLiteral("clientAuth"));

    X509 *x509 = certificate.get();
    if (!addExtension(x509, signer, NID_basic_constraints,
                      request.certificateAuthority ? QStringLiteral("critical,CA:TRUE")
                                                   : QStringLiteral("critical,CA:FALSE"),
                      problem)
        || !addExtension(x509, signer, NID_key_usage, usage.join(u','), problem)
        || (!extendedUsage.isEmpty()
            && !addExtension(x509, signer, NID_ext_key_usage, extendedUsage.join(u','), problem))
        || (!entries.isEmpty()
            && !addExtension(x509, signer, NID_subject_alt_name, entries.join(u','), problem))
        || !addExtension(x509, signer, NID_subject_key_identifier, QStringLiteral("hash"), problem)
        || !addExtension(x509, signer, NID_authority_key_identifier, QStringLiteral("keyid:always"),
                         problem)) {
        return std::nullopt;
    }

    if (X509_sign(x509, issuerKey ? issuerKey.get() : key.get(), EVP_sha256()) <= 0) {
        failGeneration(problem, "signature");
        return std::nullopt;
    }

    GeneratedCertificate generated;
    generated.certificatePem = pemOf(x509);
    generated.keyPem = pemOf(key.get());
    generated.certificate = QSslCertificate(generated.certificatePem, QSsl::Pem);
    generated.key
        = QSslKey(generated.keyPem, request.keyKind == KeyKind::Rsa2048 ? QSsl::Rsa : QSsl::Ec,
                  QSsl::Pem, QSsl::PrivateKey);
    if (generated.certificate.isNull() || generated.key.isNull()) {
        failGeneration(problem, "conversion");
        return std::nullopt;
    }
    return generated;
}

QByteArray encryptedKeyPem(const GeneratedCertificate &generated, const QByteArray &passphrase)
{
    if (passphrase.isEmpty())
        return {};
    BioPtr in = readBio(generated.keyPem);
    EvpPkeyPtr key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr));
    QByteArray pem = key ? pemOf(key.get(), EVP_aes_256_cbc(), passphrase) : QByteArray();
    ERR_clear_error();
    return pem;
}

bool saveCertificateFiles(const GeneratedCertificate &generated, const QString &certificateFile,
                          const QString &keyFile, TlsProblem *problem, const QByteArray &passphrase)
{
    QByteArray keyPem = generated.keyPem;
    if (!passphrase.isEmpty()) {
        keyPem = encryptedKeyPem(generated, passphrase);
        if (keyPem.isEmpty()) {
            report(problem, "tls-save-failed",
                   Tls::tr("The private key could not be encrypted for %1.")
                       .arg(QDir::toNativeSeparators(keyFile)));
            return false;
        }
    }
    constexpr QFileDevice::Permissions ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner
        | QFileDevice::ReadUser | QFileDevice::WriteUser;
    constexpr QFileDevice::Permissions publicRead
        = ownerOnly | QFileDevice::ReadGroup | QFileDevice::ReadOther;
    return writeFile(keyFile, keyPem, ownerOnly, problem)
        && writeFile(certificateFile, generated.certificatePem, publicRead, problem);
}

} // namespace sockpit::tls
