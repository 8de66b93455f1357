#include "acceptkey.h"

#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QStringBuilder>

namespace sockpit::protocol {

QByteArray computeAcceptKey(const QByteArray &secWebSocketKey)
{
    static const QByteArray guid = QByteArrayLiteral("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    const QByteArray input = secWebSocketKey.trimmed() + guid;
    return QCryptographicHash::hash(input, QCryptographicHash::Sha1).toBase64();
}

bool isValidClientKey(const QByteArray &secWebSocketKey)
{
    const QByteArray key = secWebSocketKey.trimmed();
    if (key.size() != 24 || !key.endsWith("=="))
        return false;
    const auto decoded
        = QByteArray::fromBase64Encoding(key, QByteArray::AbortOnBase64DecodingErrors);
    return decoded && decoded.decoded.size() == 16;
}

QByteArray generateClientKey()
{
    QByteArray raw(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(raw.data()), 4);
    return raw.toBase64();
}

} // namespace sockpit::protocol
