#include "clienttab.h"

#include "closecodecombo.h"
#include "events/eventsink.h"
#include "filepickerfield.h"
#include "headerseditor.h"
#include "messagecomposer.h"
#include "protocol/closecodes.h"
#include "themecolors.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QShortcut>
#include <QTabWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace sockpit {

namespace {
QStringList commaList(const QString &text)
{
    QStringList items;
    const QStringList parts = text.split(u',', Qt::SkipEmptyParts);
    for (const QString &part : parts) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty())
            items.append(trimmed);
    }
    return items;
}

// RFC 6455 section 5.5: a control frame carries at most 125 bytes, two of them the code.
constexpr qsizetype kMaxCloseReasonBytes = 123;
} // namespace

ClientTab::ClientTab(NetworkThread *network, EventSink *sink, QWidget *parent)
    : QWidget(parent)
    , m_session(new SessionHost(network, sink, this))
    , m_url(new QLineEdit(this))
    , m_urlError(new QLabel(this))
    , m_connect(new QPushButton(tr("Connect"), this))
    , m_state(new QLabel(this))
    , m_options(new QTabWidget(this))
    , m_headers(new HeadersEditor(this))
    , m_subprotocols(new QLineEdit(this))
    , m_origin(new QLineEdit(this))
    , m_caFile(new FilePickerField(tr("Trusted CA Certificates"),
                                   tr("PEM files (*.pem *.crt *.cer);;All files (*)"), this))
    , m_certFile(new FilePickerField(tr("Client Certificate"),
                                     tr("PEM files (*.pem *.crt *.cer);;All files (*)"), this))
    , m_keyFile(new FilePickerField(tr("Client Private Key"),
                                    tr("PEM keys (*.pem *.key);;All files (*)"), this))
    , m_passphrase(new QLineEdit(this))
    , m_ignoreTlsErrors(new QCheckBox(tr("Ignore certificate errors (unsafe)"), this))
    , m_tlsWarning(new QLabel(this))
    , m_composer(new MessageComposer(this))
    , m_send(new QPushButton(tr("Send"), this))
    , m_ping(new QPushButton(tr("Ping"), this))
    , m_closeCode(new CloseCodeCombo(this))
    , m_closeReason(new QLineEdit(this))
    , m_close(new QPushButton(tr("Close"), this))
    , m_closeProblem(new QLabel(this))
{
    m_url->setObjectName(QStringLiteral("urlEdit"));
    m_url->setPlaceholderText(tr("ws://localhost:8080/"));
    m_url->setToolTip(tr("The WebSocket URL to connect to (ws:// or wss://)"));
    m_urlError->setObjectName(QStringLiteral("urlError"));
    m_urlError->setWordWrap(true);
    m_urlError->hide();
    m_connect->setObjectName(QStringLiteral("connectButton"));
    m_connect->setDefault(true);
    m_state->setObjectName(QStringLiteral("stateLabel"));
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_state->setWordWrap(true);
    m_options->setObjectName(QStringLiteral("clientOptions"));
    m_options->setDocumentMode(true);
    m_subprotocols->setObjectName(QStringLiteral("subprotocolsEdit"));
    m_subprotocols->setPlaceholderText(tr("chat, superchat"));
    m_origin->setObjectName(QStringLiteral("originEdit"));
    m_origin->setPlaceholderText(tr("http://localhost (none when empty)"));
    m_caFile->setObjectName(QStringLiteral("caFileField"));
    m_certFile->setObjectName(QStringLiteral("clientCertField"));
    m_keyFile->setObjectName(QStringLiteral("clientKeyField"));
    m_passphrase->setObjectName(QStringLiteral("clientKeyPassphrase"));
    m_passphrase->setEchoMode(QLineEdit::Password);
    m_ignoreTlsErrors->setObjectName(QStringLiteral("ignoreTlsErrors"));
    m_ignoreTlsErrors->setToolTip(tr("Connect even when the server's certificate cannot be "
                                     "verified. The tab and the log say so."));
    m_tlsWarning->setObjectName(QStringLiteral("tlsWarning"));
    m_tlsWarning->setWordWrap(true);
    m_tlsWarning->setText(tr("⚠ Certificate errors are ignored in this tab: the server's "
                             "identity is not verified (TLS options)."));
    m_tlsWarning->hide();
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setToolTip(tr("Send the message (Ctrl+Enter)"));
    m_ping->setObjectName(QStringLiteral("pingButton"));
    m_ping->setToolTip(tr("Send a Ping; the Pong's round trip time appears in the log"));
    m_closeCode->setObjectName(QStringLiteral("closeCodeCombo"));
    m_closeReason->setObjectName(QStringLiteral("closeReasonEdit"));
    m_closeReason->setPlaceholderText(tr("reason (optional)"));
    m_close->setObjectName(QStringLiteral("closeButton"));
    m_close->setToolTip(tr("Start the closing handshake with this code and reason"));
    m_closeProblem->setObjectName(QStringLiteral("closeProblem"));
    m_closeProblem->setWordWrap(true);
    m_closeProblem->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_closeProblem->hide();

    m_options->addTab(m_headers, tr("Headers"));
    m_options->addTab(createOptionsPage(), tr("Handshake"));
    m_options->addTab(createTlsPage(), tr("TLS"));
    m_options->setMaximumHeight(130);

    auto *urlRow = new QHBoxLayout;
    urlRow->addWidget(new QLabel(tr("URL:"), this));
    urlRow->addWidget(m_url, 1);
    urlRow->addWidget(m_connect);
    auto *sendRow = new QHBoxLayout;
    sendRow->addWidget(m_send);
    sendRow->addWidget(m_ping);
    sendRow->addStretch();
    sendRow->addWidget(new QLabel(tr("Close:"), this));
    sendRow->addWidget(m_closeCode);
    sendRow->addWidget(m_closeReason);
    sendRow->addWidget(m_close);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(urlRow);
    layout->addWidget(m_urlError);
    layout->addWidget(m_state);
    layout->addWidget(m_tlsWarning);
    layout->addWidget(m_options);
    layout->addWidget(m_composer, 1);
    layout->addLayout(sendRow);
    layout->addWidget(m_closeProblem);

    for (const auto key : {Qt::Key_Return, Qt::Key_Enter}) {
        auto *shortcut = new QShortcut(QKeySequence(Qt::CTRL | key), this);
        shortcut->setContext(Qt::WidgetWithChildrenShortcut);
        connect(shortcut, &QShortcut::activated, this, &ClientTab::send);
    }

    connect(m_url, &QLineEdit::textChanged, this, &ClientTab::validateUrl);
    connect(m_url, &QLineEdit::textChanged, this, &ClientTab::titleChanged);
    connect(m_url, &QLineEdit::returnPressed, this, &ClientTab::connectToServer);
    connect(m_url, &QLineEdit::textEdited, this, &ClientTab::forgetProblem);
    connect(m_connect, &QPushButton::clicked, this, [this] {
        const ClientSession::State state = m_session->state();
        if (state == ClientSession::State::Idle || state == ClientSession::State::Closed)
            connectToServer();
        else
            disconnectFromServer();
    });
    connect(m_send, &QPushButton::clicked, this, &ClientTab::send);
    connect(m_ping, &QPushButton::clicked, this, &ClientTab::sendPing);
    connect(m_close, &QPushButton::clicked, this, &ClientTab::closeWithChosenCode);
    connect(m_composer, &MessageComposer::validityChanged, this, &ClientTab::updateActions);
    connect(m_ignoreTlsErrors, &QCheckBox::toggled, this, &ClientTab::updateTlsWarning);
    connect(m_ignoreTlsErrors, &QCheckBox::toggled, this, &ClientTab::titleChanged);
    connect(m_session, &SessionHost::stateChanged, this, &ClientTab::updateState);
    connect(m_session, &SessionHost::failed, this, &ClientTab::onFailed);
    connect(m_session, &SessionHost::closed, this, &ClientTab::onClosed);
    // A problem with the close code or reason goes once they are changed.
    connect(m_closeCode, &QComboBox::currentTextChanged, this, [this] { showCloseProblem({}); });
    connect(m_closeReason, &QLineEdit::textChanged, this, [this] { showCloseProblem({}); });

    m_url->setText(QStringLiteral("ws://localhost:8080/"));
    updateState();
}

