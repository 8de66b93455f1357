#pragma once

#include "event.h"

#include <QByteArrayView>
#include <QString>

// Shared by the JSON Lines encoder and decoder; not part of the public API.
namespace sockpit::jsonlines_detail {

// RFC 3629: rejects overlong forms, surrogates and code points above U+10FFFF, so that a
// payload written as a JSON string reads back byte for byte.
bool isValidUtf8(QByteArrayView bytes);

} // namespace sockpit::jsonlines_detail
