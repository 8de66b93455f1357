#include "handshakeview.h"

#include <QCoreApplication>
#include <QHeaderView>
#include <QLabel>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace sockpit {

namespace {
QTableWidget *headerTable(const QString &objectName, QWidget *parent)
{
    auto *table = new QTableWidget(0, 2, parent);
    table->setObjectName(objectName);
    table->setHorizontalHeaderLabels({QCoreApplication::translate("HandshakeView", "Name"),
                                      QCoreApplication::translate("HandshakeView", "Value")});
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setWordWrap(false);
    return table;
}

void fill(QTableWidget *table, const HeaderList &headers)
{
    table->setRowCount(int(headers.size()));
    for (int row = 0; row < headers.size(); ++row) {
        table->setItem(row, 0, new QTableWidgetItem(QString::fromLatin1(headers.at(row).first)));
        table->setItem(row, 1, new QTableWidgetItem(QString::fromUtf8(headers.at(row).second)));
    }
    table->resizeColumnToContents(0);
}

QWidget *titled(QLabel *label, QTableWidget *table, QWidget *parent)
{
    auto *box = new QWidget(parent);
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(label);
    layout->addWidget(table, 1);
    // Two tables one above the other: each may shrink to a few rows and scroll, so that
    // the inspector fits a low window.
    table->setMinimumHeight(table->fontMetrics().height() * 3);
    return box;
}
} // namespace

HandshakeView::HandshakeView(QWidget *parent)
    : QWidget(parent)
    , m_requestLine(new QLabel(this))
    , m_request(headerTable(QStringLiteral("requestHeaders"), this))
    , m_statusLine(new QLabel(this))
    , m_response(headerTable(QStringLiteral("responseHeaders"), this))
{
    m_requestLine->setObjectName(QStringLiteral("requestLine"));
    m_requestLine->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statusLine->setObjectName(QStringLiteral("statusLine"));
    m_statusLine->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_statusLine->setWordWrap(true);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(titled(m_requestLine, m_request, splitter));
    splitter->addWidget(titled(m_statusLine, m_response, splitter));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);
}

void HandshakeView::setHandshake(const Handshake &handshake)
{
    m_requestLine->setText(tr("Request: %1 %2 HTTP/1.1")
                               .arg(QString::fromLatin1(handshake.request.method),
                                    QString::fromUtf8(handshake.request.target)));
    fill(m_request, handshake.request.headers);
    if (handshake.response) {
        QString status = tr("Response: HTTP/1.1 %1 %2")
                             .arg(handshake.response->status)
                             .arg(QString::fromLatin1(handshake.response->reason));
        if (!handshake.response->body.isEmpty())
            status += u'\n'
                + tr("Body: %1").arg(QString::fromUtf8(handshake.response->body.left(512)));
        m_statusLine->setText(status);
        fill(m_response, handshake.response->headers);
    } else {
        m_statusLine->setText(tr("Response: not observed"));
        m_response->setRowCount(0);
    }
}

void HandshakeView::clear()
{
    m_requestLine->clear();
    m_statusLine->clear();
    m_request->setRowCount(0);
    m_response->setRowCount(0);
}

} // namespace sockpit
