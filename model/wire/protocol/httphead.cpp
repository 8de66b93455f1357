#include "httphead.h"

namespace sockpit::http {

namespace {
bool parseHeaderLines(const QList<QByteArrayView> &lines, HeaderList *headers)
{
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArrayView line = lines.at(i);
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return false;
        headers->append(
            {line.first(colon).toByteArray(), line.sliced(colon + 1).trimmed().toByteArray()});
    }
    return true;
}

QList<QByteArrayView> splitLines(QByteArrayView head)
{
    QList<QByteArrayView> lines;
    qsizetype start = 0;
    while (start <= head.size()) {
        qsizetype end = head.indexOf("\r\n", start);
        if (end < 0)
            end = head.size();
        lines.append(head.sliced(start, end - start));
        start = end + 2;
    }
    return lines;
}
} // namespace

std::optional<HttpRequestHead> parseRequestHead(QByteArrayView head)
{
    const QList<QByteArrayView> lines = splitLines(head);
    if (lines.isEmpty())
        return std::nullopt;
    const QList<QByteArray> parts = lines.first().toByteArray().split(' ');
    if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/"))
        return std::nullopt;
    HttpRequestHead request;
    request.method = parts.at(0);
    request.target = parts.at(1);
    if (!parseHeaderLines(lines, &request.headers))
        return std::nullopt;
    return request;
}

std::optional<HttpResponseHead> parseResponseHead(QByteArrayView head)
{
    const QList<QByteArrayView> lines = splitLines(head);
    if (lines.isEmpty())
        return std::nullopt;
    // Status line: HTTP-version SP status-code SP [reason-phrase] (RFC 9112 section 4).
    const QByteArrayView statusLine = lines.first();
    if (!statusLine.startsWith("HTTP/"))
        return std::nullopt;
    const qsizetype firstSpace = statusLine.indexOf(' ');
    if (firstSpace < 0)
        return std::nullopt;
    QByteArrayView rest = statusLine.sliced(firstSpace + 1);
    const qsizetype secondSpace = rest.indexOf(' ');
    bool ok = false;
    HttpResponseHead response;
    response.status = (secondSpace < 0 ? rest : rest.first(secondSpace)).toInt(&ok);
    if (!ok || response.status < 100 || response.status > 999)
        return std::nullopt;
    if (secondSpace >= 0)
        response.reason = rest.sliced(secondSpace + 1).toByteArray();
    if (!parseHeaderLines(lines, &response.headers))
        return std::nullopt;
    return response;
}

QByteArray headerValue(const HeaderList &headers, QByteArrayView name)
{
    for (const auto &header : headers) {
        if (QByteArrayView(header.first).compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return QByteArray();
}

} // namespace sockpit::http
