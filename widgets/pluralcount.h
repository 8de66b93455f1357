#pragma once

#include <QtGlobal>

#include <limits>

namespace sockpit {

// The count for tr()'s %n plural forms, which take an int: a larger count is shown as
// the largest int (a plural in every language Sockpit speaks).
constexpr int pluralCount(qint64 n)
{
    constexpr qint64 largest = std::numeric_limits<int>::max();
    return int(n < 0 ? 0 : (n > largest ? largest : n));
}

} // namespace sockpit
