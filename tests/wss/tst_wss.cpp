// wss end to end on loopback: the embedded server with chosen certificate files (PEM,
// PKCS#12, encrypted keys), refusals that name the file, a self-signed certificate in
// memory, clients that trust the CA or do not, mutual TLS, and ClientSession's TLS log.

#include "client/clientsession.h"
#include "events/eventstore.h"
#include "server/embeddedserver.h"
#include "tls/tlscontext.h"
#include "tlstestfiles.h"

#include <QFile>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCipher>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTest>
#include <QWebSocket>

#include <algorithm>
#include <memory>

using namespace sockpit;

namespace {

constexpr int kTimeoutMs = 20000;

// Every event of one store, in order.
struct Recorder
{
    EventStore store;
    QList<Event> events;

    Recorder()
    {
        QObject::connect(&store, &EventStore::recorded, &store,
                         [this](const Event &e) { events.append(e); });
    }

    QList<Event> of(EventKind kind, EventSource source) const
    {
        QList<Event> result;
        for (const Event &e : events) {
            if (e.kind == kind && e.source == source)
                result.append(e);
        }
        return result;
    }
    QList<Event> errors(const QString &id) const
    {
        QList<Event> result;
        for (const Event &e : events) {
            if (e.kind == EventKind::Error && e.errorId == id)
                result.append(e);
        }
        return result;
    }
};

ServerConfig wssConfig(const TlsServerSettings &tls)
{
    ServerConfig config;
    config.port = 0;
    config.replyTemplate = QStringLiteral("Server says: %m");
    config.tls = tls;
    config.tls.enabled = true;
    return config;
}

// A QWebSocket that verifies the server against `authorities` (and presents a client
// certificate when one is given).
struct TestClient
{
    QWebSocket socket;
    QSignalSpy connected{&socket, &QWebSocket::connected};
    QSignalSpy disconnected{&socket, &QWebSocket::disconnected};
    QSignalSpy sslErrors{&socket, &QWebSocket::sslErrors};
    QSignalSpy messages{&socket, &QWebSocket::textMessageReceived};

    TestClient(const QUrl &url, const QList<QSslCertificate> &authorities,
               const QList<QSslCertificate> &clientChain = {}, const QSslKey &clientKey = {})
    {
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        if (!authorities.isEmpty())
            ssl.setCaCertificates(authorities);
        ssl.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (!clientChain.isEmpty()) {
            ssl.setLocalCertificateChain(clientChain);
            ssl.setPrivateKey(clientKey);
        }
        socket.setSslConfiguration(ssl);
        socket.open(QNetworkRequest(url));
    }
};

} // namespace

class tst_Wss : public QObject
{
    Q_OBJECT

private:
    TlsTestFiles m_files;
    QString file(const char *name) const { return m_files.path(QString::fromLatin1(name)); }

private Q_SLOTS:
    void initTestCase();
    void servesWithChosenFiles_data();
    void servesWithChosenFiles();
    void refusesBadFilesWithoutListening_data();
    void refusesBadFilesWithoutListening();
    void servesASelfSignedCertificateMadeInMemory();
    void clientWithoutTheCaFailsAndTheServerRecordsIt();
    void mutualTls_data();
    void mutualTls();
    void clientSessionTls_data();
    void clientSessionTls();
    void clientSessionPresentsItsCertificate();
};

void tst_Wss::initTestCase()
{
    const QString failure = m_files.create();
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
}