ClientTab::~ClientTab() = default;

QWidget *ClientTab::createOptionsPage()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    form->addRow(tr("Subprotocols:"), m_subprotocols);
    form->addRow(tr("Origin:"), m_origin);
    return page;
}

QWidget *ClientTab::createTlsPage()
{
    auto *page = new QWidget(this);
    auto *grid = new QGridLayout(page);
    grid->addWidget(new QLabel(tr("Trusted CA:"), page), 0, 0);
    grid->addWidget(m_caFile, 0, 1, 1, 3);
    grid->addWidget(new QLabel(tr("Client cert:"), page), 1, 0);
    grid->addWidget(m_certFile, 1, 1);
    grid->addWidget(new QLabel(tr("Key:"), page), 1, 2);
    grid->addWidget(m_keyFile, 1, 3);
    grid->addWidget(new QLabel(tr("Key passphrase:"), page), 2, 0);
    grid->addWidget(m_passphrase, 2, 1);
    grid->addWidget(m_ignoreTlsErrors, 2, 2, 1, 2);
    return page;
}

QString ClientTab::urlText() const
{
    return m_url->text().trimmed();
}

void ClientTab::setUrlText(const QString &url)
{
    m_url->setText(url);
}

HeaderList ClientTab::headers() const
{
    return m_headers->headers();
}

