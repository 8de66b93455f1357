#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;
class QJsonValue;

namespace sockpit {

// One payload three ways: as text, as a JSON tree when it parses, and as a hex dump.
// Large payloads are shown capped (the full size is stated) and can be saved whole.
class PayloadView : public QWidget
{
    Q_OBJECT
public:
    static constexpr qsizetype kDisplayCap = 64 * 1024;

    explicit PayloadView(QWidget *parent = nullptr);

    // `wireSize` is the message's size on the wire; it may exceed payload.size() when only
    // a prefix was recorded.
    void setPayload(const QByteArray &payload, qint64 wireSize, bool textual);
    void clear();

    bool hasJsonTree() const;

public Q_SLOTS:
    void savePayload();
    bool savePayloadTo(const QString &path, QString *error = nullptr);

private:
    void addJson(QTreeWidgetItem *parent, const QString &key, const QJsonValue &value, int *budget);

    QLabel *m_sizeLabel;
    QPushButton *m_save;
    QTabWidget *m_tabs;
    QPlainTextEdit *m_text;
    QTreeWidget *m_json;
    QPlainTextEdit *m_hex;
    QByteArray m_payload;
};

} // namespace sockpit
