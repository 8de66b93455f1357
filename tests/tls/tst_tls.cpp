#include "tlstestfiles.h"

#include "tls/certificatefiles.h"
#include "tls/selfsignedcertificate.h"
#include "tls/tlscontext.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificateExtension>
#include <QSslServer>
#include <QSslSocket>
#include <QTest>

using namespace sockpit;
using namespace sockpit::tls;

class tst_Tls : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    void loading_data();
    void loading();
    void chainIsSentLeafFirst_data();
    void chainIsSentLeafFirst();
    void messagesNeverShowThePassphrase();

    void serverConfigurationFromFiles();
    void serverConfigurationRequiringClientCertificates();
    void serverConfigurationNeedsClientCaToRequireCertificates();
    void serverConfigurationReportsTheFirstProblem();
    void serverConfigurationSelfSigned();
    void clientConfigurationAddsTheCaToTheSystemOnes();
    void clientConfigurationWithClientCertificate();
    void clientConfigurationKeyWithoutCertificate();
    void clientConfigurationIgnoringErrorsStillVerifies();

    void selfSignedNamesTheLocalHost();
    void selfSignedRefusesBadNames_data();
    void selfSignedRefusesBadNames();
    void selfSignedValidityAndFingerprint();
    void selfSignedIsItsOwnCa();
    void selfSignedSavedFilesLoadAgain();
    void savingReportsTheFile();

    void roundTrip_data();
    void roundTrip();

private:
    QString file(const char *name) const { return m_files.path(QLatin1StringView(name)); }

    TlsTestFiles m_files;
};

void tst_Tls::initTestCase()
{
    const QString failure = m_files.create();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void tst_Tls::loading_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::addColumn<QString>("problem"); // empty: loads
    QTest::addColumn<QString>("named"); // a file the message must name

    const QByteArray pass(TlsTestFiles::kPassphrase);
    const QByteArray wrong("not the passphrase");
    const QString none;

    QTest::newRow("a PEM certificate and its PEM key load")
        << file("server.pem") << file("server.key") << QByteArray() << none << none;
    QTest::newRow("a PEM chain with the CA after the certificate loads")
        << file("server-then-ca.pem") << file("server.key") << QByteArray() << none << none;
    QTest::newRow("a combined PEM loads without a key file")
        << file("combined.pem") << QString() << QByteArray() << none << none;
    QTest::newRow("a DER certificate with a PEM key loads")
        << file("server.der") << file("server.key") << QByteArray() << none << none;
    QTest::newRow("an RSA pair loads")
        << file("rsa.pem") << file("rsa.key") << QByteArray() << none << none;
    QTest::newRow("a PKCS#12 bundle with the right password loads")
        << file("server.p12") << QString() << pass << none << none;
    QTest::newRow("a legacy (RC2) PKCS#12 bundle with the right password loads")
        << file("server-legacy.p12") << QString() << pass << none << none;
    QTest::newRow("a PKCS#12 bundle with a wrong password is refused")
        << file("server.p12") << QString() << wrong << QStringLiteral("tls-wrong-passphrase")
        << file("server.p12");
    QTest::newRow("a PKCS#12 bundle without its password is refused")
        << file("server.p12") << QString() << QByteArray() << QStringLiteral("tls-wrong-passphrase")
        << file("server.p12");
    QTest::newRow("an encrypted PKCS#8 key with the right passphrase loads")
        << file("server.pem") << file("server-pkcs8-encrypted.key") << pass << none << none;
    QTest::newRow("an encrypted traditional key with the right passphrase loads")
        << file("server.pem") << file("server-traditional-encrypted.key") << pass << none << none;
    QTest::newRow("an encrypted PKCS#8 key with a wrong passphrase is refused")
        << file("server.pem") << file("server-pkcs8-encrypted.key") << wrong
        << QStringLiteral("tls-wrong-passphrase") << file("server-pkcs8-encrypted.key");
    QTest::newRow("an encrypted traditional key with a wrong passphrase is refused")
        << file("server.pem") << file("server-traditional-encrypted.key") << wrong
        << QStringLiteral("tls-wrong-passphrase") << file("server-traditional-encrypted.key");
    QTest::newRow("an encrypted key without a passphrase is refused")
        << file("server.pem") << file("server-pkcs8-encrypted.key") << QByteArray()
        << QStringLiteral("tls-wrong-passphrase") << file("server-pkcs8-encrypted.key");
    QTest::newRow("the key of another certificate is refused")
        << file("server.pem") << file("client.key") << QByteArray()
        << QStringLiteral("tls-key-mismatch") << file("client.key");
    QTest::newRow("a missing certificate file is named")
        << file("absent.pem") << file("server.key") << QByteArray()
        << QStringLiteral("tls-file-not-found") << file("absent.pem");
    QTest::newRow("a missing key file is named")
        << file("server.pem") << file("absent.key") << QByteArray()
        << QStringLiteral("tls-file-not-found") << file("absent.key");
    QTest::newRow("a folder as the certificate is refused")
        << m_files.path(QString()) << file("server.key") << QByteArray()
        << QStringLiteral("tls-file-unreadable") << QString();
    QTest::newRow("a text file as the certificate is refused")
        << file("notes.txt") << file("server.key") << QByteArray()
        << QStringLiteral("tls-not-a-certificate") << file("notes.txt");
    QTest::newRow("a key chosen as the certificate is refused")
        << file("server.key") << file("server.key") << QByteArray()
        << QStringLiteral("tls-not-a-certificate") << file("server.key");
    QTest::newRow("a certificate chosen as the key is refused")
        << file("server.pem") << file("ca.pem") << QByteArray() << QStringLiteral("tls-not-a-key")
        << file("ca.pem");
    QTest::newRow("a text file as the key is refused")
        << file("server.pem") << file("notes.txt") << QByteArray()
        << QStringLiteral("tls-not-a-key") << file("notes.txt");
    QTest::newRow("a certificate alone without a key file is refused")
        << file("server.pem") << QString() << QByteArray() << QStringLiteral("tls-not-a-key")
        << file("server.pem");
    QTest::newRow("an expired certificate is refused")
        << file("expired.pem") << file("expired.key") << QByteArray()
        << QStringLiteral("tls-certificate-expired") << file("expired.pem");
    QTest::newRow("a certificate valid only from tomorrow is refused")
        << file("future.pem") << file("future.key") << QByteArray()
        << QStringLiteral("tls-certificate-not-yet-valid") << file("future.pem");
}

