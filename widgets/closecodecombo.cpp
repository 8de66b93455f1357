#include "closecodecombo.h"

#include "protocol/closecodes.h"
#include "themecolors.h"

#include <QAbstractItemView>
#include <QLineEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStyle>
#include <QStyleOptionComboBox>

namespace sockpit {

namespace {
QString codeLabel(int code)
{
    return QString::number(code) + u' ' + protocol::closeCodeInfo(code).name;
}

std::optional<int> leadingNumber(const QString &text)
{
    static const QRegularExpression number(QStringLiteral("^\\s*(\\d{1,5})\\b"));
    const QRegularExpressionMatch match = number.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    return match.captured(1).toInt();
}
} // namespace

CloseCodeCombo::CloseCodeCombo(QWidget *parent)
    : QComboBox(parent)
{
    setEditable(true);
    setInsertPolicy(QComboBox::NoInsert);
    for (const int code : protocol::wellKnownCloseCodes()) {
        if (protocol::isSendableCloseCode(code))
            addItem(codeLabel(code), code);
    }
    addItem(codeLabel(3000), 3000);
    addItem(codeLabel(4000), 4000);
    setCurrentIndex(0);
    m_hint = tr("Pick a close code or type any code from 1000 to 4999 that may be sent "
                "(RFC 6455 section 7.4).");
    setToolTip(m_hint);
    // As wide as the code it shows, in every language ("1000 Normal Closure" is never cut
    // to "00 Normal…"), and no wider: the longest name of the list would crowd the rows
    // it sits in. The list itself opens wide enough for every name.
    setMinimumContentsLength(6);
    setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    view()->setTextElideMode(Qt::ElideNone);
    view()->setMinimumWidth(view()->sizeHintForColumn(0)
                            + view()->verticalScrollBar()->sizeHint().width());
    connect(this, &QComboBox::currentTextChanged, this, &QWidget::updateGeometry);
    connect(this, &QComboBox::editTextChanged, this, &CloseCodeCombo::updateMarker);
}

void CloseCodeCombo::updateMarker()
{
    const QString why = problem();
    QPalette marked = palette();
    if (!why.isEmpty())
        marked.setColor(QPalette::Base,
                        theme::blend(marked.color(QPalette::Base), QColor(0xe0, 0x30, 0x30), 0.25));
    lineEdit()->setPalette(marked);
    setToolTip(why.isEmpty() ? m_hint : why);
}

QSize CloseCodeCombo::minimumSizeHint() const
{
    QStyleOptionComboBox option;
    initStyleOption(&option);
    // A little room beyond the text for the line edit's own margins and the cursor.
    const QSize text(fontMetrics().horizontalAdvance(currentText())
                         + 2 * fontMetrics().averageCharWidth(),
                     fontMetrics().height());
    const QSize needed = style()->sizeFromContents(QStyle::CT_ComboBox, &option, text, this);
    return QComboBox::minimumSizeHint().expandedTo(QSize(needed.width(), 0));
}

QSize CloseCodeCombo::sizeHint() const
{
    return QComboBox::sizeHint().expandedTo(minimumSizeHint());
}

std::optional<int> CloseCodeCombo::code() const
{
    const std::optional<int> value = leadingNumber(currentText());
    if (!value || !protocol::isSendableCloseCode(*value))
        return std::nullopt;
    return value;
}

void CloseCodeCombo::setCode(int code)
{
    const int index = findData(code);
    if (index >= 0)
        setCurrentIndex(index);
    else
        setEditText(codeLabel(code));
}

QString CloseCodeCombo::problem() const
{
    const std::optional<int> value = leadingNumber(currentText());
    if (!value)
        return tr("Type a close code, for example 1000 or 4001.");
    if (!protocol::isSendableCloseCode(*value))
        return tr("%1 cannot be sent in a Close frame (%2).")
            .arg(*value)
            .arg(protocol::closeCodeInfo(*value).name);
    return {};
}

} // namespace sockpit
