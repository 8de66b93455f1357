// A flood into the window's own server does not freeze the window. Clients on a thread of
// their own send at a fixed rate (open loop: they do not slow down when the server does)
// to the server the window started; a stall probe on the GUI thread counts every gap over
// 50 ms meanwhile. The test asserts that count and that no event is lost: each one is in
// the store or counted as evicted. How fast the machine is decides how long it takes,
// never whether it passes. The long run of bench/README.md ("The window under a flood") is
// this test with SOCKPIT_FLOOD_SECONDS=30.

#include "events/eventlogmodel.h"
#include "events/eventstore.h"
#include "guidriver.h"
#include "logview.h"
#include "mainwindow.h"
#include "server/serverhost.h"
#include "stallprobe.h"

#include <QApplication>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <atomic>
#include <memory>
#include <vector>

using namespace sockpit;
using namespace sockpit::test;

namespace {

constexpr int kStallMs = 50;
constexpr int kConnections = 10;
constexpr int kRatePerSecond = 20000;
// 3 s in the suite; SOCKPIT_FLOOD_SECONDS (1 to 600) for a longer run.
int floodSeconds()
{
    bool ok = false;
    const int seconds = qEnvironmentVariableIntValue("SOCKPIT_FLOOD_SECONDS", &ok);
    return ok && seconds >= 1 && seconds <= 600 ? seconds : 3;
}
constexpr int kTickMs = 10;

// Lives on its own thread: kConnections clients, each sending its share of `messages` text
// messages of `size` bytes, `rate` a second in all, and counting the echoes.
class Flooder : public QObject
{
public:
    Flooder(QUrl url, int messages, int rate, qsizetype size)
        : m_url(std::move(url))
        , m_messages(messages)
        , m_rate(rate)
        , m_size(size)
    { }

    std::atomic<int> open{0};
    std::atomic<int> sent{0};
    std::atomic<int> echoed{0};
    std::atomic<bool> done{false};

    void begin()
    {
        for (int i = 0; i < kConnections; ++i) {
            auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
            connect(socket, &QWebSocket::connected, this, [this] {
                if (++open == kConnections)
                    m_tick.start();
            });
            connect(socket, &QWebSocket::textMessageReceived, this, [this] {
                if (++echoed == m_messages)
                    finish();
            });
            socket->open(m_url);
            m_sockets.push_back(socket);
        }
        m_tick.setTimerType(Qt::PreciseTimer);
        m_tick.setInterval(kTickMs);
        connect(&m_tick, &QTimer::timeout, this, [this] { sendDue(); });
        m_clock.start();
    }

private:
    void sendDue()
    {
        if (!m_sending.isValid())
            m_sending.start();
        // Open loop: what is due by now goes out, however far behind the server is.
        const qint64 due = std::min<qint64>(m_messages, 1 + m_sending.elapsed() * m_rate / 1000);
        const QString payload(m_size, u'x');
        while (sent < due) {
            m_sockets[std::size_t(sent % kConnections)]->sendTextMessage(payload);
            ++sent;
        }
        if (sent == m_messages)
            m_tick.stop();
    }
    void finish()
    {
        for (QWebSocket *socket : m_sockets)
            socket->close();
        done = true;
    }

