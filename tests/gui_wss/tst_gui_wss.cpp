// The "done when" on the real main window, offscreen, with clicks and keys: from
// no certificate to a wss server with three client tabs that verify it.

#include "clienttab.h"
#include "clienttabs.h"
#include "events/eventlogmodel.h"
#include "guidriver.h"
#include "logview.h"
#include "mainwindow.h"
#include "server/serverhost.h"
#include "tls/selfsignedcertificate.h"
#include "tls/tlscontext.h"

#include <QApplication>
#include <QCheckBox>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <sys/stat.h>

#include <functional>
#include <memory>

using namespace sockpit;
using namespace sockpit::test;

namespace {

// Answers the modal dialogs a click opens, in order, the way a person would: each step
// waits (bounded) for a modal widget of its type, then acts on it with keys.
class DialogAnswerer : public QObject
{
public:
    using Step = std::function<bool(QWidget *modal)>; // false: not the expected dialog yet

    explicit DialogAnswerer(QList<Step> steps)
        : m_steps(std::move(steps))
    {
        m_timer.setInterval(20);
        connect(&m_timer, &QTimer::timeout, this, [this] { poll(); });
        m_timer.start();
    }
    bool finished() const { return m_steps.isEmpty(); }

private:
    void poll()
    {
        // Bounded: ~10 s of polling, then the remaining steps are left undone (the test
        // then fails on what they should have produced; the modal is closed).
        if (++m_polls > 500 || m_steps.isEmpty()) {
            m_timer.stop();
            if (QWidget *modal = QApplication::activeModalWidget())
                modal->close();
            return;
        }
        QWidget *modal = QApplication::activeModalWidget();
        if (modal && modal != m_lastHandled && m_steps.first()(modal)) {
            m_lastHandled = modal;
            m_steps.removeFirst();
        }
    }

    QList<Step> m_steps;
    QTimer m_timer;
    int m_polls = 0;
    QPointer<QWidget> m_lastHandled;
};

bool fileStatIsOwnerOnly(const QString &path)
{
    struct stat info = {};
    return ::stat(QFile::encodeName(path).constData(), &info) == 0 && (info.st_mode & 0777) == 0600;
}

} // namespace

