#pragma once

#include <QByteArrayView>
#include <QString>

namespace sockpit {

// "00000010  48 65 6c 6c 6f 20 77 6f  72 6c 64 0a 00 01 02 03  |Hello world.....|"
// One line per 16 bytes; bytes outside printable ASCII show as '.'.
QString hexDump(QByteArrayView data);

} // namespace sockpit
