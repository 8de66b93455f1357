#pragma once

#include <QString>
#include <QStringView>

namespace sockpit {

// JSON text as a person wrote it: checked and re-indented without being rebuilt, so that
// a megabyte is checked in milliseconds (QJsonDocument builds a tree of every value) and
// nothing but whitespace ever changes.

// Whether `text` is one JSON value (RFC 8259) with only whitespace around it. On failure
// *errorOffset (when given) is the index of the first character that does not fit.
bool isValidJson(QStringView text, qsizetype *errorOffset = nullptr);

// Re-indents JSON text that is already known to be valid, the way QJsonDocument::Indented
// lays it out ("key": value, `indent` spaces a level, empty {} and [] kept on one line),
// but only by changing whitespace outside strings: keys keep their order, numbers their
// spelling (1.50, 1e3), strings their escapes. QJsonDocument would sort the keys and
// rewrite the numbers, and what a tester sends must be what they wrote.
QString reindentJson(QStringView validJson, int indent = 4);

} // namespace sockpit
