// Plays the broadcast scenario in the real window (server on a free port, three client
// tabs, a JSON message broadcast to all through the template "Broadcast: %m", a close with
// 4001 "bye"), selects the JSON message the server received in the log and saves
// QWidget::grab() of the window as a PNG.
//   sockpit_screenshot [--lang CODE] [--size WxH] OUTPUT.png   (default 1400x900, English)

#include "clienttab.h"
#include "clienttabs.h"
#include "events/eventlogmodel.h"
#include "logview.h"
#include "mainwindow.h"
#include "server/serverhost.h"
#include "translationloader.h"

#include <QApplication>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QThread>

#include <cstdio>
#include <functional>

using namespace sockpit;

namespace {

bool waitUntil(const std::function<bool()> &done, int ms = 15000)
{
    const QDeadlineTimer deadline(ms);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
        QThread::msleep(5);
    }
    return true;
}

void settle(int ms)
{
    const QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired())
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
}

template<typename T> T *child(QObject *root, const char *name)
{
    return root->findChild<T *>(QString::fromLatin1(name));
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("SockpitScreenshot"));
    QCoreApplication::setApplicationName(QStringLiteral("sockpit_screenshot"));
    QString output;
    QString language = QStringLiteral("en");
    QSize size(1400, 900);
    const QStringList arguments = QCoreApplication::arguments();
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        if (arguments.at(i) == QLatin1StringView("--lang") && i + 1 < arguments.size()) {
            language = arguments.at(++i);
        } else if (arguments.at(i) == QLatin1StringView("--size") && i + 1 < arguments.size()) {
            const QStringList parts = arguments.at(++i).split(u'x');
            if (parts.size() == 2)
                size = QSize(parts.at(0).toInt(), parts.at(1).toInt());
        } else {
            output = arguments.at(i);
        }
    }
    if (output.isEmpty() || size.isEmpty()) {
        std::fprintf(stderr, "usage: sockpit_screenshot [--lang CODE] [--size WxH] OUTPUT.png\n");
        return 2;
    }
    if (!installTranslations(app, language)) {
        std::fprintf(stderr, "no translation for %s\n", qPrintable(language));
        return 2;
    }

    MainWindow window;
    window.resize(size);
    window.show();

    child<QSpinBox>(&window, "listenPort")->setValue(0);
    auto *mode = child<QComboBox>(&window, "serverMode");
    mode->setCurrentIndex(mode->findData(int(ServerMode::Broadcast)));
    child<QLineEdit>(&window, "replyTemplate")->setText(QStringLiteral("Broadcast: %m"));
    child<QPushButton>(&window, "startServerButton")->click();
    if (!waitUntil([&] { return window.server()->isListening(); })) {
        std::fprintf(stderr, "the server did not start\n");
        return 1;
    }
    child<QSpinBox>(&window, "openClientsCount")->setValue(3);
    child<QPushButton>(&window, "openClientsButton")->click();
    ClientTabs *tabs = window.clientTabs();
    if (!waitUntil([&] {
            for (int i = 0; i < tabs->count(); ++i) {
                if (tabs->tab(i)->session()->state() != ClientSession::State::Open)
                    return false;
            }
            return tabs->count() == 3;
        })) {
        std::fprintf(stderr, "the clients did not connect\n");
        return 1;
    }

    ClientTab *sender = tabs->tab(0);
    child<QComboBox>(sender, "composerMode")->setCurrentIndex(1);
    child<QPlainTextEdit>(sender, "composerEdit")
        ->setPlainText(QStringLiteral("{\"type\": \"chat\", \"from\": \"tab 1\", \"text\": "
                                      "\"hello everyone\", \"tags\": [\"demo\", \"broadcast\"]}"));
    child<QPushButton>(sender, "sendButton")->click();
    settle(300);
    child<QPushButton>(tabs->tab(1), "pingButton")->click();
    settle(300);

    ClientTab *closer = tabs->tab(2);
    child<QComboBox>(closer, "closeCodeCombo")->setEditText(QStringLiteral("4001"));
    child<QLineEdit>(closer, "closeReasonEdit")->setText(QStringLiteral("bye"));
    child<QPushButton>(closer, "closeButton")->click();
    waitUntil([&] { return closer->session()->state() == ClientSession::State::Closed; });
    tabs->setCurrentIndex(0);
    settle(500);

    // Select the JSON message as the server received it: the inspector shows its tree, and
    // the rows below show it broadcast through the reply template.
    LogView *log = window.logView();
    QAbstractItemModel *viewModel = log->tableView()->model();
    for (int row = viewModel->rowCount() - 1; row >= 0; --row) {
        const QModelIndex index = viewModel->index(row, 0);
        if (index.data(EventLogModel::KindRole).toInt() == int(EventKind::Text)
            && index.data(EventLogModel::SourceRole).toInt() == int(EventSource::Server)
            && index.data(EventLogModel::DirectionRole).toInt() == int(EventDirection::In)) {
            log->tableView()->setCurrentIndex(index);
            break;
        }
    }
    settle(500);

    if (!window.grab().save(output)) {
        std::fprintf(stderr, "cannot write %s\n", qPrintable(output));
        return 1;
    }
    std::fprintf(stderr, "saved %s\n", qPrintable(output));
    return 0;
}
