#include "certificatefiles.h"

#include "opensslhandles.h"
#include "tlstext.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/provider.h>

#include <cstring>

namespace sockpit::tls {

using namespace detail;

namespace {

// Certificate and key files are a few kilobytes; anything far bigger is a wrong choice.
constexpr qint64 kMaxFileSize = 4 * 1024 * 1024;

QString shown(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

void report(TlsProblem *problem, const char *id, const QString &message)
{
    if (problem)
        *problem = TlsProblem{QString::fromLatin1(id), message};
}

QString shownDate(const QDateTime &when)
{
    return QLocale::c().toString(when.toUTC(), QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'"));
}

std::optional<QByteArray> readFile(const QString &path, TlsProblem *problem)
{
    if (path.isEmpty()) {
        report(problem, "tls-file-not-found", Tls::tr("No file was chosen."));
        return std::nullopt;
    }
    const QFileInfo info(path);
    if (!info.exists()) {
        report(problem, "tls-file-not-found",
               Tls::tr("The file %1 does not exist.").arg(shown(path)));
        return std::nullopt;
    }
    if (info.isDir()) {
        report(problem, "tls-file-unreadable",
               Tls::tr("%1 is a folder, not a file.").arg(shown(path)));
        return std::nullopt;
    }
    if (info.size() > kMaxFileSize) {
        report(problem, "tls-file-unreadable",
               Tls::tr("%1 is too large (%2 bytes) to be a certificate or key file.")
                   .arg(shown(path))
                   .arg(info.size()));
        return std::nullopt;
    }
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        report(problem, "tls-file-unreadable",
               Tls::tr("The file %1 cannot be read: %2.").arg(shown(path), file.errorString()));
        return std::nullopt;
    }
    QByteArray data = file.read(kMaxFileSize + 1);
    if (file.error() != QFileDevice::NoError) {
        report(problem, "tls-file-unreadable",
               Tls::tr("The file %1 cannot be read: %2.").arg(shown(path), file.errorString()));
        return std::nullopt;
    }
    return data;
}

QList<QSslCertificate> parseCertificates(const QByteArray &data)
{
    QList<QSslCertificate> certificates = QSslCertificate::fromData(data, QSsl::Pem);
    if (certificates.isEmpty())
        certificates = QSslCertificate::fromData(data, QSsl::Der);
    // Qt may return a null certificate for a damaged block; keep only real ones.
    certificates.removeIf([](const QSslCertificate &c) { return c.isNull(); });
    return certificates;
}

void reportNotACertificate(const QByteArray &data, const QString &path, TlsProblem *problem)
{
    if (data.contains("PRIVATE KEY-----")) {
        report(problem, "tls-not-a-certificate",
               Tls::tr("%1 holds a private key, not a certificate. Choose the certificate file "
                       "(\"-----BEGIN CERTIFICATE-----\") there.")
                   .arg(shown(path)));
    } else if (data.contains("-----BEGIN CERTIFICATE-----")) {
        report(problem, "tls-not-a-certificate",
               Tls::tr("%1 has a certificate block that cannot be decoded; the file is damaged.")
                   .arg(shown(path)));
    } else {
        report(problem, "tls-not-a-certificate",
               Tls::tr("%1 is not a certificate: expected PEM (\"-----BEGIN CERTIFICATE-----\"), "
                       "DER or a PKCS#12 bundle.")
                   .arg(shown(path)));
    }
}

// OpenSSL asks for the passphrase through a callback; without one it would prompt on the
// terminal, which a GUI or a script must never do.
int passphraseCallback(char *buffer, int size, int /*rwflag*/, void *userData)
{
    const auto *passphrase = static_cast<const QByteArray *>(userData);
    if (!passphrase || passphrase->isEmpty() || passphrase->size() > size)
        return 0;
    std::memcpy(buffer, passphrase->constData(), size_t(passphrase->size()));
    return int(passphrase->size());
}

bool looksEncrypted(const QByteArray &data)
{
    return data.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || data.contains("Proc-Type: 4,ENCRYPTED");
}

EvpPkeyPtr decodeKey(const QByteArray &data, const QByteArray &passphrase)
{
    QByteArray pass = passphrase;
    {
        BioPtr bio = readBio(data);
        EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, &passphraseCallback, &pass));
        if (key)
            return key;
    }
    // DER: an encrypted PKCS#8 structure, then a plain one (PKCS#8 or traditional).
    {
        BioPtr bio = readBio(data);
        EvpPkeyPtr key(d2i_PKCS8PrivateKey_bio(bio.get(), nullptr, &passphraseCallback, &pass));
        if (key)
            return key;
    }
    BioPtr bio = readBio(data);
    return EvpPkeyPtr(d2i_PrivateKey_bio(bio.get(), nullptr));
}

std::optional<QSslKey> toQSslKey(EVP_PKEY *key, TlsProblem *problem, const QString &path)
{
    QSsl::KeyAlgorithm algorithm = QSsl::Opaque;
    switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
        algorithm = QSsl::Rsa;
        break;
    case EVP_PKEY_EC:
        algorithm = QSsl::Ec;
        break;
    case EVP_PKEY_DSA:
        algorithm = QSsl::Dsa;
        break;
    default:
        break;
    }
    QSslKey result;
    if (algorithm == QSsl::Opaque) {
        // Ed25519 and the like: Qt's OpenSSL backend takes the EVP_PKEY itself and owns it.
        EVP_PKEY_up_ref(key);
        result = QSslKey(reinterpret_cast<Qt::HANDLE>(key), QSsl::PrivateKey);
    } else {
        BioPtr out = writeBio();
        if (PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1)
            result = QSslKey(bioContents(out.get()), algorithm, QSsl::Pem, QSsl::PrivateKey);
    }
    if (result.isNull()) {
        report(problem, "tls-not-a-key",
               Tls::tr("The private key in %1 is of a kind that cannot be used here.")
                   .arg(shown(path)));
        return std::nullopt;
    }
    return result;
}