    QUrl m_url;
    int m_messages;
    int m_rate;
    qsizetype m_size;
    std::vector<QWebSocket *> m_sockets;
    QTimer m_tick{this}; // a child, so that it moves to the flood thread with its parent
    QElapsedTimer m_clock;
    QElapsedTimer m_sending;
};

struct FloodResult
{
    bool finished = false;
    int sent = 0;
    int echoed = 0;
};

// Starts the window's server from its panel, floods it from a thread of its own and counts
// the GUI thread's stalls meanwhile.
FloodResult flood(MainWindow &window, StallProbe &probe, int messages, int rate, qsizetype size)
{
    FloodResult result;
    replaceText(child<QSpinBox>(&window, "listenPort"), QStringLiteral("0"));
    click(child<QPushButton>(&window, "startServerButton"));
    if (!QTest::qWaitFor([&window] { return window.server()->isListening(); }, kNetworkTimeoutMs))
        return result;
    // The log follows the newest row, as a person watching it would have it.
    window.logView()->setFollowing(true);

    QThread floodThread;
    floodThread.setObjectName(QStringLiteral("flood"));
    auto *flooder = new Flooder(window.server()->url(), messages, rate, size);
    flooder->moveToThread(&floodThread);
    // Deleted on its own thread as that thread finishes (a deleteLater() queued before
    // quit() may never run: quit() does not wait for the queue).
    QObject::connect(&floodThread, &QThread::finished, flooder, &QObject::deleteLater);
    floodThread.start();

    probe.start();
    QMetaObject::invokeMethod(flooder, [flooder] { flooder->begin(); });
    // Bounded: at a tenth of the rate it would still finish.
    const int boundMs = int(qint64(messages) * 10 * 1000 / rate) + kNetworkTimeoutMs;
    result.finished = QTest::qWaitFor([flooder] { return flooder->done.load(); }, boundMs);
    probe.stop();
    result.sent = flooder->sent;
    result.echoed = flooder->echoed;
    floodThread.quit();
    floodThread.wait(); // the flooder, deleted as its thread finishes (below), is gone now
    qInfo("%d of %d messages of %lld bytes echoed; the longest gap of the GUI thread %lld ms "
          "in %d ticks",
          result.echoed, messages, qlonglong(size), probe.longestGapMs(), probe.ticks());
    return result;
}

QString stallText(const StallProbe &probe)
{
    return QStringLiteral("%1 stalls over %2 ms, the longest %3 ms, in %4 ticks")
        .arg(probe.stalls())
        .arg(probe.thresholdMs())
        .arg(probe.longestGapMs())
        .arg(probe.ticks());
}

} // namespace

class tst_GuiFlood : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QSettings().clear();
    }

    void aFloodIntoTheWindowsServerStallsNothingAndLosesNothing()
    {
        MainWindow window;
        window.resize(1024, 640);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        // A window smaller than the flood, so that eviction happens on the way.
        window.eventStore()->setLimits({50000, qint64(64) * 1024 * 1024});

        StallProbe probe(kStallMs);
        const int messages = kRatePerSecond * floodSeconds();
        const FloodResult result = flood(window, probe, messages, kRatePerSecond, 64);
        QVERIFY2(result.finished,
                 qPrintable(QStringLiteral("%1 of %2 echoed").arg(result.echoed).arg(messages)));
        QCOMPARE(result.sent, messages);
        QVERIFY2(probe.stalls() == 0, qPrintable(stallText(probe)));

        // Every message in and every echo out is an event of the server's; with the opens,
        // handshakes and closes of the ten connections and the listening event.
        EventStore *store = window.eventStore();
        const quint64 expected = quint64(2) * quint64(messages) + 1 + 3 * kConnections;
        QTRY_VERIFY_WITH_TIMEOUT(store->totalCount() >= expected, kNetworkTimeoutMs);
        store->flush();
        QCOMPARE(quint64(store->size()) + store->evictedCount(), store->totalCount());
        QVERIFY(store->evictedCount() > 0);
        QVERIFY(store->size() <= 50000);
        // The view shows the store's rows, the newest among them.
        const EventLogModel *model = window.logView()->logModel();
        QCOMPARE(model->rowCount(), int(store->size()));
        QCOMPARE(model->eventAt(model->rowCount() - 1).seq, store->at(store->size() - 1).seq);
    }

    // Each message is decoded, checked for UTF-8, echoed and recorded by the server: on the
    // GUI thread, each such message froze the window for tens of milliseconds.
    void bigMessagesDoNotFreezeTheWindow()
    {
        MainWindow window;
        window.resize(1024, 640);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        StallProbe probe(kStallMs);
        // Few enough that a sanitizer build on a busy machine finishes well within the bound.
        constexpr int Messages = 8;
        constexpr qsizetype Size = 8 * 1024 * 1024;
        const FloodResult result = flood(window, probe, Messages, 4, Size);
        QVERIFY2(result.finished, qPrintable(QString::number(result.echoed)));
        QVERIFY2(probe.stalls() == 0, qPrintable(stallText(probe)));
        EventStore *store = window.eventStore();
        QTRY_VERIFY_WITH_TIMEOUT(store->totalCount() >= quint64(2 * Messages), kNetworkTimeoutMs);
    }
};

QTEST_MAIN(tst_GuiFlood)
#include "tst_gui_flood.moc"