void tst_Tls::loading()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(QByteArray, passphrase);
    QFETCH(QString, problem);
    QFETCH(QString, named);

    TlsProblem found;
    const std::optional<CertificateWithKey> loaded
        = loadCertificateAndKey(certificate, key, passphrase, &found);
    if (problem.isEmpty()) {
        QVERIFY2(loaded, qPrintable(found.message));
        QVERIFY(!loaded->key.isNull());
        QCOMPARE(loaded->key.type(), QSsl::PrivateKey);
        QVERIFY(!loaded->chain.isEmpty());
        QCOMPARE(loaded->chain.constFirst().subjectInfo(QSslCertificate::CommonName),
                 QStringList{QStringLiteral("localhost")});
        return;
    }
    QVERIFY(!loaded);
    QCOMPARE(found.id, problem);
    QVERIFY(!found.message.isEmpty());
    if (!named.isEmpty())
        QVERIFY2(found.message.contains(named), qPrintable(found.message));
}

void tst_Tls::chainIsSentLeafFirst_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::newRow("the CA after the certificate") << file("server-then-ca.pem");
    QTest::newRow("the CA before the certificate") << file("ca-then-server.pem");
    QTest::newRow("a PKCS#12 bundle with the CA") << file("server.p12");
}

void tst_Tls::chainIsSentLeafFirst()
{
    QFETCH(QString, certificate);
    TlsProblem problem;
    const auto loaded = loadCertificateAndKey(certificate, file("server.key"),
                                              QByteArray(TlsTestFiles::kPassphrase), &problem);
    QVERIFY2(loaded, qPrintable(problem.message));
    QCOMPARE(loaded->chain,
             (QList<QSslCertificate>{m_files.server.certificate, m_files.ca.certificate}));
}

