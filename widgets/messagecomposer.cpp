#include "messagecomposer.h"

#include "composeredit.h"
#include "events/jsontext.h"
#include "pluralcount.h"
#include "themecolors.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace sockpit {

namespace {

// A loaded file is held in memory once; beyond this it is refused rather than risking
// the window.
constexpr qint64 kMaxFileBytes = qint64(256) * 1024 * 1024;

std::optional<QByteArray> parseHex(const QString &text, QString *problem)
{
    QByteArray digits;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isSpace() || c == u':' || c == u',')
            continue;
        if ((c == u'x' || c == u'X') && !digits.isEmpty() && digits.endsWith('0')
            && digits.size() % 2 == 1) {
            digits.chop(1); // a "0x" prefix
            continue;
        }
        const bool hexDigit
            = (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
        if (!hexDigit) {
            if (problem)
                *problem = QObject::tr("Hex: \"%1\" at position %2 is not a hex digit.")
                               .arg(c)
                               .arg(i + 1);
            return std::nullopt;
        }
        digits += char(c.toLatin1());
    }
    if (digits.size() % 2 != 0) {
        if (problem)
            *problem = QObject::tr("Hex: an odd number of digits (%1); each byte needs two.")
                           .arg(digits.size());
        return std::nullopt;
    }
    return QByteArray::fromHex(digits);
}

std::optional<QByteArray> parseBase64(const QString &text, QString *problem)
{
    QByteArray compact = text.toLatin1();
    compact.replace(' ', QByteArray()).replace('\n', QByteArray()).replace('\r', QByteArray());
    auto result = QByteArray::fromBase64Encoding(compact, QByteArray::AbortOnBase64DecodingErrors);
    if (!result) {
        if (problem)
            *problem = QObject::tr("Base64: the text is not valid base64.");
        return std::nullopt;
    }
    return result.decoded;
}

// Qt's words for what is wrong, when the text is small enough to parse again with it;
// otherwise (or should Qt disagree) the position the checker stopped at.
QString jsonProblem(const QString &text, qsizetype checkerOffset)
{
    constexpr qsizetype kDescribedChars = 64 * 1024;
    QString reason = QObject::tr("unexpected character");
    QByteArray utf8;
    qsizetype offset = -1;
    if (text.size() <= kDescribedChars) {
        utf8 = text.toUtf8();
        QJsonParseError error;
        QJsonDocument::fromJson(utf8, &error);
        if (error.error != QJsonParseError::NoError) {
            reason = error.errorString();
            // QJsonParseError::offset counts UTF-8 bytes.
            offset = qBound(qsizetype(0), qsizetype(error.offset), utf8.size());
        }
    }
    if (offset < 0) {
        utf8 = text.left(checkerOffset).toUtf8();
        offset = utf8.size();
    }
    const QByteArray before = utf8.left(offset);
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = QString::fromUtf8(before.mid(before.lastIndexOf('\n') + 1)).size() + 1;
    return QObject::tr("JSON error at line %1, column %2 (offset %3): %4")
        .arg(line)
        .arg(column)
        .arg(offset)
        .arg(reason);
}

} // namespace

MessageComposer::MessageComposer(QWidget *parent)
    : QWidget(parent)
    , m_mode(new QComboBox(this))
    , m_encoding(new QComboBox(this))
    , m_edit(new ComposerEdit(this))
    , m_pretty(new QPushButton(tr("Pretty"), this))
    , m_load(new QPushButton(tr("Load file…"), this))
    , m_status(new QLabel(this))
{
    m_mode->setObjectName(QStringLiteral("composerMode"));
    m_mode->addItem(tr("Text"), int(Mode::Text));
    m_mode->addItem(tr("JSON"), int(Mode::Json));
    m_mode->addItem(tr("Binary"), int(Mode::Binary));
    m_mode->setToolTip(tr("How the message is written and sent"));
    m_encoding->setObjectName(QStringLiteral("binaryEncoding"));
    m_encoding->addItem(tr("Hex"));
    m_encoding->addItem(tr("Base64"));
    m_encoding->setToolTip(tr("How the binary message is typed"));
    m_edit->setObjectName(QStringLiteral("composerEdit"));
    m_edit->setTabChangesFocus(true);
    m_pretty->setObjectName(QStringLiteral("prettyButton"));
    m_pretty->setToolTip(tr("Indent the JSON message"));
    m_load->setObjectName(QStringLiteral("loadFileButton"));
    m_load->setToolTip(tr("Send the contents of a file as one binary message"));
    m_status->setObjectName(QStringLiteral("composerStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(new QLabel(tr("Message:"), this));
    bar->addWidget(m_mode);
    bar->addWidget(m_encoding);
    bar->addWidget(m_pretty);
    bar->addWidget(m_load);
    bar->addStretch();
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_status);

    connect(m_mode, &QComboBox::currentIndexChanged, this, &MessageComposer::updateStatus);
    connect(m_encoding, &QComboBox::currentIndexChanged, this, &MessageComposer::updateStatus);
    connect(m_edit, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_edit->document()->isEmpty()) {
            // Typing replaces a loaded file or held text.
            m_fileData.clear();
            m_fileName.clear();
            m_heldText = QString();
        }
        updateStatus();
    });
    connect(m_edit, &ComposerEdit::longTextInserted, this, &MessageComposer::holdText);
    connect(m_pretty, &QPushButton::clicked, this, &MessageComposer::prettyPrint);
    connect(m_load, &QPushButton::clicked, this, qOverload<>(&MessageComposer::loadFile));
    updateStatus();
}

