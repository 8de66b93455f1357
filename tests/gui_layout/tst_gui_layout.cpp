// Every panel fits a 1024×640 window in every language: the window is laid out with each
// catalogue installed the way the app installs it, and no visible widget of the server
// panel, the client tab, the log or the inspector may stick out of its parent or get less
// than the room it needs to show itself (its minimum size hint, the height its wrapped
// text needs, the text of a combo box). The first window fits the screen it opens on.

#include "clienttabs.h"
#include "eventinspector.h"
#include "guidriver.h"
#include "logview.h"
#include "mainwindow.h"
#include "serverpanel.h"
#include "translationloader.h"
#include "windowgeometry.h"

#include <QAbstractItemView>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QDockWidget>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleOptionComboBox>
#include <QTest>

#include <memory>

using namespace sockpit;
using namespace sockpit::test;

namespace {

QString describe(const QWidget *widget)
{
    QString name = QString::fromLatin1(widget->metaObject()->className());
    if (!widget->objectName().isEmpty())
        name += u' ' + widget->objectName();
    if (const auto *label = qobject_cast<const QLabel *>(widget))
        name += QStringLiteral(" \"%1\"").arg(label->text().left(40));
    return name;
}

QString describePath(const QWidget *widget, const QWidget *root)
{
    QStringList parts;
    for (const QWidget *w = widget; w && w != root; w = w->parentWidget())
        parts.prepend(describe(w));
    return parts.join(QStringLiteral(" > "));
}

// Why `widget` does not show all of itself, or empty.
QString clipProblem(const QWidget *widget)
{
    const QWidget *parent = widget->parentWidget();
    const QRect geometry = widget->geometry();
    if (!QRect(QPoint(0, 0), parent->size()).contains(geometry))
        return QStringLiteral("extends past its parent (%1,%2 %3×%4 in %5×%6)")
            .arg(geometry.x())
            .arg(geometry.y())
            .arg(geometry.width())
            .arg(geometry.height())
            .arg(parent->width())
            .arg(parent->height());
    const QSizePolicy policy = widget->sizePolicy();
    // As layouts do (qSmartMinSize): an explicit minimum wins over the hint.
    QSize hint = widget->minimumSizeHint();
    if (widget->minimumWidth() > 0)
        hint.setWidth(widget->minimumWidth());
    if (widget->minimumHeight() > 0)
        hint.setHeight(widget->minimumHeight());
    const QSize size = widget->size();
    if (policy.horizontalPolicy() != QSizePolicy::Ignored && hint.width() > size.width())
        return QStringLiteral("is %1 wide, needs %2").arg(size.width()).arg(hint.width());
    if (policy.verticalPolicy() != QSizePolicy::Ignored && hint.height() > size.height())
        return QStringLiteral("is %1 high, needs %2").arg(size.height()).arg(hint.height());
    if (const auto *label = qobject_cast<const QLabel *>(widget);
        label && label->wordWrap() && !label->text().isEmpty()) {
        const int needed = label->heightForWidth(size.width());
        if (needed > size.height())
            return QStringLiteral("wraps into %1 px but is %2 high").arg(needed).arg(size.height());
    }
    if (const auto *combo = qobject_cast<const QComboBox *>(widget)) {
        QStyleOptionComboBox option;
        option.initFrom(combo);
        option.editable = combo->isEditable();
        const QRect field = combo->style()->subControlRect(QStyle::CC_ComboBox, &option,
                                                           QStyle::SC_ComboBoxEditField, combo);
        // An editable combo shows what was typed or picked; a list of choices must show
        // each of them whole when it is picked.
        QStringList texts{combo->currentText()};
        if (!combo->isEditable()) {
            for (int i = 0; i < combo->count(); ++i)
                texts.append(combo->itemText(i));
        }
        for (const QString &shown : std::as_const(texts)) {
            const int text = combo->fontMetrics().horizontalAdvance(shown);
            if (text > field.width())
                return QStringLiteral("shows \"%1\" (%2 px) in %3 px")
                    .arg(shown)
                    .arg(text)
                    .arg(field.width());
        }
    }
    return {};
}

void collectProblems(const QWidget *widget, const QWidget *root, QStringList *problems)
{
    const QList<QWidget *> children = widget->findChildren<QWidget *>(Qt::FindDirectChildrenOnly);
    for (const QWidget *child : children) {
        if (child->isWindow() || !child->isVisibleTo(root))
            continue;
        // Qt lays out the parts of its own compound widgets (a spin box's field, a dock's
        // title buttons, scroll bars) itself.
        if (qobject_cast<const QScrollBar *>(child)
            || (child->objectName().startsWith(QLatin1StringView("qt_"))
                && child->objectName() != QLatin1StringView("qt_scrollarea_viewport")
                && child->objectName() != QLatin1StringView("qt_tabwidget_stackedwidget")))
            continue;
        // What a scroll area scrolls may be taller than its viewport, not wider.
        if (const auto *scroll = qobject_cast<const QScrollArea *>(widget->parentWidget());
            scroll && scroll->viewport() == widget) {
            if (child->width() > widget->width())
                problems->append(describePath(child, root)
                                 + QStringLiteral(": needs %1 px, the scroll area has %2")
                                       .arg(child->width())
                                       .arg(widget->width()));
            collectProblems(child, root, problems);
            continue;
        }
        const QString problem = clipProblem(child);
        if (!problem.isEmpty())
            problems->append(describePath(child, root) + QStringLiteral(": ") + problem);
        // An item view lays out its own cells, headers and editors; a spin box, a combo
        // box and a text edit their own parts.
        if ((qobject_cast<const QScrollArea *>(child)
             || !qobject_cast<const QAbstractScrollArea *>(child))
            && !qobject_cast<const QAbstractSpinBox *>(child)
            && !qobject_cast<const QComboBox *>(child))
            collectProblems(child, root, problems);
    }
}

QStringList problemsOf(const QWidget *root)
{
    QStringList problems;
    collectProblems(root, root, &problems);
    return problems;
}

void layOut()
{
    // Layouts settle in posted events; a few rounds let nested ones follow their parents.
    for (int round = 0; round < 5; ++round) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCoreApplication::processEvents();
    }
}

} // namespace