void tst_Tls::messagesNeverShowThePassphrase()
{
    const QByteArray wrong("hunter2-secret");
    for (const char *name : {"server.p12", "server-pkcs8-encrypted.key"}) {
        TlsProblem problem;
        const bool bundle = QByteArray(name).endsWith(".p12");
        QVERIFY(!loadCertificateAndKey(bundle ? file(name) : file("server.pem"),
                                       bundle ? QString() : file(name), wrong, &problem));
        QCOMPARE(problem.id, QStringLiteral("tls-wrong-passphrase"));
        QVERIFY(!problem.message.contains(QLatin1StringView(wrong)));
        QVERIFY(!problem.message.contains(QStringLiteral("PRIVATE KEY")));
    }
}

void tst_Tls::serverConfigurationFromFiles()
{
    TlsServerSettings settings;
    settings.enabled = true;
    settings.certificateFile = file("server-then-ca.pem");
    settings.keyFile = file("server-pkcs8-encrypted.key");
    settings.passphrase = TlsTestFiles::kPassphrase;
    TlsProblem problem;
    const auto configuration = serverConfiguration(settings, &problem);
    QVERIFY2(configuration, qPrintable(problem.message));
    QCOMPARE(configuration->localCertificate(), m_files.server.certificate);
    QCOMPARE(configuration->localCertificateChain().size(), 2);
    QCOMPARE(configuration->privateKey().toPem(), m_files.server.key.toPem());
    QCOMPARE(configuration->peerVerifyMode(), QSslSocket::VerifyNone);
    QCOMPARE(configuration->protocol(), QSsl::TlsV1_2OrLater);
}

void tst_Tls::serverConfigurationRequiringClientCertificates()
{
    TlsServerSettings settings;
    settings.certificateFile = file("server.pem");
    settings.keyFile = file("server.key");
    settings.requireClientCertificate = true;
    settings.clientCaFile = file("ca.pem");
    TlsProblem problem;
    const auto configuration = serverConfiguration(settings, &problem);
    QVERIFY2(configuration, qPrintable(problem.message));
    QCOMPARE(configuration->peerVerifyMode(), QSslSocket::VerifyPeer);
    QCOMPARE(configuration->caCertificates(), QList<QSslCertificate>{m_files.ca.certificate});
}

