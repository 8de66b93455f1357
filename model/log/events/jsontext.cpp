#include "jsontext.h"

#include <vector>

namespace sockpit {

namespace {

bool isJsonSpace(QChar c)
{
    // RFC 8259 section 2: the only insignificant whitespace.
    return c == u' ' || c == u'\t' || c == u'\n' || c == u'\r';
}

qsizetype skipSpace(QStringView text, qsizetype i)
{
    while (i < text.size() && isJsonSpace(text.at(i)))
        ++i;
    return i;
}

bool isDigit(QChar c)
{
    return c >= u'0' && c <= u'9';
}

bool isHexDigit(QChar c)
{
    return isDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

// Scans the string starting at text[i] == '"'; returns the index after it, or -1 with *i
// at the fault.
qsizetype scanString(QStringView text, qsizetype *i)
{
    qsizetype at = *i + 1;
    while (at < text.size()) {
        const QChar c = text.at(at);
        if (c == u'"')
            return at + 1;
        if (c.unicode() < 0x20) {
            *i = at;
            return -1;
        }
        if (c == u'\\') {
            if (at + 1 >= text.size()) {
                *i = at;
                return -1;
            }
            const QChar escaped = text.at(at + 1);
            if (escaped == u'u') {
                for (qsizetype k = at + 2; k < at + 6; ++k) {
                    if (k >= text.size() || !isHexDigit(text.at(k))) {
                        *i = k;
                        return -1;
                    }
                }
                at += 6;
                continue;
            }
            if (!QStringView(u"\"\\/bfnrt").contains(escaped)) {
                *i = at + 1;
                return -1;
            }
            at += 2;
            continue;
        }
        ++at;
    }
    *i = at;
    return -1;
}

// Moves *i past the string at text[*i] == '"', or to the fault; false on a fault.
bool skipString(QStringView text, qsizetype *i)
{
    qsizetype at = *i;
    const qsizetype end = scanString(text, &at);
    *i = end < 0 ? at : end;
    return end >= 0;
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? from text[i]; the index after it, or -1.
qsizetype scanNumber(QStringView text, qsizetype *i)
{
    qsizetype at = *i;
    const auto fail = [i, &at] {
        *i = at;
        return qsizetype(-1);
    };
    if (at < text.size() && text.at(at) == u'-')
        ++at;
    if (at >= text.size() || !isDigit(text.at(at)))
        return fail();
    if (text.at(at) == u'0') {
        ++at;
    } else {
        while (at < text.size() && isDigit(text.at(at)))
            ++at;
    }
    if (at < text.size() && text.at(at) == u'.') {
        ++at;
        if (at >= text.size() || !isDigit(text.at(at)))
            return fail();
        while (at < text.size() && isDigit(text.at(at)))
            ++at;
    }
    if (at < text.size() && (text.at(at) == u'e' || text.at(at) == u'E')) {
        ++at;
        if (at < text.size() && (text.at(at) == u'+' || text.at(at) == u'-'))
            ++at;
        if (at >= text.size() || !isDigit(text.at(at)))
            return fail();
        while (at < text.size() && isDigit(text.at(at)))
            ++at;
    }
    return at;
}

} // namespace

bool isValidJson(QStringView text, qsizetype *errorOffset)
{
    // What may come next; the open containers are on `open` ('{' or '[').
    enum class Next { Value, ValueOrEnd, KeyOrEnd, Key, Colon, CommaOrEnd };
    std::vector<char> open;
    Next next = Next::Value;
    qsizetype i = 0;
    const auto fail = [errorOffset, &i] {
        if (errorOffset)
            *errorOffset = i;
        return false;
    };
    while (true) {
        i = skipSpace(text, i);
        if (next == Next::CommaOrEnd && open.empty()) {
            if (i == text.size())
                return true;
            return fail();
        }
        if (i >= text.size())
            return fail();
        const QChar c = text.at(i);
        switch (next) {
        case Next::CommaOrEnd:
            if (c == u',') {
                next = open.back() == '{' ? Next::Key : Next::Value;
                ++i;
            } else if ((c == u'}' && open.back() == '{') || (c == u']' && open.back() == '[')) {
                open.pop_back();
                ++i;
            } else {
                return fail();
            }
            continue;
        case Next::KeyOrEnd:
        case Next::Key:
            if (next == Next::KeyOrEnd && c == u'}') {
                open.pop_back();
                next = Next::CommaOrEnd;
                ++i;
                continue;
            }
            if (c != u'"')
                return fail();
            if (!skipString(text, &i))
                return fail();
            next = Next::Colon;
            continue;
        case Next::Colon:
            if (c != u':')
                return fail();
            ++i;
            next = Next::Value;
            continue;
        case Next::ValueOrEnd:
            if (c == u']') {
                open.pop_back();
                next = Next::CommaOrEnd;
                ++i;
                continue;
            }
            [[fallthrough]];
        case Next::Value:
            break;
        }
        if (c == u'{' || c == u'[') {
            open.push_back(c == u'{' ? '{' : '[');
            next = c == u'{' ? Next::KeyOrEnd : Next::ValueOrEnd;
            ++i;
            continue;
        }
        next = Next::CommaOrEnd;
        if (c == u'"') {
            if (!skipString(text, &i))
                return fail();
            continue;
        }
        if (c == u'-' || isDigit(c)) {
            qsizetype at = i;
            const qsizetype end = scanNumber(text, &at);
            if (end < 0) {
                i = at;
                return fail();
            }
            i = end;
            continue;
        }
        bool literal = false;
        for (const QStringView word :
             {QStringView(u"true"), QStringView(u"false"), QStringView(u"null")}) {
            if (text.sliced(i).startsWith(word)) {
                i += word.size();
                literal = true;
                break;
            }
        }
        if (!literal)
            return fail();
    }
}

QString reindentJson(QStringView json, int indent)
{
    QString out;
    out.reserve(json.size() + json.size() / 4);
    int depth = 0;
    auto newline = [&out, &depth, indent] {
        out += u'\n';
        out += QString(qsizetype(depth) * indent, u' ');
    };
    qsizetype i = skipSpace(json, 0);
    while (i < json.size()) {
        const QChar c = json.at(i);
        if (c == u'"') {
            // A string, copied as it is, escapes included.
            const qsizetype start = i++;
            while (i < json.size() && json.at(i) != u'"')
                i += json.at(i) == u'\\' ? 2 : 1;
            i = qMin(i + 1, json.size());
            out += json.sliced(start, i - start);
            continue;
        }
        if (isJsonSpace(c)) {
            i = skipSpace(json, i);
            continue;
        }
        if (c == u'{' || c == u'[') {
            out += c;
            const qsizetype next = skipSpace(json, i + 1);
            if (next < json.size() && (json.at(next) == u'}' || json.at(next) == u']')) {
                out += json.at(next);
                i = next + 1;
                continue;
            }
            ++depth;
            newline();
        } else if (c == u'}' || c == u']') {
            depth = qMax(0, depth - 1);
            newline();
            out += c;
        } else if (c == u',') {
            out += c;
            newline();
        } else if (c == u':') {
            out += QLatin1StringView(": ");
        } else {
            out += c; // numbers, true, false, null
        }
        ++i;
    }
    return out;
}

} // namespace sockpit
