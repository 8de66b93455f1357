#include "eventinspector.h"

#include "events/connectionlinks.h"
#include "events/eventlogmodel.h"
#include "handshakeview.h"
#include "payloadview.h"
#include "pluralcount.h"
#include "protocol/closecodes.h"
#include "protocol/opcodes.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QLocale>
#include <QTableWidget>
#include <QTreeWidget>

namespace sockpit {

namespace {
enum Page { FactsPage, HandshakePage, PayloadPage, FramesPage, TlsPage };

QTreeWidget *factsTree(const QString &objectName, QWidget *parent)
{
    auto *tree = new QTreeWidget(parent);
    tree->setObjectName(objectName);
    tree->setColumnCount(2);
    tree->setHeaderLabels({QCoreApplication::translate("EventInspector", "Field"),
                           QCoreApplication::translate("EventInspector", "Value")});
    tree->setRootIsDecorated(false);
    tree->setUniformRowHeights(true);
    tree->setWordWrap(true);
    return tree;
}

void addFact(QTreeWidget *tree, const QString &name, const QString &value)
{
    auto *item = new QTreeWidgetItem(tree, {name, value});
    item->setToolTip(1, value);
}

} // namespace

EventInspector::EventInspector(QWidget *parent)
    : QTabWidget(parent)
    , m_facts(factsTree(QStringLiteral("inspectorFacts"), this))
    , m_handshake(new HandshakeView(this))
    , m_payload(new PayloadView(this))
    , m_frames(new QTableWidget(0, 5, this))
    , m_tls(factsTree(QStringLiteral("inspectorTls"), this))
{
    setObjectName(QStringLiteral("inspector"));
    setDocumentMode(true);
    m_frames->setObjectName(QStringLiteral("inspectorFrames"));
    m_frames->setHorizontalHeaderLabels(
        {tr("Opcode"), tr("FIN"), tr("RSV"), tr("Masked"), tr("Length")});
    m_frames->horizontalHeader()->setStretchLastSection(true);
    m_frames->verticalHeader()->hide();
    m_frames->setEditTriggers(QAbstractItemView::NoEditTriggers);
    addTab(m_facts, tr("Details"));
    addTab(m_handshake, tr("Headers"));
    addTab(m_payload, tr("Payload"));
    addTab(m_frames, tr("Frames"));
    addTab(m_tls, tr("TLS"));
    clearEvent();
}

void EventInspector::setEvent(const Event &event)
{
    const int previous = currentIndex();
    m_event = event;
    m_hasEvent = true;
    showFacts();

    const bool handshake = event.handshake != nullptr;
    if (handshake)
        m_handshake->setHandshake(*event.handshake);
    else
        m_handshake->clear();
    setTabVisible(HandshakePage, handshake);

    const bool payload = carriesPayload(event.kind);
    if (payload)
        m_payload->setPayload(event.payload, event.size, event.isTextual());
    setTabVisible(PayloadPage, payload);

    showFrames();
    setTabVisible(FramesPage, !event.frames.isEmpty());
    showTls();
    setTabVisible(TlsPage, event.tls != nullptr);

    // Keep the page the user was reading when the new event has it; otherwise show what
    // matters most for this kind.
    if (previous > 0 && isTabVisible(previous))
        setCurrentIndex(previous);
    else if (handshake)
        setCurrentIndex(HandshakePage);
    else if (payload)
        setCurrentIndex(PayloadPage);
    else
        setCurrentIndex(FactsPage);
}

void EventInspector::clearEvent()
{
    m_hasEvent = false;
    m_event = Event();
    m_facts->clear();
    addFact(m_facts, tr("Nothing selected"), tr("Select an event in the log to see it here."));
    m_facts->resizeColumnToContents(0);
    for (const int page : {HandshakePage, PayloadPage, FramesPage, TlsPage})
        setTabVisible(page, false);
    setCurrentIndex(FactsPage);
}

QStringList EventInspector::factLines() const
{
    QStringList lines;
    for (int i = 0; i < m_facts->topLevelItemCount(); ++i) {
        const QTreeWidgetItem *item = m_facts->topLevelItem(i);
        lines.append(item->text(0) + QStringLiteral(": ") + item->text(1));
    }
    return lines;
}

void EventInspector::showFacts()
{
    const Event &e = m_event;
    const QLocale locale;
    m_facts->clear();
    addFact(m_facts, tr("Summary"), EventLogModel::summary(e));
    addFact(m_facts, tr("Event"), QStringLiteral("#") + QString::number(e.seq));
    addFact(m_facts, tr("Time"), e.time.toString(Qt::ISODateWithMs));
    const QString label = m_links ? m_links->label(e.source, e.connection) : QString();
    addFact(m_facts, tr("Source"), label.isEmpty() ? sourceName(e.source) : label);
    addFact(m_facts, tr("Connection"),
            e.connection == 0 ? tr("(the server)") : QString::number(e.connection));
    addFact(m_facts, tr("Direction"), directionName(e.direction));
    addFact(m_facts, tr("Kind"), kindName(e.kind));
    if (!e.url.isEmpty())
        addFact(m_facts, tr("URL"), e.url);
    if (!e.peer.isEmpty())
        addFact(m_facts, tr("Peer"), e.peer);
    if (e.kind == EventKind::Open)
        addFact(m_facts, tr("Subprotocol"), e.subprotocol.isEmpty() ? tr("(none)") : e.subprotocol);
    if (carriesPayload(e.kind))
        addFact(m_facts, tr("Size"),
                tr("%Ln bytes", nullptr, pluralCount(qMax<qint64>(e.size, e.payload.size()))));
    if (e.rttMs)
        addFact(m_facts, tr("Round trip"), tr("%1 ms").arg(locale.toString(*e.rttMs, 'f', 2)));
    if (e.kind == EventKind::Broadcast)
        addFact(m_facts, tr("Recipients"), QString::number(e.recipients));
    if (e.kind == EventKind::Close) {
        const protocol::CloseCodeInfo info = protocol::closeCodeInfo(e.closeCode);
        addFact(m_facts, tr("Close code"), QString::number(e.closeCode));
        addFact(m_facts, tr("Name"), info.name);
        addFact(m_facts, tr("Meaning"), info.meaning);
        addFact(m_facts, tr("Reason"), e.reason.isEmpty() ? tr("(none)") : e.reason);
        addFact(m_facts, tr("Initiated by"),
                e.initiator == CloseInitiator::Local
                    ? (e.source == EventSource::Server ? tr("the server (local)")
                                                       : tr("this client (local)"))
                    : (e.source == EventSource::Server ? tr("the client (remote)")
                                                       : tr("the server (remote)")));
    }
    if (e.kind == EventKind::Error) {
        addFact(m_facts, tr("Error"), e.error);
        addFact(m_facts, tr("Error id"), e.errorId);
    }
    if (!e.frames.isEmpty())
        addFact(m_facts, tr("Frames"), QString::number(e.frames.size()));
    m_facts->resizeColumnToContents(0);
}

void EventInspector::showFrames()
{
    const QList<FrameInfo> &frames = m_event.frames;
    m_frames->setRowCount(int(frames.size()));
    const QLocale locale;
    for (int row = 0; row < frames.size(); ++row) {
        const FrameInfo &f = frames.at(row);
        m_frames->setItem(row, 0,
                          new QTableWidgetItem(QStringLiteral("0x%1 %2")
                                                   .arg(f.opcode, 1, 16)
                                                   .arg(protocol::opcodeName(f.opcode))));
        m_frames->setItem(row, 1, new QTableWidgetItem(f.fin ? tr("yes") : tr("no")));
        m_frames->setItem(row, 2,
                          new QTableWidgetItem(QString::number(f.rsv, 2).rightJustified(3, u'0')));
        m_frames->setItem(row, 3, new QTableWidgetItem(f.masked ? tr("yes") : tr("no")));
        m_frames->setItem(row, 4, new QTableWidgetItem(locale.toString(f.length)));
    }
}

void EventInspector::showTls()
{
    m_tls->clear();
    if (!m_event.tls)
        return;
    const TlsInfo &t = *m_event.tls;
    addFact(m_tls, tr("Protocol"), t.protocol);
    addFact(m_tls, tr("Cipher"), t.cipher);
    if (t.verificationDisabled)
        addFact(m_tls, tr("Verification"), tr("turned off by the user"));
    if (t.peerCertificate) {
        const CertificateInfo &c = *t.peerCertificate;
        addFact(m_tls, tr("Subject"), c.subject);
        addFact(m_tls, tr("Issuer"), c.issuer);
        addFact(m_tls, tr("Valid from"), c.notBefore.toString(Qt::ISODate));
        addFact(m_tls, tr("Valid until"), c.notAfter.toString(Qt::ISODate));
        addFact(m_tls, tr("SHA-256"), c.sha256);
    }
    for (const QString &error : t.errors)
        addFact(m_tls, tr("Certificate error"), error);
    m_tls->resizeColumnToContents(0);
}

} // namespace sockpit
