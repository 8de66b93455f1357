#include "closecodes.h"

#include <QCoreApplication>

namespace sockpit::protocol {

namespace {
struct Entry
{
    int code;
    const char *name;
    const char *meaning;
};

// RFC 6455 section 7.4.1, plus the later IANA registrations (1012-1015).
constexpr Entry kRegistered[] = {
    {1000, QT_TRANSLATE_NOOP("CloseCodes", "Normal Closure"),
     QT_TRANSLATE_NOOP("CloseCodes", "The purpose of the connection has been fulfilled.")},
    {1001, QT_TRANSLATE_NOOP("CloseCodes", "Going Away"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "An endpoint is going away, such as a server shutting down or a browser "
                       "leaving the page.")},
    {1002, QT_TRANSLATE_NOOP("CloseCodes", "Protocol Error"),
     QT_TRANSLATE_NOOP("CloseCodes", "An endpoint received a frame that breaks the protocol.")},
    {1003, QT_TRANSLATE_NOOP("CloseCodes", "Unsupported Data"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "An endpoint received a type of data it cannot accept (for example "
                       "binary when it only understands text).")},
    {1004, QT_TRANSLATE_NOOP("CloseCodes", "Reserved"),
     QT_TRANSLATE_NOOP("CloseCodes", "Reserved; its meaning might be defined in the future.")},
    {1005, QT_TRANSLATE_NOOP("CloseCodes", "No Status Received"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "The Close frame carried no status code. Never sent on the wire.")},
    {1006, QT_TRANSLATE_NOOP("CloseCodes", "Abnormal Closure"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "The connection ended without a Close frame (dropped, reset or timed "
                       "out). Never sent on the wire.")},
    {1007, QT_TRANSLATE_NOOP("CloseCodes", "Invalid Frame Payload Data"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "A message's data was not consistent with its type, such as text that "
                       "is not valid UTF-8.")},
    {1008, QT_TRANSLATE_NOOP("CloseCodes", "Policy Violation"),
     QT_TRANSLATE_NOOP("CloseCodes", "A message violated the endpoint's policy.")},
    {1009, QT_TRANSLATE_NOOP("CloseCodes", "Message Too Big"),
     QT_TRANSLATE_NOOP("CloseCodes", "A message was too big for the endpoint to process.")},
    {1010, QT_TRANSLATE_NOOP("CloseCodes", "Mandatory Extension"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "The client expected the server to negotiate an extension that it did "
                       "not.")},
    {1011, QT_TRANSLATE_NOOP("CloseCodes", "Internal Error"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "The server met an unexpected condition that kept it from fulfilling "
                       "the request.")},
    {1012, QT_TRANSLATE_NOOP("CloseCodes", "Service Restart"),
     QT_TRANSLATE_NOOP("CloseCodes", "The service is restarting.")},
    {1013, QT_TRANSLATE_NOOP("CloseCodes", "Try Again Later"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "The service is overloaded or temporarily unavailable; try again "
                       "later.")},
    {1014, QT_TRANSLATE_NOOP("CloseCodes", "Bad Gateway"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "A gateway or proxy received an invalid response from the upstream "
                       "server.")},
    {1015, QT_TRANSLATE_NOOP("CloseCodes", "TLS Handshake Failure"),
     QT_TRANSLATE_NOOP("CloseCodes",
                       "The TLS handshake failed, for example the certificate could not be "
                       "verified. Never sent on the wire.")},
};

QString tr(const char *text)
{
    return QCoreApplication::translate("CloseCodes", text);
}
} // namespace

CloseCodeInfo closeCodeInfo(int code)
{
    for (const Entry &e : kRegistered) {
        if (e.code == code)
            return {tr(e.name), tr(e.meaning)};
    }
    if (code >= 1016 && code <= 2999)
        return {tr(QT_TRANSLATE_NOOP("CloseCodes", "Reserved for the Protocol")),
                tr(QT_TRANSLATE_NOOP("CloseCodes",
                                     "Reserved for future versions of the WebSocket protocol "
                                     "and its extensions."))};
    if (code >= 3000 && code <= 3999)
        return {tr(QT_TRANSLATE_NOOP("CloseCodes", "Registered (Library or Framework)")),
                tr(QT_TRANSLATE_NOOP("CloseCodes",
                                     "Registered with IANA for use by libraries, frameworks "
                                     "and applications."))};
    if (code >= 4000 && code <= 4999)
        return {tr(QT_TRANSLATE_NOOP("CloseCodes", "Private Use")),
                tr(QT_TRANSLATE_NOOP("CloseCodes",
                                     "Defined by the application; its meaning is agreed "
                                     "between the two endpoints."))};
    return {tr(QT_TRANSLATE_NOOP("CloseCodes", "Invalid")),
            tr(QT_TRANSLATE_NOOP("CloseCodes",
                                 "Not a valid WebSocket close code (valid codes are 1000-4999)."))};
}

bool isValidCloseCodeOnWire(int code)
{
    if (code >= 1000 && code <= 1003)
        return true;
    if (code >= 1007 && code <= 1014)
        return true;
    return code >= 3000 && code <= 4999;
}

QList<int> wellKnownCloseCodes()
{
    QList<int> codes;
    for (const Entry &e : kRegistered)
        codes.append(e.code);
    return codes;
}

} // namespace sockpit::protocol