void tst_Wss::servesWithChosenFiles_data()
{
    QTest::addColumn<QString>("certificateFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QByteArray>("passphrase");
    const QByteArray pass(TlsTestFiles::kPassphrase);
    QTest::newRow("a PEM certificate and its PEM key serve wss")
        << file("server.pem") << file("server.key") << QByteArray();
    QTest::newRow("a chain with the CA first serves wss")
        << file("ca-then-server.pem") << file("server.key") << QByteArray();
    QTest::newRow("a PKCS#12 bundle with the right password serves wss")
        << file("server.p12") << QString() << pass;
    QTest::newRow("an encrypted PKCS#8 key with its passphrase serves wss")
        << file("server.pem") << file("server-pkcs8-encrypted.key") << pass;
    QTest::newRow("an encrypted traditional key with its passphrase serves wss")
        << file("server.pem") << file("server-traditional-encrypted.key") << pass;
}

void tst_Wss::servesWithChosenFiles()
{
    QFETCH(QString, certificateFile);
    QFETCH(QString, keyFile);
    QFETCH(QByteArray, passphrase);

    Recorder r;
    EmbeddedServer server(&r.store);
    TlsServerSettings tls;
    tls.certificateFile = certificateFile;
    tls.keyFile = keyFile;
    tls.passphrase = passphrase;
    QVERIFY2(server.start(wssConfig(tls)), qPrintable(server.errorString()));
    QCOMPARE(server.url().scheme(), QStringLiteral("wss"));
    QCOMPARE(server.localCertificate(), m_files.server.certificate);
    QCOMPARE(r.of(EventKind::Listening, EventSource::Server).size(), 1);
    QVERIFY(r.of(EventKind::Listening, EventSource::Server)
                .first()
                .url.startsWith(QStringLiteral("wss://localhost:")));

    TestClient client(server.url(), {m_files.ca.certificate});
    QTRY_COMPARE_WITH_TIMEOUT(client.connected.size(), 1, kTimeoutMs);
    QCOMPARE(client.sslErrors.size(), 0);
    QCOMPARE(client.socket.sslConfiguration().peerCertificate(), m_files.server.certificate);
    client.socket.sendTextMessage(QStringLiteral("hi"));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, kTimeoutMs);
    QCOMPARE(client.messages.first().first().toString(), QStringLiteral("Server says: hi"));

    const QList<Event> tlsEvents = r.of(EventKind::Tls, EventSource::Server);
    QCOMPARE(tlsEvents.size(), 1);
    const Event &e = tlsEvents.first();
    QVERIFY(e.connection > 0);
    QVERIFY(e.tls);
    QVERIFY2(e.tls->protocol == QLatin1StringView("TLSv1.3")
                 || e.tls->protocol == QLatin1StringView("TLSv1.2"),
             qPrintable(e.tls->protocol));
    QVERIFY(!e.tls->cipher.isEmpty());
    QCOMPARE(e.tls->cipher, client.socket.sslConfiguration().sessionCipher().name());
    QVERIFY(e.tls->errors.isEmpty());
    QVERIFY(!e.tls->peerCertificate); // no client certificate was asked for
    // The same connection id carries the open and the messages.
    const QList<Event> opens = r.of(EventKind::Open, EventSource::Server);
    QCOMPARE(opens.size(), 1);
    QCOMPARE(opens.first().connection, e.connection);
    QVERIFY(server.connection(e.connection)->secure);

    // Nothing the server recorded carries the key or its passphrase.
    for (const Event &any : std::as_const(r.events)) {
        QVERIFY(!any.error.contains(QLatin1StringView("PRIVATE KEY")));
        if (!passphrase.isEmpty())
            QVERIFY(!any.error.contains(QString::fromUtf8(passphrase)));
    }
    client.socket.close();
    QTRY_COMPARE_WITH_TIMEOUT(client.disconnected.size(), 1, kTimeoutMs);
}

void tst_Wss::refusesBadFilesWithoutListening_data()
{
    QTest::addColumn<QString>("certificateFile");
    QTest::addColumn<QString>("keyFile");
    QTest::addColumn<QByteArray>("passphrase");
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("named");
    const QByteArray wrong("not the password");
    QTest::newRow("a PKCS#12 bundle with a wrong password is refused")
        << file("server.p12") << QString() << wrong << QStringLiteral("tls-wrong-passphrase")
        << QStringLiteral("server.p12");
    QTest::newRow("an encrypted key with a wrong passphrase is refused")
        << file("server.pem") << file("server-pkcs8-encrypted.key") << wrong
        << QStringLiteral("tls-wrong-passphrase") << QStringLiteral("server-pkcs8-encrypted.key");
    QTest::newRow("the key of another certificate is refused")
        << file("server.pem") << file("client.key") << QByteArray()
        << QStringLiteral("tls-key-mismatch") << QStringLiteral("client.key");
    QTest::newRow("an expired certificate is refused")
        << file("expired.pem") << file("expired.key") << QByteArray()
        << QStringLiteral("tls-certificate-expired") << QStringLiteral("expired.pem");
    QTest::newRow("a missing certificate file is refused")
        << file("absent.pem") << file("server.key") << QByteArray()
        << QStringLiteral("tls-file-not-found") << QStringLiteral("absent.pem");
    QTest::newRow("a text file is not a certificate")
        << file("notes.txt") << file("server.key") << QByteArray()
        << QStringLiteral("tls-not-a-certificate") << QStringLiteral("notes.txt");
}