struct LoadedKey
{
    EvpPkeyPtr evp;
    QSslKey key;
};

std::optional<LoadedKey> loadKey(const QByteArray &data, const QString &path,
                                 const QByteArray &passphrase, bool keyInCertificateFile,
                                 TlsProblem *problem)
{
    EvpPkeyPtr evp = decodeKey(data, passphrase);
    ERR_clear_error();
    if (!evp) {
        if (looksEncrypted(data)) {
            if (passphrase.isEmpty())
                report(problem, "tls-wrong-passphrase",
                       Tls::tr("The private key in %1 is encrypted; enter its passphrase.")
                           .arg(shown(path)));
            else
                report(
                    problem, "tls-wrong-passphrase",
                    Tls::tr("The passphrase for the private key in %1 is wrong.").arg(shown(path)));
        } else if (keyInCertificateFile) {
            report(problem, "tls-not-a-key",
                   Tls::tr("No key file was chosen and %1 holds no private key. Choose the key "
                           "file too.")
                       .arg(shown(path)));
        } else if (data.contains("-----BEGIN CERTIFICATE-----")) {
            report(problem, "tls-not-a-key",
                   Tls::tr("%1 holds a certificate, not a private key. Choose the key file "
                           "(\"-----BEGIN PRIVATE KEY-----\") there.")
                       .arg(shown(path)));
        } else {
            report(
                problem, "tls-not-a-key",
                Tls::tr("%1 is not a private key: expected PEM (\"-----BEGIN PRIVATE KEY-----\") "
                        "or DER.")
                    .arg(shown(path)));
        }
        return std::nullopt;
    }
    std::optional<QSslKey> key = toQSslKey(evp.get(), problem, path);
    if (!key)
        return std::nullopt;
    return LoadedKey{std::move(evp), *key};
}

