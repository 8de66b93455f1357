#pragma once

#include <QByteArray>

namespace sockpit::protocol {

// RFC 6455 section 1.3/4.2.2: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
QByteArray computeAcceptKey(const QByteArray &secWebSocketKey);

// Section 4.1: the key must be base64 of exactly 16 bytes (24 characters, "==" padded).
bool isValidClientKey(const QByteArray &secWebSocketKey);

// A fresh random key for a client handshake.
QByteArray generateClientKey();

} // namespace sockpit::protocol