void tst_Tls::serverConfigurationNeedsClientCaToRequireCertificates()
{
    TlsServerSettings settings;
    settings.certificateFile = file("server.pem");
    settings.keyFile = file("server.key");
    settings.requireClientCertificate = true;
    TlsProblem problem;
    QVERIFY(!serverConfiguration(settings, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-client-ca-missing"));

    settings.clientCaFile = file("notes.txt");
    QVERIFY(!serverConfiguration(settings, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-not-a-certificate"));
    QVERIFY(problem.message.contains(file("notes.txt")));
}

void tst_Tls::serverConfigurationReportsTheFirstProblem()
{
    TlsServerSettings settings;
    TlsProblem problem;
    QVERIFY(!serverConfiguration(settings, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-file-not-found"));

    settings.certificateFile = file("server.p12");
    settings.passphrase = "wrong";
    QVERIFY(!serverConfiguration(settings, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-wrong-passphrase"));

    settings.passphrase = TlsTestFiles::kPassphrase;
    problem = {};
    const auto configuration = serverConfiguration(settings, &problem);
    QVERIFY2(configuration, qPrintable(problem.message));
    QCOMPARE(configuration->localCertificate(), m_files.server.certificate);
    QVERIFY(!configuration->privateKey().isNull());
}

void tst_Tls::serverConfigurationSelfSigned()
{
    TlsServerSettings settings;
    settings.selfSigned = true;
    settings.selfSignedExtraNames = {QStringLiteral("sockpit.test")};
    TlsProblem problem;
    const auto configuration = serverConfiguration(settings, &problem);
    QVERIFY2(configuration, qPrintable(problem.message));
    const QSslCertificate certificate = configuration->localCertificate();
    QVERIFY(certificate.isSelfSigned());
    QVERIFY(certificate.subjectAlternativeNames()
                .values(QSsl::DnsEntry)
                .contains(QStringLiteral("sockpit.test")));
    QVERIFY(!configuration->privateKey().isNull());
    QVERIFY(certificate.expiryDate() > QDateTime::currentDateTimeUtc().addDays(29));
}

void tst_Tls::clientConfigurationAddsTheCaToTheSystemOnes()
{
    TlsClientSettings settings;
    settings.caFile = file("ca.pem");
    TlsProblem problem;
    const auto configuration = clientConfiguration(settings, &problem);
    QVERIFY2(configuration, qPrintable(problem.message));
    const QList<QSslCertificate> authorities = configuration->caCertificates();
    QVERIFY(authorities.contains(m_files.ca.certificate));
    for (const QSslCertificate &system : QSslConfiguration::systemCaCertificates())
        QVERIFY(authorities.contains(system));
    QCOMPARE(configuration->peerVerifyMode(), QSslSocket::VerifyPeer);

    settings.caFile = file("absent.pem");
    QVERIFY(!clientConfiguration(settings, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-file-not-found"));
    QVERIFY(problem.message.contains(file("absent.pem")));
}

void tst_Tls::clientConfigurationWithClientCertificate()
{
    TlsClientSettings settings;
    settings.certificateFile = file("client.pem");
    settings.keyFile = file("client.key");
    TlsProblem problem;
    const auto configuration = clientConfiguration(settings, &problem);
    QVERIFY2(configuration, qPrintable(problem.message));
    QCOMPARE(configuration->localCertificate(), m_files.client.certificate);
    QVERIFY(!configuration->privateKey().isNull());

    settings.keyFile = file("server.key");
    QVERIFY(!clientConfiguration(settings, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-key-mismatch"));
}

void tst_Tls::clientConfigurationKeyWithoutCertificate()
{
    TlsClientSettings settings;
    settings.keyFile = file("client.key");
    TlsProblem problem;
    QVERIFY(!clientConfiguration(settings, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-not-a-certificate"));
}

void tst_Tls::clientConfigurationIgnoringErrorsStillVerifies()
{
    TlsClientSettings settings;
    settings.ignoreCertificateErrors = true;
    TlsProblem problem;
    const auto configuration = clientConfiguration(settings, &problem);
    QVERIFY2(configuration, qPrintable(problem.message));
    // Errors are still found (and logged); the session ignores them itself.
    QCOMPARE(configuration->peerVerifyMode(), QSslSocket::VerifyPeer);
}

void tst_Tls::selfSignedNamesTheLocalHost()
{
    TlsProblem problem;
    const auto generated = generateSelfSigned(
        {QStringLiteral("sockpit.test"), QStringLiteral(" 192.168.10.5 "), QStringLiteral("  "),
         QStringLiteral("LOCALHOST"), QStringLiteral("fd00::5")},
        10, &problem);
    QVERIFY2(generated, qPrintable(problem.message));
    const auto names = generated->certificate.subjectAlternativeNames();
    QStringList dns = names.values(QSsl::DnsEntry);
    dns.sort();
    QCOMPARE(dns, (QStringList{QStringLiteral("localhost"), QStringLiteral("sockpit.test")}));
    QList<QHostAddress> addresses;
    for (const QString &ip : names.values(QSsl::IpAddressEntry))
        addresses.append(QHostAddress(ip));
    const QList<QHostAddress> expected{
        QHostAddress(QStringLiteral("127.0.0.1")), QHostAddress(QStringLiteral("::1")),
        QHostAddress(QStringLiteral("192.168.10.5")), QHostAddress(QStringLiteral("fd00::5"))};
    QCOMPARE(addresses.size(), expected.size());
    for (const QHostAddress &address : expected)
        QVERIFY2(addresses.contains(address), qPrintable(address.toString()));

    const CertificateInfo info = describeCertificate(generated->certificate);
    QCOMPARE(info.subject, QStringLiteral("CN=localhost, O=Sockpit"));
    QCOMPARE(info.issuer, info.subject);
}

void tst_Tls::selfSignedRefusesBadNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("a space inside") << QStringLiteral("my host");
    QTest::newRow("a comma that would add a name") << QStringLiteral("a.test,DNS:evil.test");
    QTest::newRow("a URL") << QStringLiteral("https://localhost/");
}

void tst_Tls::selfSignedRefusesBadNames()
{
    QFETCH(QString, name);
    TlsProblem problem;
    QVERIFY(!generateSelfSigned({name}, 10, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-invalid-name"));
    QVERIFY(problem.message.contains(name));
}

void tst_Tls::selfSignedValidityAndFingerprint()
{
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    TlsProblem problem;
    const auto generated = generateSelfSigned({}, 7, &problem);
    const QDateTime after = QDateTime::currentDateTimeUtc().addSecs(1);
    QVERIFY2(generated, qPrintable(problem.message));

    const CertificateInfo info = describeCertificate(generated->certificate);
    QVERIFY(info.notBefore >= before && info.notBefore <= after);
    QCOMPARE(info.notAfter, info.notBefore.addDays(7));

    QString fingerprint = sha256Fingerprint(generated->certificate);
    QVERIFY(QRegularExpression(QStringLiteral("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"))
                .match(fingerprint)
                .hasMatch());
    const QByteArray digest
        = QCryptographicHash::hash(generated->certificate.toDer(), QCryptographicHash::Sha256);
    QCOMPARE(fingerprint.remove(u':'), QString::fromLatin1(digest.toHex().toUpper()));
    QCOMPARE(info.sha256, sha256Fingerprint(generated->certificate));
    QVERIFY(sha256Fingerprint(QSslCertificate()).isEmpty());

    // Two certificates never share a serial number or a key.
    const auto other = generateSelfSigned({}, 7, &problem);
    QVERIFY(other);
    QVERIFY(other->certificate.serialNumber() != generated->certificate.serialNumber());
    QVERIFY(other->keyPem != generated->keyPem);
}

void tst_Tls::selfSignedIsItsOwnCa()
{
    TlsProblem problem;
    const auto generated = generateSelfSigned({}, 7, &problem);
    QVERIFY2(generated, qPrintable(problem.message));
    QVERIFY(generated->certificate.isSelfSigned());
    QCOMPARE(generated->certificate.version(), QByteArray("3"));
    bool sawCa = false;
    bool sawServerAuth = false;
    bool signsCertificates = false;
    for (const QSslCertificateExtension &extension : generated->certificate.extensions()) {
        if (extension.name() == QLatin1StringView("basicConstraints"))
            sawCa = extension.value().toMap().value(QStringLiteral("ca")).toBool();
        if (extension.name() == QLatin1StringView("extendedKeyUsage"))
            sawServerAuth = extension.value().toStringList().contains(
                QStringLiteral("TLS Web Server Authentication"));
        if (extension.name() == QLatin1StringView("keyUsage"))
            signsCertificates
                = extension.value().toStringList().contains(QStringLiteral("Certificate Sign"));
    }
    QVERIFY(sawCa);
    QVERIFY(sawServerAuth);
    QVERIFY(signsCertificates);
    QVERIFY(generated->keyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
    QCOMPARE(generated->key.algorithm(), QSsl::Ec);
}

void tst_Tls::selfSignedSavedFilesLoadAgain()
{
    TlsProblem problem;
    const auto generated = generateSelfSigned({}, 7, &problem);
    QVERIFY2(generated, qPrintable(problem.message));
    const QString certificateFile = file("saved.pem");
    const QString keyFile = file("saved.key");
    // An existing world-readable key file is tightened, not kept as it was.
    {
        QFile old(keyFile);
        QVERIFY(old.open(QIODevice::WriteOnly));
        QVERIFY(old.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
    }
    QVERIFY2(saveCertificateFiles(*generated, certificateFile, keyFile, &problem),
             qPrintable(problem.message));
    QCOMPARE(QFile::permissions(keyFile) & ~(QFile::ReadUser | QFile::WriteUser),
             QFile::ReadOwner | QFile::WriteOwner);
    QVERIFY(QFile::permissions(certificateFile).testFlag(QFile::ReadOther));
    auto loaded = loadCertificateAndKey(certificateFile, keyFile, {}, &problem);
    QVERIFY2(loaded, qPrintable(problem.message));
    QCOMPARE(loaded->chain.constFirst(), generated->certificate);

    const QByteArray pass("saved passphrase");
    QVERIFY(saveCertificateFiles(*generated, certificateFile, keyFile, &problem, pass));
    QFile keyText(keyFile);
    QVERIFY(keyText.open(QIODevice::ReadOnly));
    QVERIFY(keyText.readAll().startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    QVERIFY(loadCertificateAndKey(certificateFile, keyFile, pass, &problem));
    QVERIFY(!loadCertificateAndKey(certificateFile, keyFile, {}, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-wrong-passphrase"));
}

void tst_Tls::savingReportsTheFile()
{
    TlsProblem problem;
    const auto generated = generateSelfSigned({}, 7, &problem);
    QVERIFY(generated);
    const QString keyFile = file("no such folder/saved.key");
    QVERIFY(!saveCertificateFiles(*generated, file("no such folder/saved.pem"), keyFile, &problem));
    QCOMPARE(problem.id, QStringLiteral("tls-save-failed"));
    QVERIFY2(problem.message.contains(keyFile), qPrintable(problem.message));
}

void tst_Tls::roundTrip_data()
{
    QTest::addColumn<QString>("serverFiles"); // "pem", "p12" or "self-signed"
    QTest::addColumn<bool>("requireClientCertificate");
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("trustCa");
    QTest::addColumn<bool>("ignoreErrors");
    QTest::addColumn<QString>("clientCertificate"); // "client", "stranger" or empty
    QTest::addColumn<bool>("connects");

    const QString localhost = QStringLiteral("localhost");
    const QString pem = QStringLiteral("pem");
    QTest::newRow("a client that trusts the CA connects by name")
        << pem << false << localhost << true << false << QString() << true;
    QTest::newRow("a client that trusts the CA connects by address")
        << pem << false << QStringLiteral("127.0.0.1") << true << false << QString() << true;
    QTest::newRow("a server with a PKCS#12 bundle serves a client that trusts the CA")
        << QStringLiteral("p12") << false << localhost << true << false << QString() << true;
    QTest::newRow("a self-signed server serves a client given its certificate as CA")
        << QStringLiteral("self-signed") << false << localhost << true << false << QString()
        << true;
    QTest::newRow("a client without the CA fails and is told why")
        << pem << false << localhost << false << false << QString() << false;
    QTest::newRow("a client that ignores certificate errors connects and lists them")
        << pem << false << localhost << false << true << QString() << true;
    QTest::newRow("mutual TLS accepts a client certificate from the CA")
        << pem << true << localhost << true << false << QStringLiteral("client") << true;
    QTest::newRow("mutual TLS refuses a client without a certificate")
        << pem << true << localhost << true << false << QString() << false;
    QTest::newRow("mutual TLS refuses a client certificate from another CA")
        << pem << true << localhost << true << false << QStringLiteral("stranger") << false;
}

void tst_Tls::roundTrip()
{
    QFETCH(QString, serverFiles);
    QFETCH(bool, requireClientCertificate);
    QFETCH(QString, host);
    QFETCH(bool, trustCa);
    QFETCH(bool, ignoreErrors);
    QFETCH(QString, clientCertificate);
    QFETCH(bool, connects);

    TlsServerSettings serverSettings;
    QString caFile = file("ca.pem");
    if (serverFiles == QLatin1StringView("pem")) {
        serverSettings.certificateFile = file("server.pem");
        serverSettings.keyFile = file("server.key");
    } else if (serverFiles == QLatin1StringView("p12")) {
        serverSettings.certificateFile = file("server.p12");
        serverSettings.passphrase = TlsTestFiles::kPassphrase;
    } else {
        serverSettings.selfSigned = true;
    }
    serverSettings.requireClientCertificate = requireClientCertificate;
    serverSettings.clientCaFile = file("ca.pem");
    TlsProblem problem;
    const auto serverTls = serverConfiguration(serverSettings, &problem);
    QVERIFY2(serverTls, qPrintable(problem.message));
    if (serverSettings.selfSigned) {
        caFile = file("self-signed-ca.pem");
        QFile out(caFile);
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(serverTls->localCertificate().toPem());
    }

    TlsClientSettings clientSettings;
    if (trustCa)
        clientSettings.caFile = caFile;
    if (!clientCertificate.isEmpty()) {
        clientSettings.certificateFile = file(qPrintable(clientCertificate + u".pem"));
        clientSettings.keyFile = file(qPrintable(clientCertificate + u".key"));
    }
    clientSettings.ignoreCertificateErrors = ignoreErrors;
    const auto clientTls = clientConfiguration(clientSettings, &problem);
    QVERIFY2(clientTls, qPrintable(problem.message));

    QSslServer server;
    server.setSslConfiguration(*serverTls);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    bool serverEncrypted = false;
    bool serverFailed = false;
    TlsInfo serverSide;
    connect(&server, &QSslServer::startedEncryptionHandshake, this,
            [&serverEncrypted, &serverSide](QSslSocket *socket) {
                connect(socket, &QSslSocket::encrypted, socket,
                        [socket, &serverEncrypted, &serverSide] {
                            serverSide = describeSession(socket->sslConfiguration(), {}, false);
                            serverEncrypted = true;
                        });
            });
    connect(&server, &QSslServer::errorOccurred, this,
            [&serverFailed](QSslSocket *, QAbstractSocket::SocketError) { serverFailed = true; });
    connect(&server, &QSslServer::sslErrors, this,
            [&serverFailed](QSslSocket *, const QList<QSslError> &) { serverFailed = true; });

    QSslSocket client;
    client.setSslConfiguration(*clientTls);
    QList<QSslError> clientErrors;
    bool clientFailed = false;
    connect(&client, &QSslSocket::sslErrors, this,
            [&client, &clientErrors, ignoreErrors](const QList<QSslError> &errors) {
                clientErrors += errors;
                if (ignoreErrors)
                    client.ignoreSslErrors();
            });
    connect(&client, &QSslSocket::errorOccurred, this,
            [&clientFailed](QAbstractSocket::SocketError) { clientFailed = true; });
    QSignalSpy clientEncrypted(&client, &QSslSocket::encrypted);
    client.connectToHostEncrypted(host, server.serverPort());

    QTRY_VERIFY_WITH_TIMEOUT(
        (serverEncrypted && !clientEncrypted.isEmpty()) || clientFailed || serverFailed, 15000);

    const TlsInfo clientSide
        = describeSession(client.sslConfiguration(), clientErrors, ignoreErrors);
    if (!connects) {
        QVERIFY(!serverEncrypted);
        if (!requireClientCertificate) {
            QVERIFY(clientEncrypted.isEmpty());
            QVERIFY(!clientErrors.isEmpty());
            QVERIFY(!clientSide.errors.isEmpty());
            QVERIFY2(clientSide.errors.join(u' ').contains(QStringLiteral("certificate")),
                     qPrintable(clientSide.errors.join(u' ')));
        }
        return;
    }

    QVERIFY2(serverEncrypted && !clientEncrypted.isEmpty(),
             qPrintable(clientSide.errors.join(u' ') + client.errorString()));
    QCOMPARE(clientSide.protocol, QStringLiteral("TLSv1.3"));
    QVERIFY(!clientSide.cipher.isEmpty());
    QVERIFY(clientSide.peerCertificate);
    QCOMPARE(clientSide.peerCertificate->subject, QStringLiteral("CN=localhost, O=Sockpit"));
    QCOMPARE(clientSide.peerCertificate->sha256, sha256Fingerprint(serverTls->localCertificate()));
    QCOMPARE(clientSide.verificationDisabled, ignoreErrors);
    QCOMPARE(clientSide.errors.isEmpty(), !ignoreErrors);
    if (serverFiles == QLatin1StringView("pem"))
        QCOMPARE(clientSide.peerCertificate->issuer,
                 QStringLiteral("CN=Sockpit Test CA, O=Sockpit"));
    QCOMPARE(serverSide.protocol, clientSide.protocol);
    QCOMPARE(serverSide.cipher, clientSide.cipher);
    if (requireClientCertificate) {
        QVERIFY(serverSide.peerCertificate);
        QCOMPARE(serverSide.peerCertificate->subject, QStringLiteral("CN=test client, O=Sockpit"));
    } else {
        QVERIFY(!serverSide.peerCertificate);
    }
}

QTEST_GUILESS_MAIN(tst_Tls)
#include "tst_tls.moc"