// OpenSSL 3 keeps the algorithms of old PKCS#12 files (RC2, 40-bit RC4) in the legacy
// provider. It is loaded only when such a file is met, and keeps the default provider.
bool loadLegacyProvider()
{
    // Unloaded at exit (before OpenSSL's own clean-up, registered earlier) so that leak
    // checkers stay quiet.
    static const std::unique_ptr<OSSL_PROVIDER, Deleter<&OSSL_PROVIDER_unload>> legacy(
        OSSL_PROVIDER_try_load(nullptr, "legacy", 1));
    ERR_clear_error();
    return legacy != nullptr;
}

struct Pkcs12Contents
{
    EvpPkeyPtr key;
    QList<QSslCertificate> chain;
};

bool pkcs12PasswordMatches(PKCS12 *p12, const QByteArray &passphrase)
{
    if (!PKCS12_mac_present(p12))
        return true;
    if (passphrase.isEmpty()) {
        // An empty password is encoded either as no password or as an empty string.
        return PKCS12_verify_mac(p12, nullptr, 0) == 1 || PKCS12_verify_mac(p12, "", 0) == 1;
    }
    return PKCS12_verify_mac(p12, passphrase.constData(), int(passphrase.size())) == 1;
}

std::optional<Pkcs12Contents> parsePkcs12(PKCS12 *p12, const QString &path,
                                          const QByteArray &passphrase, TlsProblem *problem)
{
    if (!pkcs12PasswordMatches(p12, passphrase)) {
        ERR_clear_error();
        if (passphrase.isEmpty())
            report(problem, "tls-wrong-passphrase",
                   Tls::tr("The PKCS#12 bundle %1 is protected by a password; enter it.")
                       .arg(shown(path)));
        else
            report(problem, "tls-wrong-passphrase",
                   Tls::tr("The password for the PKCS#12 bundle %1 is wrong.").arg(shown(path)));
        return std::nullopt;
    }
    const char *pass = passphrase.isEmpty() ? nullptr : passphrase.constData();
    for (int attempt = 0; attempt < 2; ++attempt) {
        EVP_PKEY *key = nullptr;
        X509 *certificate = nullptr;
        STACK_OF(X509) *others = nullptr;
        if (PKCS12_parse(p12, pass, &key, &certificate, &others) == 1) {
            Pkcs12Contents contents;
            contents.key.reset(key);
            X509Ptr owned(certificate);
            auto append = [&contents](X509 *x509) {
                const int size = i2d_X509(x509, nullptr);
                if (size <= 0)
                    return;
                QByteArray der(size, Qt::Uninitialized);
                auto *out = reinterpret_cast<unsigned char *>(der.data());
                i2d_X509(x509, &out);
                contents.chain.append(QSslCertificate(der, QSsl::Der));
            };
            if (certificate)
                append(certificate);
            for (int i = 0; others && i < sk_X509_num(others); ++i)
                append(sk_X509_value(others, i));
            sk_X509_pop_free(others, X509_free);
            return contents;
        }
        ERR_clear_error();
        if (attempt == 0 && !loadLegacyProvider())
            break;
    }
    report(
        problem, "tls-pkcs12-unsupported",
        Tls::tr("The PKCS#12 bundle %1 cannot be opened: it uses an encryption this OpenSSL does "
                "not offer. Export it again with AES (openssl pkcs12 -export -certpbe "
                "AES-256-CBC -keypbe AES-256-CBC).")
            .arg(shown(path)));
    return std::nullopt;
}

Pkcs12Ptr readPkcs12(const QByteArray &data)
{
    BioPtr bio = readBio(data);
    Pkcs12Ptr p12(d2i_PKCS12_bio(bio.get(), nullptr));
    ERR_clear_error();
    return p12;
}

bool checkValidity(const QSslCertificate &certificate, const QString &path, TlsProblem *problem)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (certificate.expiryDate() < now) {
        report(problem, "tls-certificate-expired",
               Tls::tr("The certificate in %1 expired on %2.")
                   .arg(shown(path), shownDate(certificate.expiryDate())));
        return false;
    }
    if (certificate.effectiveDate() > now) {
        report(problem, "tls-certificate-not-yet-valid",
               Tls::tr("The certificate in %1 is not valid before %2 (check the computer's clock).")
                   .arg(shown(path), shownDate(certificate.effectiveDate())));
        return false;
    }
    return true;
}