void tst_Wss::refusesBadFilesWithoutListening()
{
    QFETCH(QString, certificateFile);
    QFETCH(QString, keyFile);
    QFETCH(QByteArray, passphrase);
    QFETCH(QString, id);
    QFETCH(QString, named);

    Recorder r;
    EmbeddedServer server(&r.store);
    QSignalSpy failed(&server, &EmbeddedServer::failed);
    QSignalSpy started(&server, &EmbeddedServer::started);
    TlsServerSettings tls;
    tls.certificateFile = certificateFile;
    tls.keyFile = keyFile;
    tls.passphrase = passphrase;
    QVERIFY(!server.start(wssConfig(tls)));
    QVERIFY(!server.isListening());
    QCOMPARE(server.port(), quint16(0));
    QVERIFY(server.url().isEmpty());
    QCOMPARE(started.size(), 0);
    QCOMPARE(failed.size(), 1);
    const QString message = server.errorString();
    QVERIFY2(message.contains(named), qPrintable(message));
    QCOMPARE(failed.first().first().toString(), message);
    QVERIFY(!message.contains(QLatin1StringView("PRIVATE KEY")));
    if (!passphrase.isEmpty())
        QVERIFY(!message.contains(QString::fromUtf8(passphrase)));

    const QList<Event> errors = r.errors(id);
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().error, message);
    QCOMPARE(r.of(EventKind::Listening, EventSource::Server).size(), 0);
}

void tst_Wss::servesASelfSignedCertificateMadeInMemory()
{
    Recorder r;
    EmbeddedServer server(&r.store);
    TlsServerSettings tls;
    tls.selfSigned = true;
    QVERIFY2(server.start(wssConfig(tls)), qPrintable(server.errorString()));
    const QSslCertificate certificate = server.localCertificate();
    QVERIFY(!certificate.isNull());
    QCOMPARE(certificate.subjectInfo(QSslCertificate::CommonName),
             QStringList{QStringLiteral("localhost")});
    QVERIFY(certificate.expiryDate() > QDateTime::currentDateTimeUtc());
    QCOMPARE(tls::sha256Fingerprint(certificate).size(), 32 * 3 - 1);

    // Trusted as its own CA, it verifies for 127.0.0.1 (and so carries that address).
    TestClient client(server.url(), {certificate});
    QTRY_COMPARE_WITH_TIMEOUT(client.connected.size(), 1, kTimeoutMs);
    QCOMPARE(client.sslErrors.size(), 0);
    client.socket.sendTextMessage(QStringLiteral("self"));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, kTimeoutMs);
    QCOMPARE(client.messages.first().first().toString(), QStringLiteral("Server says: self"));

    // A second start makes a new certificate: nothing is kept on disk or reused.
    server.stop();
    QVERIFY(server.start(wssConfig(tls)));
    QVERIFY(server.localCertificate() != certificate);
}

