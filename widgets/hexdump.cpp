#include "hexdump.h"

namespace sockpit {

QString hexDump(QByteArrayView data)
{
    static constexpr char digits[] = "0123456789abcdef";
    constexpr qsizetype perLine = 16;
    QString out;
    out.reserve((data.size() / perLine + 1) * 80);
    for (qsizetype offset = 0; offset < data.size(); offset += perLine) {
        out += QString::number(offset, 16).rightJustified(8, u'0');
        out += QLatin1StringView("  ");
        QString ascii;
        for (qsizetype i = 0; i < perLine; ++i) {
            if (i == 8)
                out += u' ';
            if (offset + i < data.size()) {
                const auto byte = quint8(data[offset + i]);
                out += QLatin1Char(digits[byte >> 4]);
                out += QLatin1Char(digits[byte & 0xf]);
                out += u' ';
                ascii += (byte >= 0x20 && byte < 0x7f) ? QChar(char16_t(byte)) : QChar(u'.');
            } else {
                out += QLatin1StringView("   ");
            }
        }
        out += u' ';
        out += u'|';
        out += ascii;
        out += u'|';
        out += u'\n';
    }
    return out;
}

} // namespace sockpit
