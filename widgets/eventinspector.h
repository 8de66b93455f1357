#pragma once

#include "events/event.h"

#include <QTabWidget>

class QTableWidget;
class QTreeWidget;

namespace sockpit {

class ConnectionLinks;
class HandshakeView;
class PayloadView;

// Everything about the selected event: its facts (close code with name, meaning and
// initiator; error sentence and id; ...), handshake headers, payload, frames and TLS
// facts. Tabs without content for the event are hidden.
class EventInspector : public QTabWidget
{
    Q_OBJECT
public:
    explicit EventInspector(QWidget *parent = nullptr);

    bool hasEvent() const { return m_hasEvent; }
    const Event &event() const { return m_event; }
    // The facts as "name: value" lines, as shown (tests and copy).
    QStringList factLines() const;
    // Names the connections ("client #1 ↔ server #2"); must outlive the inspector.
    void setConnectionLinks(const ConnectionLinks *links) { m_links = links; }

public Q_SLOTS:
    void setEvent(const sockpit::Event &event);
    void clearEvent();

private:
    void showFacts();
    void showFrames();
    void showTls();

    Event m_event;
    bool m_hasEvent = false;
    const ConnectionLinks *m_links = nullptr;
    QTreeWidget *m_facts;
    HandshakeView *m_handshake;
    PayloadView *m_payload;
    QTableWidget *m_frames;
    QTreeWidget *m_tls;
};

} // namespace sockpit