void ClientTab::setHeaders(const HeaderList &headers)
{
    m_headers->setHeaders(headers);
}

void ClientTab::setTrustedCaFile(const QString &path)
{
    m_caFile->setPath(path);
}

bool ClientTab::ignoresCertificateErrors() const
{
    return m_ignoreTlsErrors->isChecked();
}

void ClientTab::updateTlsWarning()
{
    // Verification off is a choice that must stay in sight, not hidden in the TLS page.
    QPalette palette = m_tlsWarning->palette();
    palette.setColor(QPalette::WindowText, theme::errorText(palette));
    m_tlsWarning->setPalette(palette);
    m_tlsWarning->setVisible(m_ignoreTlsErrors->isChecked());
}

QString ClientTab::urlProblem(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return tr("Enter a URL such as ws://localhost:8080/.");
    if (!trimmed.contains(QLatin1StringView("://")))
        return tr("The URL needs a scheme: ws:// or wss://, as in ws://localhost:8080/.");
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid())
        return tr("This is not a valid URL: %1").arg(url.errorString());
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1StringView("ws") && scheme != QLatin1StringView("wss")) {
        if (scheme.isEmpty())
            return tr("The URL needs a scheme: ws:// or wss://.");
        return tr("The scheme must be ws:// or wss://, not %1://.").arg(scheme);
    }
    if (url.host().isEmpty())
        return tr("The URL has no host; for example ws://localhost:8080/.");
    if (!url.fragment().isEmpty())
        return tr("A WebSocket URL cannot have a fragment (#…) (RFC 6455 section 3).");
    return {};
}

QString ClientTab::title() const
{
    QString mark;
    switch (m_session->state()) {
    case ClientSession::State::Open:
        mark = QStringLiteral("●");
        break;
    case ClientSession::State::Connecting:
    case ClientSession::State::Closing:
        mark = QStringLiteral("◌");
        break;
    default:
        mark = QStringLiteral("○");
        break;
    }
    QString name = m_customName;
    if (name.isEmpty()) {
        const QUrl url(urlText());
        if (url.isValid() && !url.host().isEmpty()) {
            const int defaultPort = url.scheme() == QLatin1StringView("wss") ? 443 : 80;
            name = url.host() + u':' + QString::number(url.port(defaultPort));
        } else {
            name = tr("New client");
        }
    }
    if (m_ignoreTlsErrors->isChecked())
        name += QStringLiteral(" ⚠");
    if (m_number > 0)
        return mark + QStringLiteral(" #") + QString::number(m_number) + u' ' + name;
    return mark + u' ' + name;
}

void ClientTab::setNumber(int number)
{
    m_number = number;
    Q_EMIT titleChanged();
}

void ClientTab::setCustomName(const QString &name)
{
    m_customName = name.trimmed();
    Q_EMIT titleChanged();
}

ClientConfig ClientTab::currentConfig() const
{
    ClientConfig config;
    config.url = QUrl(urlText(), QUrl::StrictMode);
    config.headers = m_headers->headers();
    config.origin = m_origin->text().trimmed();
    config.subprotocols = commaList(m_subprotocols->text());
    config.tls.caFile = m_caFile->path();
    config.tls.certificateFile = m_certFile->path();
    config.tls.keyFile = m_keyFile->path();
    config.tls.passphrase = m_passphrase->text().toUtf8();
    config.tls.ignoreCertificateErrors = m_ignoreTlsErrors->isChecked();
    return config;
}

bool ClientTab::connectToServer()
{
    const QString problem = urlProblem(m_url->text());
    if (!problem.isEmpty()) {
        validateUrl();
        m_url->setFocus();
        return false;
    }
    const ClientSession::State state = m_session->state();
    if (state != ClientSession::State::Idle && state != ClientSession::State::Closed)
        return false;
    m_lastProblem.clear();
    m_session->open(currentConfig());
    updateState();
    return true;
}

void ClientTab::disconnectFromServer()
{
    if (m_session->state() == ClientSession::State::Connecting)
        m_session->abort();
    else if (m_session->state() == ClientSession::State::Open)
        m_session->close(1000);
}

void ClientTab::send()
{
    if (m_session->state() != ClientSession::State::Open)
        return;
    const std::optional<ComposedMessage> message = m_composer->message();
    if (!message)
        return;
    if (message->binary)
        m_session->sendBinary(message->data);
    else
        m_session->sendText(message->text);
}