void tst_Wss::clientWithoutTheCaFailsAndTheServerRecordsIt()
{
    Recorder r;
    EmbeddedServer server(&r.store);
    TlsServerSettings tls;
    tls.certificateFile = file("server.pem");
    tls.keyFile = file("server.key");
    QVERIFY(server.start(wssConfig(tls)));

    TestClient client(server.url(), {}); // the system's CAs only
    QTRY_COMPARE_WITH_TIMEOUT(client.disconnected.size(), 1, kTimeoutMs);
    QCOMPARE(client.connected.size(), 0);
    QVERIFY(client.sslErrors.size() >= 1);
    const auto errors = client.sslErrors.first().first().value<QList<QSslError>>();
    QVERIFY(!errors.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(!r.errors(QStringLiteral("tls-handshake-failed")).isEmpty(),
                             kTimeoutMs);
    const Event failure = r.errors(QStringLiteral("tls-handshake-failed")).first();
    // It names the peer, over whichever loopback family "localhost" reached the server.
    static const QRegularExpression peer(QStringLiteral(R"((127\.0\.0\.1|\[::1\]):\d+)"));
    QVERIFY2(failure.error.contains(peer), qPrintable(failure.error));
    QCOMPARE(r.of(EventKind::Open, EventSource::Server).size(), 0);
    QVERIFY(server.isListening()); // one bad handshake does not stop the server
}

void tst_Wss::mutualTls_data()
{
    QTest::addColumn<QString>("clientCertificate");
    QTest::addColumn<QString>("clientKey");
    QTest::addColumn<bool>("accepted");
    QTest::newRow("a client certificate signed by the CA is accepted")
        << QStringLiteral("client.pem") << QStringLiteral("client.key") << true;
    QTest::newRow("a client without a certificate is refused") << QString() << QString() << false;
    QTest::newRow("a client certificate from a stranger is refused")
        << QStringLiteral("stranger.pem") << QStringLiteral("stranger.key") << false;
}

void tst_Wss::mutualTls()
{
    QFETCH(QString, clientCertificate);
    QFETCH(QString, clientKey);
    QFETCH(bool, accepted);

    Recorder r;
    EmbeddedServer server(&r.store);
    TlsServerSettings tls;
    tls.certificateFile = file("server.pem");
    tls.keyFile = file("server.key");
    tls.requireClientCertificate = true;
    tls.clientCaFile = file("ca.pem");
    QVERIFY2(server.start(wssConfig(tls)), qPrintable(server.errorString()));

    QList<QSslCertificate> chain;
    QSslKey key;
    if (!clientCertificate.isEmpty()) {
        chain = QSslCertificate::fromPath(m_files.path(clientCertificate));
        QFile keyFile(m_files.path(clientKey));
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        key = QSslKey(keyFile.readAll(), QSsl::Ec);
        QVERIFY(!chain.isEmpty() && !key.isNull());
    }
    TestClient client(server.url(), {m_files.ca.certificate}, chain, key);
    if (accepted) {
        QTRY_COMPARE_WITH_TIMEOUT(client.connected.size(), 1, kTimeoutMs);
        client.socket.sendTextMessage(QStringLiteral("mutual"));
        QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, kTimeoutMs);
        const QList<Event> tlsEvents = r.of(EventKind::Tls, EventSource::Server);
        QCOMPARE(tlsEvents.size(), 1);
        const Event &e = tlsEvents.first();
        QVERIFY(e.tls->peerCertificate);
        QVERIFY2(e.tls->peerCertificate->subject.contains(QStringLiteral("CN=test client")),
                 qPrintable(e.tls->peerCertificate->subject));
        QVERIFY2(e.tls->peerCertificate->issuer.contains(QStringLiteral("CN=Sockpit Test CA")),
                 qPrintable(e.tls->peerCertificate->issuer));
        QCOMPARE(e.tls->peerCertificate->sha256,
                 tls::sha256Fingerprint(m_files.client.certificate));
        QCOMPARE(e.tls->peerCertificate->notAfter, m_files.client.certificate.expiryDate());
        QVERIFY(r.errors(QStringLiteral("tls-handshake-failed")).isEmpty());
    } else {
        QTRY_VERIFY_WITH_TIMEOUT(!r.errors(QStringLiteral("tls-handshake-failed")).isEmpty(),
                                 kTimeoutMs);
        // Over TLS 1.3 the client may believe the handshake done before the server's alert
        // arrives; either way no message is ever exchanged and no WebSocket opens.
        QTRY_COMPARE_WITH_TIMEOUT(client.socket.state(), QAbstractSocket::UnconnectedState,
                                  kTimeoutMs);
        QCOMPARE(client.connected.size(), 0);
        QCOMPARE(r.of(EventKind::Open, EventSource::Server).size(), 0);
        QCOMPARE(r.of(EventKind::Tls, EventSource::Server).size(), 0);
    }
}

void tst_Wss::clientSessionTls_data()
{
    QTest::addColumn<bool>("trustCa");
    QTest::addColumn<bool>("ignoreErrors");
    QTest::newRow("a session trusting the CA connects and records the server certificate")
        << true << false;
    QTest::newRow("a session without the CA fails and lists each certificate error")
        << false << false;
    QTest::newRow("a session told to ignore errors connects and flags verification off")
        << false << true;
}

