#pragma once

#include <QByteArray>
#include <QString>
#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace sockpit {

// What the composer would send.
struct ComposedMessage
{
    bool binary = false;
    QString text; // text and JSON modes
    QByteArray data; // binary mode
};

// The message editor of a client tab: Text, JSON (checked as it is typed, with the error
// position, and pretty-printed on request) or Binary (hex or base64, or a loaded file).
class MessageComposer : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Text, Json, Binary };
    Q_ENUM(Mode)

    explicit MessageComposer(QWidget *parent = nullptr);

    Mode mode() const;
    void setMode(Mode mode);
    QString text() const;
    void setText(const QString &text);

    // The message, or nullopt with *problem set (invalid JSON, bad hex, ...).
    std::optional<ComposedMessage> message(QString *problem = nullptr) const;
    bool isValid() const { return message().has_value(); }

    QPlainTextEdit *editor() const { return m_edit; }

public Q_SLOTS:
    void prettyPrint();
    void loadFile();
    bool loadFile(const QString &path);

Q_SIGNALS:
    void validityChanged(bool valid);

private:
    void updateStatus();

    QComboBox *m_mode;
    QComboBox *m_encoding;
    QPlainTextEdit *m_edit;
    QPushButton *m_pretty;
    QPushButton *m_load;
    QLabel *m_status;
    QByteArray m_fileData;
    QString m_fileName;
    bool m_lastValid = true;
};

} // namespace sockpit
