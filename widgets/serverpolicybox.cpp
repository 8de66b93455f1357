#include "serverpolicybox.h"

#include "closecodecombo.h"

#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>

namespace sockpit {

namespace {
// RFC 6455 section 5.5: a control frame carries at most 125 bytes, two of them the code.
constexpr qsizetype kMaxCloseReasonBytes = 123;
// A day: longer than any test a person watches, short enough to stay a plain int of ms.
constexpr int kMaxCloseAfterSeconds = 86400;
} // namespace

ServerPolicyBox::ServerPolicyBox(QWidget *parent)
    : QGroupBox(tr("Policy"), parent)
    , m_origins(new QLineEdit(this))
    , m_closeSeconds(new QSpinBox(this))
    , m_closeCode(new CloseCodeCombo(this))
    , m_closeReason(new QLineEdit(this))
{
    setObjectName(QStringLiteral("serverPolicyBox"));
    m_origins->setObjectName(QStringLiteral("allowedOrigins"));
    m_origins->setPlaceholderText(tr("any origin"));
    m_origins->setToolTip(tr("Origins allowed to connect, separated by commas (for example "
                             "http://localhost:3000). Others are answered with HTTP 403. "
                             "Empty: any origin."));
    m_closeSeconds->setObjectName(QStringLiteral("closeAfterSeconds"));
    m_closeSeconds->setRange(0, kMaxCloseAfterSeconds);
    m_closeSeconds->setSpecialValueText(tr("never"));
    m_closeSeconds->setSuffix(tr(" s"));
    m_closeSeconds->setToolTip(
        tr("Close each connection this many seconds after it opens (0: never)"));
    m_closeCode->setObjectName(QStringLiteral("closeAfterCode"));
    m_closeReason->setObjectName(QStringLiteral("closeAfterReason"));
    m_closeReason->setPlaceholderText(tr("reason"));

    auto *form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->addRow(tr("Origins:"), m_origins);
    form->addRow(tr("Close after:"), m_closeSeconds);
    // The code on a row of its own, under its label: it is as wide as the code it shows.
    auto *codeLabel = new QLabel(tr("Close code:"), this);
    codeLabel->setBuddy(m_closeCode);
    form->addRow(codeLabel);
    form->addRow(m_closeCode);
    form->addRow(tr("Close reason:"), m_closeReason);

    connect(m_closeSeconds, &QSpinBox::valueChanged, this, &ServerPolicyBox::updateCloseFields);
    updateCloseFields();
}

QStringList ServerPolicyBox::allowedOrigins() const
{
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    return m_origins->text().split(separators, Qt::SkipEmptyParts);
}

std::optional<CloseAfter> ServerPolicyBox::closeAfter() const
{
    const std::optional<int> code = m_closeCode->code();
    if (m_closeSeconds->value() == 0 || !code)
        return std::nullopt;
    return CloseAfter{m_closeSeconds->value(), *code, m_closeReason->text()};
}

QString ServerPolicyBox::problem() const
{
    if (m_closeSeconds->value() == 0)
        return {};
    if (!m_closeCode->code())
        return m_closeCode->problem();
    const qsizetype bytes = m_closeReason->text().toUtf8().size();
    if (bytes > kMaxCloseReasonBytes)
        return tr("The close reason is %1 bytes of UTF-8; a Close frame allows at most %2 "
                  "(RFC 6455 section 5.5).")
            .arg(bytes)
            .arg(kMaxCloseReasonBytes);
    return {};
}

void ServerPolicyBox::setEditable(bool editable)
{
    m_origins->setEnabled(editable);
    m_closeSeconds->setEnabled(editable);
    updateCloseFields();
    if (!editable) {
        m_closeCode->setEnabled(false);
        m_closeReason->setEnabled(false);
    }
}

void ServerPolicyBox::updateCloseFields()
{
    const bool closing = m_closeSeconds->isEnabled() && m_closeSeconds->value() > 0;
    m_closeCode->setEnabled(closing);
    m_closeReason->setEnabled(closing);
}

void ServerPolicyBox::saveSettings(QSettings &settings) const
{
    settings.setValue(QStringLiteral("allowedOrigins"), m_origins->text());
    settings.setValue(QStringLiteral("closeAfterSeconds"), m_closeSeconds->value());
    settings.setValue(QStringLiteral("closeAfterCode"), m_closeCode->currentText());
    settings.setValue(QStringLiteral("closeAfterReason"), m_closeReason->text());
}

void ServerPolicyBox::loadSettings(QSettings &settings)
{
    m_origins->setText(settings.value(QStringLiteral("allowedOrigins")).toString());
    m_closeSeconds->setValue(settings.value(QStringLiteral("closeAfterSeconds"), 0).toInt());
    const QString code = settings.value(QStringLiteral("closeAfterCode")).toString();
    if (!code.isEmpty())
        m_closeCode->setEditText(code);
    m_closeReason->setText(settings.value(QStringLiteral("closeAfterReason")).toString());
}

} // namespace sockpit