void ClientTab::sendPing()
{
    m_session->ping();
}

void ClientTab::closeWithChosenCode()
{
    const std::optional<int> code = m_closeCode->code();
    if (!code) {
        showCloseProblem(m_closeCode->problem());
        return;
    }
    const QString reason = m_closeReason->text();
    if (reason.toUtf8().size() > kMaxCloseReasonBytes) {
        showCloseProblem(tr("The close reason is %1 bytes of UTF-8; a Close frame allows at "
                            "most %2 (RFC 6455 section 5.5).")
                             .arg(reason.toUtf8().size())
                             .arg(kMaxCloseReasonBytes));
        return;
    }
    showCloseProblem({});
    m_session->close(*code, reason);
}

void ClientTab::validateUrl()
{
    const QString problem = urlProblem(m_url->text());
    m_urlError->setText(problem);
    m_urlError->setVisible(!problem.isEmpty());
    QPalette palette = m_urlError->palette();
    palette.setColor(QPalette::WindowText, theme::errorText(palette));
    m_urlError->setPalette(palette);
    updateActions();
}

void ClientTab::updateState()
{
    switch (m_session->state()) {
    case ClientSession::State::Idle:
        setStateText(tr("Not connected"), false);
        break;
    case ClientSession::State::Connecting:
        setStateText(tr("Connecting to %1…").arg(urlText()), false);
        break;
    case ClientSession::State::Open: {
        const QString sub = m_session->negotiatedSubprotocol();
        setStateText(sub.isEmpty() ? tr("Open (connection %1)").arg(m_session->connectionId())
                                   : tr("Open (connection %1, subprotocol %2)")
                                         .arg(m_session->connectionId())
                                         .arg(sub),
                     false);
        break;
    }
    case ClientSession::State::Closing:
        setStateText(tr("Closing…"), false);
        break;
    case ClientSession::State::Closed:
        if (!m_lastProblem.isEmpty())
            setStateText(m_lastProblem, true);
        break;
    }
    updateActions();
    Q_EMIT titleChanged();
}

void ClientTab::forgetProblem()
{
    // A failure is about the URL it tried: once the user edits the URL, it is old news.
    const ClientSession::State state = m_session->state();
    if (m_lastProblem.isEmpty() || state == ClientSession::State::Connecting
        || state == ClientSession::State::Open)
        return;
    m_lastProblem.clear();
    setStateText(tr("Not connected"), false);
}

void ClientTab::onFailed(const QString &errorId, const QString &sentence)
{
    m_lastProblem = sentence.isEmpty() ? errorId : sentence;
    setStateText(m_lastProblem, true);
}

void ClientTab::onClosed(int code, const QString &reason, CloseInitiator initiator)
{
    if (!m_lastProblem.isEmpty() && code == 1006)
        return; // the failure already says more than "abnormal closure"
    const QString who
        = initiator == CloseInitiator::Local ? tr("by this tab") : tr("by the server");
    QString text
        = tr("Closed %1: %2 %3").arg(who).arg(code).arg(protocol::closeCodeInfo(code).name);
    if (!reason.isEmpty())
        text += tr(" — \"%1\"").arg(reason);
    setStateText(text, code != 1000 && code != 1001 && code < 3000);
}

void ClientTab::setStateText(const QString &text, bool problem)
{
    m_state->setText(text);
    QPalette palette = m_state->palette();
    palette.setColor(QPalette::WindowText,
                     problem ? theme::errorText(palette)
                             : (m_session->state() == ClientSession::State::Open
                                    ? theme::okText(palette)
                                    : this->palette().color(QPalette::WindowText)));
    m_state->setPalette(palette);
}

void ClientTab::showCloseProblem(const QString &text)
{
    m_closeProblem->setText(text);
    QPalette palette = m_closeProblem->palette();
    palette.setColor(QPalette::WindowText, theme::errorText(palette));
    m_closeProblem->setPalette(palette);
    m_closeProblem->setVisible(!text.isEmpty());
}

void ClientTab::updateActions()
{
    const ClientSession::State state = m_session->state();
    const bool open = state == ClientSession::State::Open;
    const bool idle = state == ClientSession::State::Idle || state == ClientSession::State::Closed;
    m_connect->setText(idle ? tr("Connect") : tr("Disconnect"));
    m_connect->setEnabled(state != ClientSession::State::Closing
                          && (!idle || urlProblem(m_url->text()).isEmpty()));
    m_url->setReadOnly(!idle);
    m_send->setEnabled(open && m_composer->isValid());
    m_ping->setEnabled(open);
    m_close->setEnabled(open);
}

} // namespace sockpit
