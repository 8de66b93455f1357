#pragma once

#include "httptypes.h"

#include <QByteArrayView>

#include <optional>

namespace sockpit::http {

// Parses an HTTP/1.1 head (start line and header lines, up to but excluding the empty line)
// as it was on the wire: header order and case are kept, values are trimmed (RFC 9112
// section 5.1 allows whitespace around a field value).
std::optional<HttpRequestHead> parseRequestHead(QByteArrayView head);
std::optional<HttpResponseHead> parseResponseHead(QByteArrayView head);

// The value of the first header with this name (case-insensitive), or a null array.
QByteArray headerValue(const HeaderList &headers, QByteArrayView name);

} // namespace sockpit::http