void tst_Wss::clientSessionTls()
{
    QFETCH(bool, trustCa);
    QFETCH(bool, ignoreErrors);

    Recorder r;
    EmbeddedServer server(&r.store);
    TlsServerSettings serverTls;
    serverTls.certificateFile = file("server.pem");
    serverTls.keyFile = file("server.key");
    QVERIFY(server.start(wssConfig(serverTls)));

    ClientSession session(&r.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy failed(&session, &ClientSession::failed);
    QSignalSpy received(&session, &ClientSession::textReceived);
    ClientConfig config;
    config.url = server.url();
    if (trustCa)
        config.tls.caFile = file("ca.pem");
    config.tls.ignoreCertificateErrors = ignoreErrors;
    session.open(config);

    if (trustCa || ignoreErrors) {
        QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, kTimeoutMs);
        QVERIFY(session.sendText(QStringLiteral("hello")));
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, kTimeoutMs);
        QCOMPARE(received.first().first().toString(), QStringLiteral("Server says: hello"));
        const QList<Event> tlsEvents = r.of(EventKind::Tls, EventSource::Client);
        QCOMPARE(tlsEvents.size(), 1);
        const TlsInfo &info = *tlsEvents.first().tls;
        QCOMPARE(tlsEvents.first().connection, session.connectionId());
        QVERIFY(!info.protocol.isEmpty());
        QVERIFY(!info.cipher.isEmpty());
        QVERIFY(info.peerCertificate);
        QVERIFY2(info.peerCertificate->subject.contains(QStringLiteral("CN=localhost")),
                 qPrintable(info.peerCertificate->subject));
        QVERIFY(info.peerCertificate->issuer.contains(QStringLiteral("CN=Sockpit Test CA")));
        QCOMPARE(info.peerCertificate->sha256, tls::sha256Fingerprint(m_files.server.certificate));
        QCOMPARE(info.peerCertificate->notBefore, m_files.server.certificate.effectiveDate());
        QCOMPARE(info.verificationDisabled, ignoreErrors);
        const QList<Event> disabled = r.errors(QStringLiteral("tls-verification-disabled"));
        if (ignoreErrors) {
            QVERIFY(!info.errors.isEmpty()); // the ignored errors are still listed
            QCOMPARE(disabled.size(), 1);
            QCOMPARE(disabled.first().connection, session.connectionId());
        } else {
            QVERIFY(info.errors.isEmpty());
            QVERIFY(disabled.isEmpty());
        }
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, kTimeoutMs);
        QCOMPARE(opened.size(), 0);
        QCOMPARE(session.state(), ClientSession::State::Closed);
    }

    QList<Event> clientErrors;
    for (const Event &e : r.errors(QStringLiteral("tls-error"))) {
        if (e.source == EventSource::Client)
            clientErrors.append(e);
    }
    if (trustCa) {
        QVERIFY(clientErrors.isEmpty());
    } else {
        // Each certificate error is its own event, with a sentence.
        QVERIFY(!clientErrors.isEmpty());
        for (const Event &e : std::as_const(clientErrors)) {
            QCOMPARE(e.connection, session.connectionId());
            QVERIFY(!e.error.isEmpty());
        }
        const bool mentionsIssuer
            = std::any_of(clientErrors.cbegin(), clientErrors.cend(), [](const Event &e) {
                  return e.error.contains(QLatin1StringView("issuer"), Qt::CaseInsensitive)
                      || e.error.contains(QLatin1StringView("self signed"), Qt::CaseInsensitive)
                      || e.error.contains(QLatin1StringView("self-signed"), Qt::CaseInsensitive);
              });
        QVERIFY(mentionsIssuer);
    }
    session.close();
}

void tst_Wss::clientSessionPresentsItsCertificate()
{
    Recorder r;
    EmbeddedServer server(&r.store);
    TlsServerSettings serverTls;
    serverTls.certificateFile = file("server.pem");
    serverTls.keyFile = file("server.key");
    serverTls.requireClientCertificate = true;
    serverTls.clientCaFile = file("ca.pem");
    QVERIFY(server.start(wssConfig(serverTls)));

    ClientSession session(&r.store);
    QSignalSpy opened(&session, &ClientSession::opened);
    QSignalSpy received(&session, &ClientSession::textReceived);
    ClientConfig config;
    config.url = server.url();
    config.tls.caFile = file("ca.pem");
    config.tls.certificateFile = file("client.pem");
    config.tls.keyFile = file("client.key");
    session.open(config);
    QTRY_COMPARE_WITH_TIMEOUT(opened.size(), 1, kTimeoutMs);
    QVERIFY(session.sendText(QStringLiteral("with my certificate")));
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, kTimeoutMs);
    const QList<Event> serverTlsEvents = r.of(EventKind::Tls, EventSource::Server);
    QCOMPARE(serverTlsEvents.size(), 1);
    QVERIFY(serverTlsEvents.first().tls->peerCertificate);
    QCOMPARE(serverTlsEvents.first().tls->peerCertificate->sha256,
             tls::sha256Fingerprint(m_files.client.certificate));
    session.close();
}

QTEST_GUILESS_MAIN(tst_Wss)
#include "tst_wss.moc"
