#include "payloadview.h"

#include "hexdump.h"
#include "pluralcount.h"

#include <QFile>
#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace sockpit {

namespace {
// Parsing and showing a huge document as a tree would stall the window; beyond these
// limits the JSON tab stays hidden or is cut short.
constexpr qsizetype kMaxJsonBytes = 4 * 1024 * 1024;
constexpr int kMaxJsonItems = 20000;

QString scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(value.toDouble(), 'g', 17);
    case QJsonValue::String:
        return u'"' + value.toString() + u'"';
    default:
        return {};
    }
}
} // namespace

PayloadView::PayloadView(QWidget *parent)
    : QWidget(parent)
    , m_sizeLabel(new QLabel(this))
    , m_save(new QPushButton(tr("Save…"), this))
    , m_tabs(new QTabWidget(this))
    , m_text(new QPlainTextEdit(this))
    , m_json(new QTreeWidget(this))
    , m_hex(new QPlainTextEdit(this))
{
    m_sizeLabel->setObjectName(QStringLiteral("payloadSize"));
    m_save->setObjectName(QStringLiteral("savePayloadButton"));
    m_save->setToolTip(tr("Write the whole recorded payload to a file"));
    m_tabs->setObjectName(QStringLiteral("payloadTabs"));
    m_tabs->setDocumentMode(true);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_text->setObjectName(QStringLiteral("payloadText"));
    m_text->setReadOnly(true);
    m_json->setObjectName(QStringLiteral("payloadJson"));
    m_json->setHeaderLabels({tr("Key"), tr("Value")});
    m_json->setUniformRowHeights(true);
    m_hex->setObjectName(QStringLiteral("payloadHex"));
    m_hex->setReadOnly(true);
    m_hex->setFont(fixed);
    m_hex->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_tabs->addTab(m_text, tr("Text"));
    m_tabs->addTab(m_json, tr("JSON"));
    m_tabs->addTab(m_hex, tr("Hex"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_sizeLabel, 1);
    top->addWidget(m_save);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_tabs, 1);
    connect(m_save, &QPushButton::clicked, this, &PayloadView::savePayload);
}

void PayloadView::setPayload(const QByteArray &payload, qint64 wireSize, bool textual)
{
    m_payload = payload;
    const QLocale locale;
    const qsizetype shown = qMin(payload.size(), kDisplayCap);
    const qint64 total = qMax<qint64>(wireSize, payload.size());
    if (shown < total)
        m_sizeLabel->setText(
            tr("Showing %1 of %Ln bytes", nullptr, pluralCount(total)).arg(locale.toString(shown)));
    else
        m_sizeLabel->setText(tr("%Ln bytes", nullptr, pluralCount(total)));
    if (qsizetype(total) > payload.size())
        m_sizeLabel->setToolTip(
            tr("Only the first %Ln bytes were recorded.", nullptr, pluralCount(payload.size())));
    else
        m_sizeLabel->setToolTip({});
    m_save->setEnabled(!payload.isEmpty());

    const QByteArray prefix = payload.left(shown);
    m_text->setPlainText(QString::fromUtf8(prefix));
    m_hex->setPlainText(hexDump(prefix));

    m_json->clear();
    bool isJson = false;
    if (textual && payload.size() <= kMaxJsonBytes && payload.size() == qsizetype(total)) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(payload, &error);
        if (error.error == QJsonParseError::NoError && !document.isNull()) {
            isJson = true;
            int budget = kMaxJsonItems;
            const QJsonValue root = document.isObject() ? QJsonValue(document.object())
                                                        : QJsonValue(document.array());
            addJson(m_json->invisibleRootItem(), tr("(root)"), root, &budget);
            m_json->expandToDepth(1);
            m_json->resizeColumnToContents(0);
        }
    }
    m_tabs->setTabVisible(1, isJson);
    m_tabs->setTabVisible(0, textual || !payload.isEmpty());
    m_tabs->setCurrentIndex(isJson ? 1 : (textual ? 0 : 2));
}

void PayloadView::clear()
{
    setPayload({}, 0, true);
}

bool PayloadView::hasJsonTree() const
{
    return m_json->topLevelItemCount() > 0;
}

void PayloadView::addJson(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value,
                          int *budget)
{
    if (--*budget < 0) {
        if (*budget == -1)
            new QTreeWidgetItem(parent, {tr("…"), tr("(more items not shown)")});
        return;
    }
    auto *item = new QTreeWidgetItem(parent, {key, QString()});
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        item->setText(1, tr("object, %Ln keys", nullptr, pluralCount(object.size())));
        for (auto it = object.begin(); it != object.end(); ++it)
            addJson(item, it.key(), it.value(), budget);
    } else if (value.isArray()) {
        const QJsonArray array = value.toArray();
        item->setText(1, tr("array, %Ln items", nullptr, pluralCount(array.size())));
        for (qsizetype i = 0; i < array.size(); ++i)
            addJson(item, QString::number(i), array.at(i), budget);
    } else {
        item->setText(1, scalarText(value));
    }
}

void PayloadView::savePayload()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save Payload"));
    if (path.isEmpty())
        return;
    QString error;
    if (!savePayloadTo(path, &error))
        QMessageBox::warning(this, tr("Save Payload"), error);
}

bool PayloadView::savePayloadTo(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || file.write(m_payload) != m_payload.size()) {
        if (error)
            *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace sockpit
