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

class ComposerEdit;

// What the composer would send.
struct ComposedMessage
{
    bool binary = false;
    QString text; // text and JSON modes
    QByteArray data; // binary mode
};

// The message editor of a client tab: Text, JSON (checked as it is typed, with the error
// position, and pretty-printed on request, keeping the key order) or Binary (hex or
// base64, or a loaded file). Text with a line too long to show (see ComposerEdit) is held
// aside and sent as it is, the way a loaded file is.
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
    // Whether message() has a message, as of the last change (checking a megabyte of JSON
    // again for every caller would cost the window its responsiveness).
    bool isValid() const { return m_lastValid; }

    QPlainTextEdit *editor() const;
    // True while the message is pasted text held aside rather than shown in the editor.
    bool holdsLongText() const { return !m_heldText.isNull(); }

public Q_SLOTS:
    void prettyPrint();
    void loadFile();
    bool loadFile(const QString &path);

Q_SIGNALS:
    void validityChanged(bool valid);

private:
    void updateStatus();
    void holdText(const QString &text);
    QString currentText() const;

    QComboBox *m_mode;
    QComboBox *m_encoding;
    ComposerEdit *m_edit;
    QPushButton *m_pretty;
    QPushButton *m_load;
    QLabel *m_status;
    QByteArray m_fileData;
    QString m_fileName;
    QString m_heldText; // null unless long pasted text is held aside
    bool m_lastValid = true;
};

} // namespace sockpit
