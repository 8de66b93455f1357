#pragma once

#include "events/event.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace sockpit {

// A handshake as two header tables: the request (with its request line) and the response
// (with its status line), names and values as they were on the wire.
class HandshakeView : public QWidget
{
    Q_OBJECT
public:
    explicit HandshakeView(QWidget *parent = nullptr);

    void setHandshake(const Handshake &handshake);
    void clear();

private:
    QLabel *m_requestLine;
    QTableWidget *m_request;
    QLabel *m_statusLine;
    QTableWidget *m_response;
};

} // namespace sockpit
