#include "messagecomposer.h"

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

QString jsonProblem(const QString &text, const QJsonParseError &error)
{
    // QJsonParseError::offset counts UTF-8 bytes; turn it into a line and column.
    const QByteArray utf8 = text.toUtf8();
    const qsizetype offset = qBound(qsizetype(0), qsizetype(error.offset), utf8.size());
    const QByteArray before = utf8.left(offset);
    const qsizetype line = before.count('\n') + 1;
    const qsizetype column = QString::fromUtf8(before.mid(before.lastIndexOf('\n') + 1)).size() + 1;
    return QObject::tr("JSON error at line %1, column %2 (offset %3): %4")
        .arg(line)
        .arg(column)
        .arg(offset)
        .arg(error.errorString());
}

} // namespace

MessageComposer::MessageComposer(QWidget *parent)
    : QWidget(parent)
    , m_mode(new QComboBox(this))
    , m_encoding(new QComboBox(this))
    , m_edit(new QPlainTextEdit(this))
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
        if (!m_fileData.isEmpty() && !m_edit->toPlainText().isEmpty()) {
            m_fileData.clear();
            m_fileName.clear();
        }
        updateStatus();
    });
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
    return m_edit->toPlainText();
}

void MessageComposer::setText(const QString &text)
{
    m_edit->setPlainText(text);
}

std::optional<ComposedMessage> MessageComposer::message(QString *problem) const
{
    const QString text = m_edit->toPlainText();
    switch (mode()) {
    case Mode::Text:
        return ComposedMessage{false, text, {}};
    case Mode::Json: {
        QJsonParseError error;
        QJsonDocument::fromJson(text.toUtf8(), &error);
        if (error.error != QJsonParseError::NoError) {
            if (problem)
                *problem = jsonProblem(text, error);
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
    const QJsonDocument document = QJsonDocument::fromJson(m_edit->toPlainText().toUtf8());
    if (document.isNull())
        return;
    m_edit->setPlainText(QString::fromUtf8(document.toJson(QJsonDocument::Indented)).trimmed());
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
        if (current == Mode::Binary && !m_fileData.isEmpty() && m_edit->toPlainText().isEmpty())
            m_status->setText(tr("%1 (%2 bytes) will be sent; type to replace it.")
                                  .arg(m_fileName, QLocale().toString(m_fileData.size())));
        else if (current == Mode::Binary)
            m_status->setText(tr("%1 bytes").arg(QLocale().toString(composed->data.size())));
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