class tst_GuiLayout : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("SockpitGuiLayoutTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_gui_layout"));
        QSettings().clear();
    }

    void cleanup()
    {
        installTranslations(*qApp, QStringLiteral("en"));
        QLocale::setDefault(QLocale::c());
        QSettings().clear();
    }

    void everyPanelFitsA1024x640Window_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("in English") << QStringLiteral("en");
        QTest::newRow("in German") << QStringLiteral("de");
        QTest::newRow("in French") << QStringLiteral("fr");
        QTest::newRow("in Simplified Chinese") << QStringLiteral("zh_CN");
    }

    void everyPanelFitsA1024x640Window()
    {
        QFETCH(QString, language);
        QVERIFY(installTranslations(*qApp, language));
        MainWindow window;
        window.resize(1024, 640);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        layOut();
        QStringList problems;
        if (window.size() != QSize(1024, 640))
            problems.append(
                QStringLiteral("the window cannot be 1024×640: it is %1×%2, at least %3×%4")
                    .arg(window.width())
                    .arg(window.height())
                    .arg(window.minimumSizeHint().width())
                    .arg(window.minimumSizeHint().height()));

        const QList<QPair<const char *, QWidget *>> panels{
            {"server panel", window.findChild<QDockWidget *>(QStringLiteral("serverDock"))},
            {"client tab", window.clientTabs()},
            {"log", window.logView()},
            {"inspector", window.inspector()},
        };
        for (const auto &[name, panel] : panels) {
            QVERIFY2(panel && panel->isVisible(), name);
            QVERIFY2(panel->width() > 0 && panel->height() > 0, name);
            const QStringList found = problemsOf(panel);
            for (const QString &problem : found)
                problems.append(QString::fromLatin1(name) + QStringLiteral(": ") + problem);
        }
        for (const QString &problem : std::as_const(problems))
            qWarning("%s", qUtf8Printable(problem));
        QVERIFY2(problems.isEmpty(),
                 qPrintable(QStringLiteral("%1 clipped (listed above)").arg(problems.size())));
    }

    void theCheckSeesAClippedWidget()
    {
        // The check itself: a label squeezed below its text and a button pushed out of
        // its parent are both reported.
        QWidget parent;
        parent.resize(100, 40);
        auto *label = new QLabel(QStringLiteral("a label far too long for its box"), &parent);
        label->setGeometry(0, 0, 60, 20);
        auto *outside = new QWidget(&parent);
        outside->setGeometry(80, 0, 40, 20);
        parent.show();
        const QStringList problems = problemsOf(&parent);
        QCOMPARE(problems.size(), 2);
        QVERIFY2(problems.at(0).contains(QStringLiteral("needs")), qPrintable(problems.at(0)));
        QVERIFY2(problems.at(1).contains(QStringLiteral("extends past")),
                 qPrintable(problems.at(1)));
    }

    void theFirstWindowFitsTheScreen()
    {
        QCOMPARE(fittingWindowSize(QSize(1400, 900), QRect(0, 0, 1280, 1024)), QSize(1152, 900));
        QCOMPARE(fittingWindowSize(QSize(1400, 900), QRect(0, 0, 1920, 1080)), QSize(1400, 900));
        QCOMPARE(fittingWindowSize(QSize(1400, 900), QRect(0, 0, 1024, 600)), QSize(921, 540));

        MainWindow window;
        const QRect available = window.screen()->availableGeometry();
        QVERIFY2(window.width() <= available.width() && window.height() <= available.height(),
                 qPrintable(QStringLiteral("%1×%2 on %3×%4")
                                .arg(window.width())
                                .arg(window.height())
                                .arg(available.width())
                                .arg(available.height())));
    }

    void savedGeometryIsRestoredOnlyWhenItFits()
    {
        const QRect available(0, 0, 1280, 1024);
        QVERIFY(fitsOn(QRect(10, 10, 1000, 700), available));
        QVERIFY(!fitsOn(QRect(0, 0, 1400, 900), available));
        QVERIFY(!fitsOn(QRect(1200, 900, 400, 300), available));

        // A window saved larger than this screen comes back at a size that fits.
        {
            MainWindow big;
            big.setGeometry(0, 0, 3000, 2000);
            big.saveSettings();
        }
        MainWindow window;
        const QRect screen = window.screen()->availableGeometry();
        QVERIFY(window.width() <= screen.width());
        QVERIFY(window.height() <= screen.height());
    }
};

QTEST_MAIN(tst_GuiLayout)
#include "tst_gui_layout.moc"
