// Log rows are told apart by tints and an error colour derived from the palette. They must
// stay readable in a light and in a dark theme: text on every row background keeps at
// least the WCAG AA contrast ratio of 4.5:1.
#include "eventicons.h"
#include "themecolors.h"

#include <QApplication>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QTest>

#include <cmath>
#include <memory>

using namespace sockpit;

namespace {

double luminance(const QColor &colour)
{
    auto channel = [](double c) {
        return c <= 0.03928 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF());
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QPalette lightPalette()
{
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    return fusion->standardPalette();
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::WindowText, QColor(0xee, 0xee, 0xee));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    p.setColor(QPalette::Text, QColor(0xee, 0xee, 0xee));
    p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ButtonText, QColor(0xee, 0xee, 0xee));
    p.setColor(QPalette::Highlight, QColor(0x2a, 0x82, 0xda));
    p.setColor(QPalette::HighlightedText, Qt::white);
    return p;
}

} // namespace

class tst_Themes : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void rowsStayReadable_data();
    void rowsStayReadable();
    void darkPaletteIsRecognised();
    void everyKindAndDirectionHasAnIcon();
};

void tst_Themes::rowsStayReadable_data()
{
    QTest::addColumn<QPalette>("palette");
    QTest::newRow("the Fusion light palette") << lightPalette();
    QTest::newRow("a dark palette") << darkPalette();
}

void tst_Themes::rowsStayReadable()
{
    QFETCH(QPalette, palette);
    for (int k = 0; k < EventKindCount; ++k) {
        for (auto direction : {EventDirection::In, EventDirection::Out, EventDirection::None}) {
            for (bool isError : {false, true}) {
                const QColor tint = theme::rowTint(palette, EventKind(k), direction, isError);
                const QColor background = tint.isValid() ? tint : palette.color(QPalette::Base);
                const QColor text
                    = isError ? theme::errorText(palette) : palette.color(QPalette::Text);
                const double ratio = contrast(text, background);
                QVERIFY2(ratio >= 4.5,
                         qPrintable(QStringLiteral("%1 %2%3: contrast %4")
                                        .arg(kindName(EventKind(k)), directionName(direction),
                                             isError ? QStringLiteral(" error") : QString())
                                        .arg(ratio, 0, 'f', 2)));
            }
        }
    }
    QVERIFY(contrast(theme::okText(palette), palette.color(QPalette::Window)) >= 4.5);
}

void tst_Themes::darkPaletteIsRecognised()
{
    QVERIFY(theme::isDark(darkPalette()));
    QVERIFY(!theme::isDark(lightPalette()));
}

// Rows are told apart by icons too: each kind and direction has its own, from resources.
void tst_Themes::everyKindAndDirectionHasAnIcon()
{
    for (int k = 0; k < EventKindCount; ++k) {
        const QIcon icon = kindIcon(EventKind(k));
        QVERIFY2(!icon.pixmap(16, 16).isNull(), qPrintable(kindName(EventKind(k))));
    }
    QVERIFY(!directionIcon(EventDirection::In).pixmap(16, 16).isNull());
    QVERIFY(!directionIcon(EventDirection::Out).pixmap(16, 16).isNull());
    QVERIFY(directionIcon(EventDirection::None).isNull());
    QCOMPARE(directionIcon(EventDirection::In).pixmap(16, 16).toImage()
                 == directionIcon(EventDirection::Out).pixmap(16, 16).toImage(),
             false);
}

QTEST_MAIN(tst_Themes)
#include "tst_themes.moc"
