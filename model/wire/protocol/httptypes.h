#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

namespace sockpit {

// Header names and values as they were on the wire: order and case preserved.
using HeaderList = QList<QPair<QByteArray, QByteArray>>;

struct HttpRequestHead
{
    QByteArray method;
    QByteArray target;
    HeaderList headers;
    friend bool operator==(const HttpRequestHead &, const HttpRequestHead &) = default;
};

struct HttpResponseHead
{
    int status = 0;
    QByteArray reason; // the status line's reason phrase ("Switching Protocols")
    HeaderList headers;
    QByteArray body; // what a rejecting server sent after the headers (capped)
    friend bool operator==(const HttpResponseHead &, const HttpResponseHead &) = default;
};

} // namespace sockpit
