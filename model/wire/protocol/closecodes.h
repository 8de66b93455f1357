#pragma once

#include <QString>

namespace sockpit::protocol {

// What a close code means and whether it may travel in a Close frame.
// RFC 6455 section 7.4 and the IANA "WebSocket Close Code Number Registry".
struct CloseCodeInfo
{
    QString name; // "Normal Closure", "Going Away", ...
    QString meaning; // one sentence for a person
};

CloseCodeInfo closeCodeInfo(int code);

// RFC 6455 section 7.4.1/7.4.2: 1005, 1006 and 1015 are reserved for reporting and must
// never be sent in a Close frame; 1004 is reserved; 1016-2999 are reserved for future
// protocol use (1012-1014 are registered with IANA); 3000-4999 are for libraries and
// applications; everything else is invalid.
bool isValidCloseCodeOnWire(int code);

// True for codes a local user may choose to send (the valid wire codes).
inline bool isSendableCloseCode(int code)
{
    return isValidCloseCodeOnWire(code);
}

// The codes a person picks from in a list, in ascending order.
QList<int> wellKnownCloseCodes();

} // namespace sockpit::protocol
