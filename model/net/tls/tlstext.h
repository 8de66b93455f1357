#pragma once

#include <QCoreApplication>

namespace sockpit::tls {

// The translation context of this part's messages, so that lupdate finds them.
class Tls
{
    Q_DECLARE_TR_FUNCTIONS(Tls)
};

} // namespace sockpit::tls
