#include "guimain.h"

#include "mainwindow.h"
#include "preferencesdialog.h"
#include "translationloader.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QEvent>
#include <QIcon>

#include <cstdio>

namespace sockpit {

namespace {

// The window icon comes from the icon theme when Sockpit is installed (hicolor), else from
// the compiled-in resources; the PNG sizes keep it visible without the SVG icon engine.
QIcon applicationIcon()
{
    QIcon fallback(QStringLiteral(":/icons/sockpit.svg"));
    for (const int size : {16, 32, 48, 64, 128, 256})
        fallback.addFile(QStringLiteral(":/icons/sockpit-%1.png").arg(size), QSize(size, size));
    return QIcon::fromTheme(QStringLiteral("sockpit"), fallback);
}

// Quits the application once `window` has painted for the first time.
class QuitAfterFirstPaint : public QObject
{
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !m_quitting) {
            m_quitting = true;
            QMetaObject::invokeMethod(
                qApp, [] { QApplication::exit(0); }, Qt::QueuedConnection);
        }
        return QObject::eventFilter(watched, event);
    }

private:
    bool m_quitting = false;
};

void quitAfterFirstPaint(QWidget *window)
{
    window->installEventFilter(new QuitAfterFirstPaint(window));
}

} // namespace

int runGui(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Sockpit"));
    QApplication::setOrganizationName(QStringLiteral("Sockpit"));
    QApplication::setApplicationVersion(QStringLiteral(SOCKPIT_VERSION));
    // The installed desktop entry's name (packaging/), so that Wayland shells find its icon.
    QApplication::setDesktopFileName(QStringLiteral("io.github.sockpit.Sockpit"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("sockpit::GuiMain", "Sockpit: a WebSocket test console."));
    const QCommandLineOption languageOption(
        QStringLiteral("lang"),
        QApplication::translate("sockpit::GuiMain",
                                "Interface language (en, de, fr, zh_CN); overrides the "
                                "Preferences and the system locale."),
        QApplication::translate("sockpit::GuiMain", "code"));
    parser.addOption(languageOption);
    parser.addPositionalArgument(
        QStringLiteral("workspace"),
        QApplication::translate("sockpit::GuiMain", "A JSON Lines event log to open."),
        QStringLiteral("[WORKSPACE]"));
    if (!parser.parse(QApplication::arguments())) {
        std::fprintf(stderr, "sockpit: %s\n", qUtf8Printable(parser.errorText()));
        return 2;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::fprintf(stderr, "sockpit: %s\n",
                     qUtf8Printable(QApplication::translate("sockpit::GuiMain",
                                                            "at most one WORKSPACE may be given")));
        return 2;
    }

    const QString language
        = chooseLanguage(parser.value(languageOption), PreferencesDialog::storedLanguage());
    if (!installTranslations(app, language)) {
        // A language Sockpit does not speak is no reason to refuse to start.
        std::fprintf(stderr, "sockpit: %s\n",
                     qUtf8Printable(QApplication::translate(
                                        "sockpit::GuiMain",
                                        "no translation for language \"%1\"; using English")
                                        .arg(language)));
    }

    QApplication::setWindowIcon(applicationIcon());

    MainWindow window;
    window.show();
    // For measuring the cold start (bench/README.md): quit once the window has painted.
    if (qEnvironmentVariableIsSet("SOCKPIT_QUIT_WHEN_SHOWN"))
        quitAfterFirstPaint(&window);
    // A log that cannot be read is reported by the window itself; the window stays open.
    if (!positional.isEmpty())
        window.openLog(positional.constFirst());
    return QApplication::exec();
}

} // namespace sockpit
