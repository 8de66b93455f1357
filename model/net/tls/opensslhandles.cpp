#include "opensslhandles.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <limits>

namespace sockpit::tls::detail {

BioPtr readBio(const QByteArray &data)
{
    if (data.size() > std::numeric_limits<int>::max())
        return BioPtr(BIO_new_mem_buf(nullptr, 0));
    return BioPtr(BIO_new_mem_buf(data.constData(), int(data.size())));
}

BioPtr writeBio()
{
    return BioPtr(BIO_new(BIO_s_mem()));
}

QByteArray bioContents(BIO *bio)
{
    // BIO_get_mem_data is a macro with an old-style cast; BIO_ctrl is what it expands to.
    char *data = nullptr;
    const long size = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data);
    if (size <= 0 || !data)
        return {};
    return QByteArray(data, qsizetype(size));
}

QString takeOpenSslError()
{
    const unsigned long code = ERR_peek_last_error();
    QString reason;
    if (code != 0) {
        const char *text = ERR_reason_error_string(code);
        reason = text ? QString::fromLatin1(text) : QString::number(code, 16);
    }
    ERR_clear_error();
    return reason;
}

X509Ptr x509FromDer(const QByteArray &der)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.constData());
    if (der.size() > std::numeric_limits<long>::max())
        return {};
    return X509Ptr(d2i_X509(nullptr, &bytes, long(der.size())));
}

void releaseOpenSslThreadState()
{
    OPENSSL_thread_stop();
}

} // namespace sockpit::tls::detail