class tst_GuiWss : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SockpitGuiWssTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_wss"));
        QSettings().clear();
        QVERIFY(m_dir.isValid());
    }

    void init()
    {
        m_window = std::make_unique<MainWindow>();
        m_window->show();
        QApplication::setActiveWindow(m_window.get());
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup() { m_window.reset(); }

    void fromNoCertificateToThreeTrustingTabs()
    {
        MainWindow *w = m_window.get();
        const QString certificatePath = m_dir.filePath(QStringLiteral("my-server.pem"));
        const QString keyPath = m_dir.filePath(QStringLiteral("my-server.key"));

        click(child<QCheckBox>(w, "wssCheck"));
        QVERIFY(child<QCheckBox>(w, "wssCheck")->isChecked());
        auto *info = child<QLabel>(w, "certificateInfo");
        QCOMPARE(info->text(), QStringLiteral("No certificate chosen."));
        QVERIFY(!child<QPushButton>(w, "trustInClientsButton")->isEnabled());

        // "Generate self-signed…": the names dialog (one extra name), then where to save.
        DialogAnswerer answerer({
            [](QWidget *modal) {
                auto *names = qobject_cast<QInputDialog *>(modal);
                if (!names)
                    return false;
                auto *edit = names->findChild<QLineEdit *>();
                QTest::keyClicks(edit, QStringLiteral("devbox.local"));
                QTest::keyClick(edit, Qt::Key_Return);
                return true;
            },
            [certificatePath](QWidget *modal) {
                auto *save = qobject_cast<QFileDialog *>(modal);
                if (!save)
                    return false;
                auto *name = save->findChild<QLineEdit *>(QStringLiteral("fileNameEdit"));
                // Typed without the path completer: its popup opens at a moment that depends on
                // the file system model and would take the Return key.
                name->setCompleter(nullptr);
                name->setFocus();
                name->clear();
                QTest::keyClicks(name, certificatePath);
                QTest::keyClick(name, Qt::Key_Return);
                // Still open (it was busy listing the folder): the next poll types again.
                return !save->isVisible();
            },
        });
        click(child<QPushButton>(w, "generateCertificateButton"));
        QTRY_VERIFY_WITH_TIMEOUT(answerer.finished(), kNetworkTimeoutMs);
        QTRY_VERIFY(QFile::exists(keyPath));

        // The key is owner-only; the certificate is what the box shows.
        QVERIFY(fileStatIsOwnerOnly(keyPath));
        const QList<QSslCertificate> saved = QSslCertificate::fromPath(certificatePath);
        QCOMPARE(saved.size(), 1);
        const QString fingerprint = tls::sha256Fingerprint(saved.first());
        QVERIFY2(info->text().contains(QStringLiteral("SHA-256: ") + fingerprint),
                 qPrintable(info->text()));
        QVERIFY(info->text().contains(QStringLiteral("Valid from")));
        const QStringList names = [&] {
            QStringList result;
            const auto alternatives = saved.first().subjectAlternativeNames();
            for (auto it = alternatives.cbegin(); it != alternatives.cend(); ++it)
                result.append(it.value());
            return result;
        }();
        QVERIFY2(names.contains(QStringLiteral("localhost"))
                     && names.contains(QStringLiteral("devbox.local")),
                 qPrintable(names.join(u' ')));

        // Start: the server listens on wss with the saved certificate.
        auto *port = child<QSpinBox>(w, "listenPort");
        replaceText(port, QStringLiteral("0"));
        click(child<QPushButton>(w, "startServerButton"));
        QTRY_VERIFY_WITH_TIMEOUT(w->server()->isListening(), kNetworkTimeoutMs);
        auto *state = child<QLabel>(w, "serverStateLabel");
        QVERIFY2(state->text().startsWith(QStringLiteral("Listening on wss://localhost:")),
                 qPrintable(state->text()));
        QCOMPARE(w->server()->localCertificate(), saved.first());

        // One click makes the client tabs trust it; then three tabs, verification on.
        click(child<QPushButton>(w, "trustInClientsButton"));
        replaceText(child<QSpinBox>(w, "openClientsCount"), QStringLiteral("3"));
        click(child<QPushButton>(w, "openClientsButton"));
        ClientTabs *tabs = w->clientTabs();
        QCOMPARE(tabs->count(), 3);
        for (int i = 0; i < 3; ++i) {
            SessionHost *session = tabs->tab(i)->session();
            QTRY_COMPARE_WITH_TIMEOUT(session->state(), ClientSession::State::Open,
                                      kNetworkTimeoutMs);
            QCOMPARE(session->config().url.scheme(), QStringLiteral("wss"));
            QCOMPARE(session->config().tls.caFile, certificatePath);
            QVERIFY(!session->config().tls.ignoreCertificateErrors);
            QVERIFY(!child<QCheckBox>(tabs->tab(i), "ignoreTlsErrors")->isChecked());
        }
        QTRY_COMPARE(w->server()->connections().size(), 3);

        // Each tab sends a message and gets the echo.
        for (int i = 0; i < 3; ++i) {
            tabs->setCurrentIndex(i);
            ClientTab *tab = tabs->tab(i);
            QTest::keyClicks(child<QPlainTextEdit>(tab, "composerEdit"),
                             QStringLiteral("secure %1").arg(i));
            click(child<QPushButton>(tab, "sendButton"));
        }
        const EventLogModel *model = w->logView()->logModel();
        auto count = [model](EventKind kind, EventSource source, EventDirection direction) {
            int n = 0;
            for (int row = 0; row < model->rowCount(); ++row) {
                const Event &e = model->eventAt(row);
                n += e.kind == kind && e.source == source && e.direction == direction;
            }
            return n;
        };
        QTRY_COMPARE_WITH_TIMEOUT(count(EventKind::Text, EventSource::Client, EventDirection::In),
                                  3, kNetworkTimeoutMs);
        QCOMPARE(count(EventKind::Text, EventSource::Client, EventDirection::Out), 3);
        QCOMPARE(count(EventKind::Text, EventSource::Server, EventDirection::In), 3);
        QCOMPARE(count(EventKind::Text, EventSource::Server, EventDirection::Out), 3);
        QCOMPARE(count(EventKind::Open, EventSource::Server, EventDirection::None), 3);

        // Every secure connection has its TLS facts on both sides; nothing was ignored.
        QList<Event> all;
        for (int row = 0; row < model->rowCount(); ++row)
            all.append(model->eventAt(row));
        QSet<qint64> clientTlsConnections;
        int serverTls = 0;
        for (const Event &e : std::as_const(all)) {
            if (e.kind == EventKind::Listening)
                QVERIFY(e.url.startsWith(QStringLiteral("wss://localhost:")));
            if (e.kind == EventKind::Error) {
                QVERIFY2(!e.errorId.startsWith(QStringLiteral("tls-")), qPrintable(e.error));
            }
            if (e.kind != EventKind::Tls)
                continue;
            QVERIFY(e.tls);
            QVERIFY(!e.tls->protocol.isEmpty());
            QVERIFY(!e.tls->cipher.isEmpty());
            QVERIFY(e.tls->errors.isEmpty());
            QVERIFY(!e.tls->verificationDisabled);
            if (e.source == EventSource::Server) {
                ++serverTls;
                continue;
            }
            QVERIFY(e.tls->peerCertificate);
            QCOMPARE(e.tls->peerCertificate->sha256, fingerprint);
            QVERIFY(e.tls->peerCertificate->subject.contains(QStringLiteral("CN=localhost")));
            clientTlsConnections.insert(e.connection);
        }
        QCOMPARE(serverTls, 3);
        QSet<qint64> tabConnections;
        for (int i = 0; i < 3; ++i)
            tabConnections.insert(tabs->tab(i)->session()->connectionId());
        QCOMPARE(clientTlsConnections, tabConnections);

        // The export carries the certificate's facts, never the private key.
        QFile keyFile(keyPath);
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        const QList<QByteArray> keyLines = keyFile.readAll().split('\n');
        QVERIFY(keyLines.size() > 2);
        const QString exportPath = m_dir.filePath(QStringLiteral("export.jsonl"));
        QString error;
        QVERIFY2(w->exportEvents(exportPath, all, &error), qPrintable(error));
        QFile exported(exportPath);
        QVERIFY(exported.open(QIODevice::ReadOnly));
        const QByteArray log = exported.readAll();
        QVERIFY(log.contains(fingerprint.toLatin1()));
        QVERIFY(!log.contains("PRIVATE KEY"));
        QVERIFY(!log.contains(keyLines.at(1)));
    }

    void aKeyOfAnotherCertificateIsExplainedAndNothingListens()
    {
        MainWindow *w = m_window.get();
        // Two certificates made by the core; the key of the second does not fit the first.
        tls::TlsProblem problem;
        const auto first = tls::generateSelfSigned({}, 2, &problem);
        const auto second = tls::generateSelfSigned({}, 2, &problem);
        QVERIFY(first && second);
        const QString certificatePath = m_dir.filePath(QStringLiteral("first.pem"));
        const QString keyPath = m_dir.filePath(QStringLiteral("second.key"));
        QVERIFY(tls::saveCertificateFiles(*first, certificatePath,
                                          m_dir.filePath(QStringLiteral("first.key")), &problem));
        QVERIFY(tls::saveCertificateFiles(*second, m_dir.filePath(QStringLiteral("second.pem")),
                                          keyPath, &problem));

        click(child<QCheckBox>(w, "wssCheck"));
        auto *certificate = child<QWidget>(w, "certificateField");
        auto *key = child<QWidget>(w, "keyField");
        replaceText(certificate->findChild<QLineEdit *>(), certificatePath);
        replaceText(key->findChild<QLineEdit *>(), keyPath);
        replaceText(child<QSpinBox>(w, "listenPort"), QStringLiteral("0"));
        click(child<QPushButton>(w, "startServerButton"));
        auto *state = child<QLabel>(w, "serverStateLabel");
        QTRY_VERIFY2(state->text().startsWith(QStringLiteral("Could not start:")),
                     qPrintable(state->text()));
        QVERIFY2(state->text().contains(QStringLiteral("second.key")), qPrintable(state->text()));
        QVERIFY(!w->server()->isListening());
        const EventLogModel *model = w->logView()->logModel();
        auto recorded = [model] {
            for (int row = 0; row < model->rowCount(); ++row) {
                if (model->eventAt(row).errorId == QLatin1StringView("tls-key-mismatch"))
                    return true;
            }
            return false;
        };
        QTRY_VERIFY(recorded());
        for (int row = 0; row < model->rowCount(); ++row)
            QVERIFY(model->eventAt(row).kind != EventKind::Listening);
    }
};

QTEST_MAIN(tst_GuiWss)
#include "tst_gui_wss.moc"