bool keyMatches(const QSslCertificate &certificate, EVP_PKEY *key)
{
    X509Ptr x509 = x509FromDer(certificate.toDer());
    const bool matches = x509 && X509_check_private_key(x509.get(), key) == 1;
    ERR_clear_error();
    return matches;
}

} // namespace

std::optional<QList<QSslCertificate>> loadCertificates(const QString &file, TlsProblem *problem)
{
    const std::optional<QByteArray> data = readFile(file, problem);
    if (!data)
        return std::nullopt;
    QList<QSslCertificate> certificates = parseCertificates(*data);
    if (certificates.isEmpty()) {
        reportNotACertificate(*data, file, problem);
        return std::nullopt;
    }
    return certificates;
}

std::optional<CertificateWithKey> loadCertificateAndKey(const QString &certificateFile,
                                                        const QString &keyFile,
                                                        const QByteArray &passphrase,
                                                        TlsProblem *problem)
{
    const std::optional<QByteArray> data = readFile(certificateFile, problem);
    if (!data)
        return std::nullopt;

    QList<QSslCertificate> chain;
    EvpPkeyPtr evp;
    QSslKey key;
    QString keyPath = keyFile;

    if (Pkcs12Ptr p12 = readPkcs12(*data)) {
        std::optional<Pkcs12Contents> contents
            = parsePkcs12(p12.get(), certificateFile, passphrase, problem);
        if (!contents)
            return std::nullopt;
        if (contents->chain.isEmpty()) {
            report(
                problem, "tls-not-a-certificate",
                Tls::tr("The PKCS#12 bundle %1 holds no certificate.").arg(shown(certificateFile)));
            return std::nullopt;
        }
        chain = contents->chain;
        if (contents->key) {
            std::optional<QSslKey> converted
                = toQSslKey(contents->key.get(), problem, certificateFile);
            if (!converted)
                return std::nullopt;
            key = *converted;
            evp = std::move(contents->key);
            keyPath = certificateFile;
        } else if (keyFile.isEmpty()) {
            report(problem, "tls-not-a-key",
                   Tls::tr("The PKCS#12 bundle %1 holds no private key. Choose a key file too.")
                       .arg(shown(certificateFile)));
            return std::nullopt;
        }
    } else {
        chain = parseCertificates(*data);
        if (chain.isEmpty()) {
            reportNotACertificate(*data, certificateFile, problem);
            return std::nullopt;
        }
    }

    if (!evp) {
        const bool combined = keyFile.isEmpty();
        std::optional<QByteArray> keyData;
        if (combined) {
            keyData = data;
            keyPath = certificateFile;
        } else {
            keyData = readFile(keyFile, problem);
            if (!keyData)
                return std::nullopt;
        }
        std::optional<LoadedKey> loaded = loadKey(*keyData, keyPath, passphrase, combined, problem);
        if (!loaded)
            return std::nullopt;
        evp = std::move(loaded->evp);
        key = loaded->key;
    }

    // The certificate that belongs to the key goes first, whatever order the file used.
    const auto owner = std::find_if(chain.cbegin(), chain.cend(),
                                    [&evp](const auto &c) { return keyMatches(c, evp.get()); });
    if (owner == chain.cend()) {
        if (keyPath == certificateFile)
            report(problem, "tls-key-mismatch",
                   Tls::tr("The private key in %1 does not belong to its certificate.")
                       .arg(shown(certificateFile)));
        else
            report(problem, "tls-key-mismatch",
                   Tls::tr("The private key in %1 does not belong to the certificate in %2.")
                       .arg(shown(keyPath), shown(certificateFile)));
        return std::nullopt;
    }
    if (owner != chain.cbegin())
        chain.move(owner - chain.cbegin(), 0);

    if (!checkValidity(chain.constFirst(), certificateFile, problem))
        return std::nullopt;
    return CertificateWithKey{chain, key};
}

} // namespace sockpit::tls
