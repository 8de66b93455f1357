#include "handshakelimitsbox.h"

#include "server/serverconfig.h"

#include <QFormLayout>
#include <QSettings>
#include <QSpinBox>

namespace sockpit {

namespace {
QSpinBox *spinBox(QWidget *parent, const char *name, int low, int high, int value)
{
    auto *box = new QSpinBox(parent);
    box->setObjectName(QString::fromLatin1(name));
    box->setRange(low, high);
    box->setValue(value);
    return box;
}
} // namespace

HandshakeLimitsBox::HandshakeLimitsBox(QWidget *parent)
    : QGroupBox(tr("Handshake"), parent)
    , m_timeout(
          spinBox(this, "handshakeTimeout", 1, 3600, ServerConfig().handshakeTimeoutMs / 1000))
    , m_headBytes(
          spinBox(this, "maxRequestHead", 256, 1024 * 1024, int(protocol::MaxRequestHeadSize)))
    , m_lineBytes(spinBox(this, "maxHeaderLine", 64, int(protocol::MaxRequestLineSize),
                          int(protocol::MaxRequestLineSize)))
    , m_fields(
          spinBox(this, "maxHeaderFields", 1, protocol::MaxHeaderFields, protocol::MaxHeaderFields))
{
    setObjectName(QStringLiteral("handshakeLimitsBox"));
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setToolTip(tr("A client has this long from the TCP accept to complete the "
                             "opening handshake; then the connection is dropped"));
    m_headBytes->setSuffix(tr(" bytes"));
    m_headBytes->setToolTip(tr("A larger upgrade request is answered with HTTP 431"));
    m_lineBytes->setSuffix(tr(" bytes"));
    m_lineBytes->setToolTip(tr("A longer request or header line is answered with HTTP 431 "
                               "(Qt's WebSocket stack takes no longer lines)"));
    m_fields->setToolTip(tr("More header fields are answered with HTTP 431 (Qt's WebSocket "
                            "stack takes no more)"));

    auto *form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::WrapLongRows);
    form->addRow(tr("Timeout:"), m_timeout);
    form->addRow(tr("Request head:"), m_headBytes);
    form->addRow(tr("Header line:"), m_lineBytes);
    form->addRow(tr("Header fields:"), m_fields);
}

void HandshakeLimitsBox::apply(ServerConfig *config) const
{
    config->handshakeTimeoutMs = m_timeout->value() * 1000;
    config->headLimits.maxHeadBytes = m_headBytes->value();
    config->headLimits.maxLineBytes = m_lineBytes->value();
    config->headLimits.maxHeaderFields = m_fields->value();
}

void HandshakeLimitsBox::setEditable(bool editable)
{
    for (QSpinBox *box : {m_timeout, m_headBytes, m_lineBytes, m_fields})
        box->setEnabled(editable);
}

void HandshakeLimitsBox::saveSettings(QSettings &settings) const
{
    settings.setValue(QStringLiteral("handshakeTimeoutSeconds"), m_timeout->value());
    settings.setValue(QStringLiteral("maxRequestHead"), m_headBytes->value());
    settings.setValue(QStringLiteral("maxHeaderLine"), m_lineBytes->value());
    settings.setValue(QStringLiteral("maxHeaderFields"), m_fields->value());
}

void HandshakeLimitsBox::loadSettings(QSettings &settings)
{
    m_timeout->setValue(
        settings.value(QStringLiteral("handshakeTimeoutSeconds"), m_timeout->value()).toInt());
    m_headBytes->setValue(
        settings.value(QStringLiteral("maxRequestHead"), m_headBytes->value()).toInt());
    m_lineBytes->setValue(
        settings.value(QStringLiteral("maxHeaderLine"), m_lineBytes->value()).toInt());
    m_fields->setValue(
        settings.value(QStringLiteral("maxHeaderFields"), m_fields->value()).toInt());
}

} // namespace sockpit