MessageComposer::Mode MessageComposer::mode() const
{
    return Mode(m_mode->currentData().toInt());
}

void MessageComposer::setMode(Mode mode)
{
    m_mode->setCurrentIndex(m_mode->findData(int(mode)));
}

QString MessageComposer::text() const
{
    return currentText();
}

void MessageComposer::setText(const QString &text)
{
    if (ComposerEdit::hasLongLine(text)) {
        holdText(text);
        return;
    }
    m_heldText = QString();
    m_edit->setPlainText(text);
    updateStatus(); // an empty text changes nothing the editor would report
}

QPlainTextEdit *MessageComposer::editor() const
{
    return m_edit;
}

QString MessageComposer::currentText() const
{
    return m_heldText.isNull() ? m_edit->toPlainText() : m_heldText;
}

void MessageComposer::holdText(const QString &text)
{
    m_fileData.clear();
    m_fileName.clear();
    m_edit->clear();
    // Set after clear(): its textChanged drops whatever was held before.
    m_heldText = text.isNull() ? QStringLiteral("") : text;
    updateStatus();
}

std::optional<ComposedMessage> MessageComposer::message(QString *problem) const
{
    const QString text = currentText();
    switch (mode()) {
    case Mode::Text:
        return ComposedMessage{false, text, {}};
    case Mode::Json: {
        qsizetype offset = 0;
        if (!isValidJson(text, &offset)) {
            if (problem)
                *problem = jsonProblem(text, offset);
            return std::nullopt;
        }
        return ComposedMessage{false, text, {}};
    }
    case Mode::Binary: {
        if (!m_fileData.isEmpty() && text.isEmpty())
            return ComposedMessage{true, {}, m_fileData};
        const auto bytes = m_encoding->currentIndex() == 0 ? parseHex(text, problem)
                                                           : parseBase64(text, problem);
        if (!bytes)
            return std::nullopt;
        return ComposedMessage{true, {}, *bytes};
    }
    }
    return std::nullopt;
}

void MessageComposer::prettyPrint()
{
    const QString text = currentText();
    if (!isValidJson(text))
        return;
    // Only whitespace outside strings changes: the keys keep their order and the numbers
    // their spelling, so what is sent is what the user wrote.
    setText(reindentJson(text));
}

void MessageComposer::loadFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Send a File"));
    if (!path.isEmpty())
        loadFile(path);
}

bool MessageComposer::loadFile(const QString &path)
{
    QFile file(path);
    const QLocale locale;
    if (file.size() > kMaxFileBytes) {
        m_status->setText(tr("%1 is too big to send from here (%2 bytes; the limit is %3).")
                              .arg(QFileInfo(path).fileName(), locale.toString(file.size()),
                                   locale.toString(kMaxFileBytes)));
        return false;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        m_status->setText(tr("Cannot read %1: %2").arg(path, file.errorString()));
        return false;
    }
    const QByteArray contents = file.readAll();
    setMode(Mode::Binary);
    m_edit->clear();
    m_heldText = QString();
    m_fileData = contents;
    m_fileName = QFileInfo(path).fileName();
    updateStatus();
    return true;
}

void MessageComposer::updateStatus()
{
    const Mode current = mode();
    m_encoding->setVisible(current == Mode::Binary);
    m_pretty->setVisible(current == Mode::Json);
    m_edit->setPlaceholderText(current == Mode::Json         ? tr("{\"type\": \"hello\"}")
                                   : current == Mode::Binary ? tr("48 65 6c 6c 6f")
                                                             : tr("Type a message"));

    QString problem;
    const std::optional<ComposedMessage> composed = message(&problem);
    QPalette palette = m_status->palette();
    if (!composed) {
        palette.setColor(QPalette::WindowText, theme::errorText(palette));
        m_status->setText(problem);
    } else {
        palette.setColor(QPalette::WindowText, this->palette().color(QPalette::WindowText));
        if (holdsLongText())
            m_status->setText(
                tr("%Ln characters of pasted text, with a line too long to show here, will be "
                   "sent as they are; type to replace them.",
                   nullptr, pluralCount(m_heldText.size())));
        else if (current == Mode::Binary && !m_fileData.isEmpty() && m_edit->document()->isEmpty())
            m_status->setText(tr("%1 (%Ln bytes) will be sent; type to replace it.", nullptr,
                                 pluralCount(m_fileData.size()))
                                  .arg(m_fileName));
        else if (current == Mode::Binary)
            m_status->setText(tr("%Ln bytes", nullptr, pluralCount(composed->data.size())));
        else if (current == Mode::Json)
            m_status->setText(tr("Valid JSON"));
        else
            m_status->clear();
    }
    m_status->setPalette(palette);
    m_pretty->setEnabled(composed.has_value() && current == Mode::Json);

    const bool valid = composed.has_value();
    if (valid != m_lastValid) {
        m_lastValid = valid;
        Q_EMIT validityChanged(valid);
    }
}

} // namespace sockpit
